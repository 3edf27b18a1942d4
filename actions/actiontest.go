package actions

import (
	"context"
	"time"
)

// TestOptions drive `authd actions test`.
type TestOptions struct {
	// Continue runs onContinuePostLogin instead of onExecutePostLogin.
	Continue bool
	// Now pins the clock; zero means the real time.
	Now  time.Time
	Flow Flow
	// Trigger options (timeout, fetch policy, ...).
	Options Options
}

// TestReport is the JSON printed by `authd actions test` (interface.md §2).
type TestReport struct {
	Action            string         `json:"action"`
	Handler           string         `json:"handler"`
	OK                bool           `json:"ok"`
	Error             *string        `json:"error"`
	Deny              *string        `json:"deny"`
	IDTokenClaims     map[string]any `json:"id_token_claims"`
	AccessTokenClaims map[string]any `json:"access_token_claims"`
	ScopesAdded       []string       `json:"scopes_added"`
	ScopesRemoved     []string       `json:"scopes_removed"`
	UserMetadata      map[string]any `json:"user_metadata"`
	AppMetadata       map[string]any `json:"app_metadata"`
	MFA               *MFA           `json:"mfa"`
	Redirect          *TestRedirect  `json:"redirect"`
	Console           []string       `json:"console"`
	DurationMS        float64        `json:"duration_ms"`
}

type TestRedirect struct {
	URL string `json:"url"`
}

// Test runs one action offline against event (completed with WithDefaults)
// through the same Trigger.Run the server uses.
func Test(ctx context.Context, a *Action, event map[string]any, opts TestOptions) TestReport {
	handler := HandlerExecute
	if opts.Continue {
		handler = HandlerContinue
	}
	start := time.Now()
	if pinned := opts.Now; !pinned.IsZero() && opts.Options.Now == nil {
		opts.Options.Now = func() time.Time { return pinned } // module code too
	}
	out := NewTrigger([]*Action{a}, opts.Options).Run(ctx, Input{
		Event: WithDefaults(event), Flow: opts.Flow, Resume: opts.Continue, Now: opts.Now,
	})
	rep := TestReport{
		Action: a.Name, Handler: handler, OK: out.Err == nil,
		IDTokenClaims: orEmpty(out.Commands.IDClaims), AccessTokenClaims: orEmpty(out.Commands.AccessClaims),
		ScopesAdded: []string{}, ScopesRemoved: []string{},
		UserMetadata: orEmpty(out.Commands.UserMetadata), AppMetadata: orEmpty(out.Commands.AppMetadata),
		MFA: out.Commands.MFA, Console: []string{},
		DurationMS: float64(time.Since(start).Microseconds()) / 1000,
	}
	for _, l := range out.Logs {
		rep.Console = append(rep.Console, l.Console...)
	}
	if opts.Continue && len(out.Logs) == 0 && out.Err == nil {
		msg := "Action \"" + a.Name + "\" does not export an onContinuePostLogin handler."
		rep.OK, rep.Error = false, &msg
	}
	if out.Err != nil {
		msg := out.Err.Error()
		rep.Error = &msg
	}
	if d := out.Commands.Deny; d != nil {
		rep.Deny = &d.Reason
	}
	for _, s := range out.Commands.ScopeOrder {
		if out.Commands.Scopes[s] {
			rep.ScopesAdded = append(rep.ScopesAdded, s)
		} else {
			rep.ScopesRemoved = append(rep.ScopesRemoved, s)
		}
	}
	if r := out.Commands.Redirect; r != nil {
		rep.Redirect = &TestRedirect{URL: r.URL}
	}
	return rep
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
