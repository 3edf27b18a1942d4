package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/authd/authd/login"
	"github.com/authd/authd/oidc"
	"github.com/authd/authd/server"
	"github.com/authd/authd/store"
)

func (c *cli) users(args []string) int {
	if len(args) == 0 {
		return c.fail("users: missing subcommand (create, get, list, delete, roles, mfa, set-password, unblock)")
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "create", "get", "list", "delete", "roles", "mfa", "set-password", "unblock":
	default:
		// Refuse before anything opens a database (a dev-mode one included).
		return c.fail("users: unknown subcommand %q (create, get, list, delete, roles, mfa, set-password, unblock)", sub)
	}
	fs := flag.NewFlagSet("users "+sub, flag.ContinueOnError)
	cfgPath := fs.String("config", "", "config file")
	email := fs.String("email", "", "email")
	password := fs.String("password", "", "password")
	pwStdin := fs.Bool("password-stdin", false, "read the password from stdin")
	name := fs.String("name", "", "name")
	verified := fs.Bool("email-verified", false, "mark the email verified")
	connection := fs.String("connection", "Username-Password-Authentication", "connection")
	asJSON := fs.Bool("json", false, "JSON output")
	pos, err := parse(fs, args)
	if err != nil {
		return c.fail("users %s: %v", sub, err)
	}
	readPassword := func() (string, error) {
		if *pwStdin {
			line, err := bufio.NewReader(c.stdin).ReadString('\n')
			if err != nil && line == "" {
				return "", fmt.Errorf("no password on stdin")
			}
			return strings.TrimRight(line, "\r\n"), nil
		}
		return *password, nil
	}
	// Validate before touching the database: a bad command changes nothing.
	needOne := func() (string, bool) {
		if len(pos) != 1 {
			return "", false
		}
		return pos[0], true
	}
	ctx := context.Background()
	switch sub {
	case "create":
		e := strings.ToLower(strings.TrimSpace(*email))
		if _, err := mail.ParseAddress(e); err != nil || e == "" {
			return c.fail("users create: --email: a valid email address is required")
		}
		if *connection != "Username-Password-Authentication" {
			return c.fail("users create: --connection: only Username-Password-Authentication exists")
		}
		pw, err := readPassword()
		if err != nil {
			return c.fail("users create: %v", err)
		}
		st, cfg, err := c.openStore(*cfgPath)
		if err != nil {
			return c.fail("%v", err)
		}
		defer st.Close()
		if pw != "" && len([]rune(pw)) < cfg.Login.PasswordPolicy.MinLength {
			return c.fail("users create: --password: must be at least %d characters", cfg.Login.PasswordPolicy.MinLength)
		}
		now := time.Now().UTC()
		u := &store.User{ID: login.NewUserID(), Connection: *connection, Email: e, EmailVerified: *verified,
			Name: cmp.Or(*name, e), Nickname: strings.SplitN(e, "@", 2)[0], CreatedAt: now, UpdatedAt: now}
		if pw != "" {
			if u.PasswordHash, err = login.HashPassword(pw); err != nil {
				return c.fail("users create: %v", err)
			}
		}
		if err := st.CreateUser(ctx, u); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return c.fail("users create: a user with email %s already exists", e)
			}
			return c.fail("users create: %v", err)
		}
		return c.printJSON(auth0User(u, nil))
	case "list":
		st, _, err := c.openStore(*cfgPath)
		if err != nil {
			return c.fail("%v", err)
		}
		defer st.Close()
		list, err := st.ListUsers(ctx)
		if err != nil {
			return c.fail("users list: %v", err)
		}
		if *asJSON {
			out := []any{}
			for _, u := range list {
				out = append(out, auth0User(u, nil))
			}
			return c.printJSON(out)
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USER_ID\tEMAIL\tLOGINS\tLAST LOGIN")
		for _, u := range list {
			last := "-"
			if !u.LastLogin.IsZero() {
				last = u.LastLogin.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", u.ID, u.Email, u.LoginsCount, last)
		}
		tw.Flush()
		return 0
	}
	// The rest take a user.
	var who string
	if sub == "roles" || sub == "mfa" {
		if len(pos) < 2 {
			return c.fail("users %s: usage: users %s add|remove|reset ID_OR_EMAIL ...", sub, sub)
		}
		who = pos[1]
	} else {
		var ok bool
		if who, ok = needOne(); !ok {
			return c.fail("users %s: expected one user id or email", sub)
		}
	}
	var pw string
	if sub == "set-password" {
		if !*pwStdin && *password == "" {
			return c.fail("users set-password: --password-stdin is required")
		}
		if pw, err = readPassword(); err != nil || pw == "" {
			return c.fail("users set-password: no password given")
		}
	}
	if sub == "roles" && (len(pos) < 3 || (pos[0] != "add" && pos[0] != "remove")) {
		return c.fail("users roles: usage: users roles add|remove ID_OR_EMAIL ROLE...")
	}
	if sub == "mfa" && pos[0] != "reset" {
		return c.fail("users mfa: usage: users mfa reset ID_OR_EMAIL")
	}
	st, cfg, err := c.openStore(*cfgPath)
	if err != nil {
		return c.fail("%v", err)
	}
	defer st.Close()
	u, err := findUser(ctx, st, who)
	if err != nil {
		return c.fail("users %s: no user %q", sub, who)
	}
	now := time.Now().UTC()
	switch sub {
	case "get":
		f, _ := st.GetTOTP(ctx, u.ID)
		return c.printJSON(auth0User(u, f))
	case "delete":
		if err := st.DeleteUser(ctx, u.ID); err != nil {
			return c.fail("users delete: %v", err)
		}
		fmt.Fprintf(c.stdout, "deleted %s\n", u.ID)
	case "roles":
		roles := pos[2:]
		if pos[0] == "add" {
			err = st.AddRoles(ctx, u.ID, roles...)
		} else {
			err = st.RemoveRoles(ctx, u.ID, roles...)
		}
		if err != nil {
			return c.fail("users roles: %v", err)
		}
		if u, err = st.GetUser(ctx, u.ID); err == nil {
			return c.printJSON(map[string]any{"user_id": u.ID, "roles": u.Roles})
		}
	case "mfa":
		if err := st.DeleteFactors(ctx, u.ID); err != nil {
			return c.fail("users mfa reset: %v", err)
		}
		fmt.Fprintf(c.stdout, "removed authenticator app and recovery codes of %s\n", u.ID)
	case "set-password":
		if len([]rune(pw)) < cfg.Login.PasswordPolicy.MinLength {
			return c.fail("users set-password: must be at least %d characters", cfg.Login.PasswordPolicy.MinLength)
		}
		hash, err := login.HashPassword(pw)
		if err != nil {
			return c.fail("users set-password: %v", err)
		}
		if err := st.SetPasswordHash(ctx, u.ID, hash, now); err != nil {
			return c.fail("users set-password: %v", err)
		}
		// A reset lifts a brute-force block and ends what the old
		// password opened.
		_ = st.ClearFailures(ctx, "pwd", u.Email, "")
		_ = st.RevokeUserGrants(ctx, u.ID, now)
		_ = st.DeleteUserSessions(ctx, u.ID)
		fmt.Fprintf(c.stdout, "password changed for %s\n", u.ID)
	case "unblock":
		if err := st.ClearFailures(ctx, "pwd", u.Email, ""); err != nil {
			return c.fail("users unblock: %v", err)
		}
		_ = st.ClearFailures(ctx, "otp", u.ID, "")
		fmt.Fprintf(c.stdout, "unblocked %s\n", u.ID)
	default:
		return c.fail("users: unknown subcommand %q", sub)
	}
	return 0
}

// auth0User renders a user as Auth0's user JSON.
func auth0User(u *store.User, totp *store.TOTPFactor) map[string]any {
	mf := []string{}
	if totp != nil && totp.Confirmed {
		mf = append(mf, "google-authenticator")
	}
	ts := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	um, am := u.UserMetadata, u.AppMetadata
	if um == nil {
		um = map[string]any{}
	}
	if am == nil {
		am = map[string]any{}
	}
	roles := u.Roles
	if roles == nil {
		roles = []string{}
	}
	return map[string]any{
		"user_id": u.ID, "email": u.Email, "email_verified": u.EmailVerified, "name": u.Name,
		"nickname": u.Nickname, "user_metadata": um, "app_metadata": am, "logins_count": u.LoginsCount,
		"last_login": ts(u.LastLogin), "last_ip": u.LastIP, "created_at": ts(u.CreatedAt), "updated_at": ts(u.UpdatedAt),
		"identities": []any{map[string]any{"connection": u.Connection, "provider": "auth0", "isSocial": false,
			"user_id": strings.TrimPrefix(u.ID, "auth0|")}},
		"multifactor": mf, "roles": roles,
	}
}

func (c *cli) printJSON(v any) int {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return c.fail("%v", err)
	}
	return 0
}

func (c *cli) keysCmd(args []string) int {
	if len(args) == 0 || (args[0] != "list" && args[0] != "rotate") {
		return c.fail("keys: usage: keys list | keys rotate")
	}
	sub := args[0]
	fs := flag.NewFlagSet("keys", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "config file")
	if _, err := parse(fs, args[1:]); err != nil {
		return c.fail("keys %s: %v", sub, err)
	}
	st, cfg, err := c.openStore(*cfgPath)
	if err != nil {
		return c.fail("%v", err)
	}
	defer st.Close()
	ctx := context.Background()
	if sub == "rotate" {
		sealer, err := sealerFor(cfg)
		if err != nil {
			return c.fail("%v", err)
		}
		retain := server.KeyRetain(cfg)
		k, err := oidc.NewKeys(st, cfg.Signing.Algorithm, sealer, retain, nil).Rotate(ctx)
		if err != nil {
			return c.fail("keys rotate: %v", err)
		}
		if !k.ActivateAt.After(k.CreatedAt) {
			fmt.Fprintf(c.stdout, "new key %s (%s) is active now\n", k.ID, k.Algorithm)
			return 0
		}
		// The new key is published now; every replica loads it within
		// oidc.KeyRefresh, before it starts signing.
		fmt.Fprintf(c.stdout, "new key %s (%s) is published now and starts signing at %s (in %s);\n"+
			"every running replica loads it within %s, so none signs with a key the others do not publish.\n"+
			"The previous key keeps signing until then and stays published until %s.\n",
			k.ID, k.Algorithm, k.ActivateAt.Format(time.RFC3339), k.ActivateAt.Sub(k.CreatedAt).Round(time.Second),
			oidc.KeyRefresh, k.ActivateAt.Add(retain).Format(time.RFC3339))
		return 0
	}
	keys, err := st.ListSigningKeys(ctx)
	if err != nil {
		return c.fail("keys list: %v", err)
	}
	slices.SortFunc(keys, func(a, b *store.SigningKey) int { return a.CreatedAt.Compare(b.CreatedAt) })
	now := time.Now()
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KID\tALG\tSTATE\tCREATED\tREMOVE AT")
	for _, k := range keys {
		state, remove := "active", "-"
		switch {
		case !k.RemoveAt.IsZero() && !k.RemoveAt.After(now):
			state = "expired"
		case k.ActivateAt.After(now):
			state = "next (published, signs from " + k.ActivateAt.Format(time.RFC3339) + ")"
		case !k.RetireAt.IsZero() && !k.RetireAt.After(now):
			state = "retired (published)"
		case !k.RetireAt.IsZero():
			state = "active (until " + k.RetireAt.Format(time.RFC3339) + ")"
		}
		if !k.RemoveAt.IsZero() {
			remove = k.RemoveAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.ID, k.Algorithm, state, k.CreatedAt.Format(time.RFC3339), remove)
	}
	tw.Flush()
	return 0
}

func (c *cli) migrate(args []string) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "config file")
	if _, err := parse(fs, args); err != nil {
		return c.fail("migrate: %v", err)
	}
	st, cfg, err := c.openStore(*cfgPath)
	if err != nil {
		return c.fail("%v", err)
	}
	defer st.Close()
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		return c.fail("migrate: %v", err)
	}
	fmt.Fprintln(c.stdout, "migrations applied")
	// The first signing key is made here, by one process, rather than by
	// several replicas starting at once on an empty store.
	before, err := st.ListSigningKeys(ctx)
	if err != nil {
		return c.fail("migrate: %v", err)
	}
	sealer, err := sealerFor(cfg)
	if err != nil {
		return c.fail("%v", err)
	}
	keys := oidc.NewKeys(st, cfg.Signing.Algorithm, sealer, server.KeyRetain(cfg), nil)
	if err := keys.Load(ctx); err != nil {
		return c.fail("migrate: signing keys: %v", err)
	}
	if after, err := st.ListSigningKeys(ctx); err == nil && len(after) > len(before) {
		fmt.Fprintf(c.stdout, "signing key %s (%s) created\n", keys.ActiveKeyID(), cfg.Signing.Algorithm)
	}
	return 0
}
