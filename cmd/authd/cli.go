package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/authd/authd/config"
	"github.com/authd/authd/server"
	"github.com/authd/authd/store"
)

type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// fail prints one clear line and returns exit status 1.
func (c *cli) fail(format string, args ...any) int {
	fmt.Fprintf(c.stderr, "authd: "+format+"\n", args...)
	return 1
}

// parse parses flags that may stand before or after positional
// arguments, and returns the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// loadConfig loads --config (or ./authd.yaml), or the dev config.
func loadConfig(path string) (*config.Config, error) {
	p, dev := config.Find(path)
	if dev {
		cfg := config.Dev(".")
		sec, err := config.LoadOrCreateDevSecrets(config.DevSecretsPath("."), rand.Reader)
		if err != nil {
			return nil, err
		}
		cfg.Secrets = sec
		return cfg, nil
	}
	return config.Load(p, os.LookupEnv)
}

// openStore opens the configured store for a data command.
func (c *cli) openStore(path string) (store.Store, *config.Config, error) {
	cfg, err := loadConfig(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := server.OpenStore(context.Background(), cfg)
	if err != nil {
		return nil, nil, err
	}
	return st, cfg, nil
}

// findUser accepts a user id or an email.
func findUser(ctx context.Context, st store.Store, idOrEmail string) (*store.User, error) {
	if strings.Contains(idOrEmail, "|") {
		return st.GetUser(ctx, idOrEmail)
	}
	u, err := st.GetUserByEmail(ctx, "Username-Password-Authentication", strings.ToLower(idOrEmail))
	if errors.Is(err, store.ErrNotFound) {
		return st.GetUser(ctx, idOrEmail)
	}
	return u, err
}
