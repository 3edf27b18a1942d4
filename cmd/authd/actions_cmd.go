package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/authd/authd/actions"
	"github.com/authd/authd/config"
	"github.com/authd/authd/mfa"
)

type secretFlags map[string]string

func (s secretFlags) String() string { return "" }
func (s secretFlags) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return errors.New("--secret wants KEY=VALUE")
	}
	s[k] = val
	return nil
}

func (c *cli) actionsCmd(args []string) int {
	if len(args) == 0 || args[0] != "test" {
		return c.fail("actions: usage: actions test FILE.js --event EVENT.json [--secret K=V]... [--continue] [--now RFC3339]")
	}
	fs := flag.NewFlagSet("actions test", flag.ContinueOnError)
	eventPath := fs.String("event", "", "event JSON file")
	cont := fs.Bool("continue", false, "run onContinuePostLogin")
	nowStr := fs.String("now", "", "pin the clock (RFC 3339)")
	secrets := secretFlags{}
	fs.Var(secrets, "secret", "KEY=VALUE (repeatable)")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return c.fail("actions test: %v", err)
	}
	if len(pos) != 1 {
		return c.fail("actions test: expected one action file")
	}
	var now time.Time
	if *nowStr != "" {
		if now, err = time.Parse(time.RFC3339, *nowStr); err != nil {
			return c.fail("actions test: --now: not an RFC 3339 time: %q", *nowStr)
		}
	}
	src, err := os.ReadFile(pos[0])
	if err != nil {
		return c.fail("actions test: %v", err)
	}
	event := actions.DefaultEvent()
	if *eventPath != "" {
		raw, err := os.ReadFile(*eventPath)
		if err != nil {
			return c.fail("actions test: --event: %v", err)
		}
		var ev map[string]any
		if err := json.Unmarshal(raw, &ev); err != nil {
			return c.fail("actions test: --event %s: invalid JSON: %v", *eventPath, err)
		}
		event = ev
	}
	name := strings.TrimSuffix(filepath.Base(pos[0]), filepath.Ext(pos[0]))
	act, err := actions.Compile(name, pos[0], src, secrets)
	if err != nil {
		return c.fail("%v", err)
	}
	rep := actions.Test(context.Background(), act, event, actions.TestOptions{Continue: *cont, Now: now})
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return c.fail("%v", err)
	}
	if !rep.OK {
		return 1
	}
	return 0
}

func (c *cli) configCmd(args []string) int {
	if len(args) == 0 || args[0] != "check" {
		return c.fail("config: usage: config check --config FILE")
	}
	fs := flag.NewFlagSet("config check", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "config file")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return c.fail("config check: %v", err)
	}
	if *cfgPath == "" && len(pos) == 1 {
		*cfgPath = pos[0]
	}
	if *cfgPath == "" {
		return c.fail("config check: --config FILE is required")
	}
	cfg, err := config.Load(*cfgPath, os.LookupEnv)
	if err != nil {
		var ce *config.Errors
		if errors.As(err, &ce) {
			fmt.Fprintln(c.stderr, strings.TrimRight(ce.Error(), "\n"))
		} else {
			fmt.Fprintln(c.stderr, err)
		}
		return 1
	}
	// Compile every action too: a syntax error names the file and line.
	bad := false
	for i, a := range cfg.Actions.PostLogin {
		if _, err := actions.Compile(a.Name, a.File, a.Source, a.Secrets); err != nil {
			fmt.Fprintf(c.stderr, "actions.post-login[%d]: %v\n", i, err)
			bad = true
		}
	}
	if bad {
		return 1
	}
	fmt.Fprintf(c.stdout, "%s: ok (%d clients, %d APIs, %d actions)\n", *cfgPath, len(cfg.Clients), len(cfg.APIs), len(cfg.Actions.PostLogin))
	return 0
}

func sealerFor(cfg *config.Config) (*mfa.Sealer, error) {
	s, err := mfa.NewSealer(cfg.Secrets.EncryptionKey, cfg.Secrets.OldEncryptionKeys...)
	if err != nil {
		return nil, fmt.Errorf("secrets.encryption_key: %w", err)
	}
	return s, nil
}
