// Command authd is a self-hosted OpenID Connect provider that runs
// Auth0-style post-login Actions. See README.md.
package main

import (
	"fmt"
	"io"
	"os"
	"slices"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches a command line; it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "serve"
	// --version, -h and --help are commands, not flags of serve.
	if len(args) > 0 && args[0] != "" && (args[0][0] != '-' || slices.Contains([]string{"--version", "-h", "--help"}, args[0])) {
		cmd, args = args[0], args[1:]
	}
	env := &cli{stdin: stdin, stdout: stdout, stderr: stderr}
	switch cmd {
	case "serve":
		return env.serve(args)
	case "config":
		return env.configCmd(args)
	case "users":
		return env.users(args)
	case "keys":
		return env.keysCmd(args)
	case "actions":
		return env.actionsCmd(args)
	case "migrate":
		return env.migrate(args)
	case "version", "--version":
		fmt.Fprintln(stdout, "authd", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "authd: unknown command %q (see authd help)\n", cmd)
		return 1
	}
}

const usage = `authd — an OpenID Connect provider that runs Auth0 post-login Actions

Usage:
  authd [serve] [--config FILE]            run the server (dev mode without a config)
  authd config check --config FILE         validate a config file
  authd users create --email E [--password P | --password-stdin] [--name N] [--email-verified]
  authd users get ID_OR_EMAIL | list [--json] | delete ID_OR_EMAIL
  authd users roles add|remove ID_OR_EMAIL ROLE...
  authd users mfa reset ID_OR_EMAIL
  authd users set-password ID_OR_EMAIL --password-stdin | unblock ID_OR_EMAIL
  authd actions test FILE.js --event EVENT.json [--secret K=V]... [--continue] [--now RFC3339]
  authd keys list | rotate
  authd migrate
  authd version

Every command that touches data takes --config FILE (default: ./authd.yaml,
else the dev-mode database in the current folder).
`
