package actions

import (
	"errors"
	"fmt"
	"maps"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
)

// Limits from spec §9 that are checked when an action is loaded.
const (
	MaxActions        = 20
	MaxSourceBytes    = 100 * 1000
	MaxSecrets        = 30
	MaxSecretKeyLen   = 128
	MaxSecretValueLen = 4096
)

// The CommonJS wrapper. The prefix shares line 1 with the script so line
// numbers in errors match the file; only line-1 columns need adjusting.
const (
	modulePrefix = "(function (exports, require, module, __filename, __dirname) {"
	moduleSuffix = "\n})"
)

// Action is one compiled post-login Action. It is immutable and safe to share
// between concurrent executions.
type Action struct {
	Name    string
	File    string
	prog    *goja.Program
	secrets map[string]string
}

// Compile parses src once. A syntax error names the action, the file and the
// line:column (spec §8, interface.md "its name, file and line"). The module's
// top level runs per execution, so a missing handler or a top-level throw is
// reported by Trigger.Run, not here.
func Compile(name, file string, src []byte, secrets map[string]string) (*Action, error) {
	if len(src) > MaxSourceBytes {
		return nil, fmt.Errorf("action %q (%s): source is %d bytes, the limit is %d", name, file, len(src), MaxSourceBytes)
	}
	if err := checkSecrets(secrets); err != nil {
		return nil, fmt.Errorf("action %q (%s): %w", name, file, err)
	}
	wrapped := modulePrefix + string(src) + moduleSuffix
	ast, err := parser.ParseFile(nil, file, wrapped, 0)
	if err != nil {
		return nil, syntaxError(name, file, err)
	}
	prog, err := goja.CompileAST(ast, false)
	if err != nil {
		return nil, syntaxError(name, file, err)
	}
	return &Action{Name: name, File: file, prog: prog, secrets: maps.Clone(secrets)}, nil
}

func checkSecrets(secrets map[string]string) error {
	if len(secrets) > MaxSecrets {
		return fmt.Errorf("%d secrets, the limit is %d", len(secrets), MaxSecrets)
	}
	for k, v := range secrets {
		if k == "" || len(k) > MaxSecretKeyLen {
			return fmt.Errorf("secret name %q must be 1 to %d characters", k, MaxSecretKeyLen)
		}
		if len(v) > MaxSecretValueLen {
			return fmt.Errorf("secret %q is %d characters, the limit is %d", k, len(v), MaxSecretValueLen)
		}
	}
	return nil
}

// syntaxError renders `action "n" (file:line:col): SyntaxError: msg`.
func syntaxError(name, file string, err error) error {
	line, col, msg := 0, 0, err.Error()
	var list parser.ErrorList
	var single *parser.Error
	var cerr *goja.CompilerSyntaxError
	switch {
	case errors.As(err, &list) && len(list) > 0:
		line, col, msg = list[0].Position.Line, list[0].Position.Column, list[0].Message
	case errors.As(err, &single):
		line, col, msg = single.Position.Line, single.Position.Column, single.Message
	case errors.As(err, &cerr):
		msg = cerr.Message
		if cerr.File != nil {
			p := cerr.File.Position(cerr.Offset)
			line, col = p.Line, p.Column
		}
	}
	if line == 1 {
		col -= len(modulePrefix)
	}
	if line == 0 {
		return fmt.Errorf("action %q (%s): SyntaxError: %s", name, file, msg)
	}
	return fmt.Errorf("action %q (%s:%d:%d): SyntaxError: %s", name, file, line, col, msg)
}
