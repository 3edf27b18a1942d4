package login

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/authd/authd/actions"
	"github.com/authd/authd/store"
)

// Steps of the login state machine. A transaction only moves forward;
// each handler checks the step it expects, so a browser that skips a page
// (say, straight to the callback with MFA pending) gets nothing.
const (
	stepAuthenticate = ""          // no user yet
	stepActions      = "actions"   // run actions from Next
	stepSuspended    = "suspended" // waiting at /continue
	stepMFA          = "mfa"       // waiting for a second factor
	stepDone         = "done"
)

// txState is the pipeline's persisted state (store.AuthRequest.Pipeline).
type txState struct {
	Step   string `json:"step"`
	Next   int    `json:"next"`
	Resume bool   `json:"resume,omitempty"`
	// Paused: the pipeline was suspended at least once (redirect or
	// challengeWith); from then on event.request describes the request
	// that resumed it, not /authorize (spec §3.1).
	Paused   bool              `json:"paused,omitempty"`
	Commands *actions.Commands `json:"commands,omitempty"`
	// Methods completed in this transaction (pwd, passkey, mfa, ...).
	Methods []store.AuthMethod `json:"methods,omitempty"`
	// MFA is the pending second-factor requirement (from
	// multifactor.enable or challengeWith/enrollWith).
	MFA *mfaRequirement `json:"mfa,omitempty"`
	// Remember: the user ticked "remember this browser" (allowed by the
	// action's allowRememberBrowser).
	Remember bool `json:"remember,omitempty"`
	// Silent: prompt=none; nothing may be shown to the person.
	Silent bool `json:"silent,omitempty"`
	// Passkey: the first factor was a passkey.
	Passkey bool `json:"passkey,omitempty"`
	// OfferPasskey: after the login, offer to create a passkey.
	OfferPasskey bool `json:"offer_passkey,omitempty"`
	// MFAFailures counts wrong codes in this transaction.
	MFAFailures int `json:"mfa_failures,omitempty"`
}

type mfaRequirement struct {
	Provider             string   `json:"provider"`
	AllowRememberBrowser bool     `json:"allow_remember_browser"`
	Factors              []string `json:"factors,omitempty"` // challengeWith*: the allowed factor types
	Enroll               bool     `json:"enroll,omitempty"`
	// ResumeActions: after the factor, continue the actions (challengeWith
	// pauses mid-pipeline) rather than finish.
	ResumeActions bool `json:"resume_actions,omitempty"`
	// EnrollPasskey: enrollWith* whose first factor authd can enroll is a
	// passkey (webauthn-*): only a passkey completes it.
	EnrollPasskey bool `json:"enroll_passkey,omitempty"`
}

// enrollsPasskey tells whether an enrollWith*'s factor list (in the
// action's order) asks first for a passkey rather than an authenticator
// app; factors authd cannot enroll (push, phone, ...) are skipped.
func enrollsPasskey(factors []string) bool {
	for _, f := range factors {
		switch f {
		case "otp":
			return false
		case "webauthn-platform", "webauthn-roaming":
			return true
		}
	}
	return false
}

func readState(ar *store.AuthRequest) (*txState, error) {
	st := &txState{}
	if len(ar.Pipeline) == 0 {
		return st, nil
	}
	if err := json.Unmarshal(ar.Pipeline, st); err != nil {
		return nil, fmt.Errorf("auth request %s: pipeline state: %w", ar.ID, err)
	}
	return st, nil
}

func writeState(ar *store.AuthRequest, st *txState) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	ar.Pipeline = b
	return nil
}

// authenticated is called by every first-factor step (password, signup,
// passkey, SSO session) with the user and the method used. It binds the
// transaction to the user and starts the after-authentication pipeline.
func (h *Handler) authenticated(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest, u *store.User, sess *store.Session, method string) {
	ctx := r.Context()
	now := h.Now().UTC()
	st, err := readState(ar)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if method != "" {
		// A fresh first factor: count the login before the actions run, so
		// event.stats.logins_count is 1 on the very first login.
		if u, err = h.Store.RecordLogin(ctx, u.ID, now, ClientIP(r, h.Config.TrustedProxies)); err != nil {
			h.serverError(w, r, err)
			return
		}
		st.Methods = append(st.Methods, store.AuthMethod{Name: method, Timestamp: now})
		st.Passkey = method == "passkey"
		// login.offer_passkey: a password login of someone without a
		// passkey ends with the offer to create one.
		st.OfferPasskey = method == "pwd" && h.Config.Login.OfferPasskey && !h.hasPasskeys(r, u.ID)
		ar.AuthTime = now
	} else {
		ar.AuthTime = sess.AuthenticatedAt
	}
	ar.UserID = u.ID
	ar.SessionID = sess.ID
	st.Step = stepActions
	st.Next = 0
	st.Silent = hasPrompt(ar, "none")
	h.advance(w, r, ar, st)
}

// advance runs the pipeline from where the transaction stands until it
// suspends, fails or finishes.
func (h *Handler) advance(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest, st *txState) {
	ctx := r.Context()
	// Loaded after whatever factor this request enrolled: the event's
	// factor summary (mfaEnrolled) comes with the user.
	u, err := h.Store.GetUser(ctx, ar.UserID)
	if err != nil {
		h.serverError(w, r, fmt.Errorf("load user: %w", err))
		return
	}
	sess, err := h.Store.GetSession(ctx, ar.SessionID)
	if err != nil {
		h.serverError(w, r, fmt.Errorf("load session: %w", err))
		return
	}
	if pendingSession(sess) {
		// The session this login opened (see newSession): the actions see
		// when its first factor was used; finish stores it.
		sess.AuthenticatedAt = ar.AuthTime
	}

	if st.Step == stepActions {
		flow := actions.FlowLogin
		if st.Silent {
			flow = actions.FlowSilent
		}
		trig := h.Trigger()
		out := trig.Run(ctx, actions.Input{
			Event:  h.loginEvent(r, ar, st, u, sess),
			Flow:   flow,
			Start:  st.Next,
			Resume: st.Resume,
			Prior:  st.Commands,
			Now:    h.Now(),
		})
		h.logActions(ctx, out)
		if out.Err != nil {
			// An uncaught error discards every pending side effect.
			h.finishWithError(w, r, ar, st, "access_denied", out.Err.Error(), nil)
			return
		}
		cmds := out.Commands
		st.Commands = &cmds
		st.Next = out.Next
		st.Resume = false
		if cmds.Deny != nil {
			// Metadata written before a deny is still persisted (spec §4.1).
			h.finishWithError(w, r, ar, st, "access_denied", cmds.Deny.Reason, &cmds)
			return
		}
		if out.Suspended {
			h.suspend(w, r, ar, st)
			return
		}
		st.Step = stepMFA
		if m := cmds.MFA; m != nil && m.Provider != "none" {
			st.MFA = &mfaRequirement{Provider: m.Provider, AllowRememberBrowser: m.AllowRememberBrowser}
		} else {
			st.MFA = nil
		}
	}

	if st.Step == stepMFA {
		if st.MFA != nil && !h.mfaSatisfied(r, st, u) {
			if st.Silent {
				h.finishWithError(w, r, ar, st, "interaction_required", "Multifactor authentication required", st.Commands)
				return
			}
			h.startMFA(w, r, ar, st, u)
			return
		}
		if st.MFA != nil && st.MFA.ResumeActions {
			// challengeWith paused the actions; go on with the next one.
			st.MFA = nil
			st.Step = stepActions
			st.Resume = false
			h.advance(w, r, ar, st)
			return
		}
		st.Step = stepDone
	}
	h.finish(w, r, ar, st, u, sess)
}

// suspend handles a redirect or a challengeWith from an action.
func (h *Handler) suspend(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest, st *txState) {
	cmds := st.Commands
	if cmds.Challenge != nil {
		ch := cmds.Challenge
		cmds.Challenge = nil
		if st.Silent {
			h.finishWithError(w, r, ar, st, "interaction_required", "Multifactor authentication required", cmds)
			return
		}
		st.Step = stepMFA
		st.Paused = true
		st.MFA = &mfaRequirement{Provider: "any", Factors: ch.Factors, Enroll: ch.Enroll, ResumeActions: true,
			EnrollPasskey: ch.Enroll && h.Passkeys != nil && enrollsPasskey(ch.Factors)}
		u, err := h.Store.GetUser(r.Context(), ar.UserID)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		h.startMFA(w, r, ar, st, u)
		return
	}
	if cmds.Redirect != nil {
		if st.Silent {
			h.finishWithError(w, r, ar, st, "interaction_required", "Interaction required", cmds)
			return
		}
		h.sendAway(w, r, ar, st)
		return
	}
	h.serverError(w, r, fmt.Errorf("suspended without redirect or challenge"))
}

// finish applies the accumulated commands, marks the request done and
// hands it back to the OIDC layer.
func (h *Handler) finish(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest, st *txState, u *store.User, sess *store.Session) {
	ctx := r.Context()
	now := h.Now().UTC()
	cmds := st.Commands
	if cmds == nil {
		cmds = &actions.Commands{}
	}
	if err := h.writeMetadata(ctx, u.ID, cmds, now); err != nil {
		h.serverError(w, r, err)
		return
	}
	// The session remembers what happened in it (event.authentication on
	// later logins) and which clients it served. A session this login
	// opened counts for SSO from now on (it was pending until here).
	if pendingSession(sess) {
		sess.AuthenticatedAt = ar.AuthTime
	}
	sess.Methods = append(sess.Methods, st.Methods...)
	sess.Methods = append(sess.Methods, methodsFromCommands(cmds)...)
	if !slices.Contains(sess.Clients, ar.ClientID) {
		sess.Clients = append(sess.Clients, ar.ClientID)
	}
	sess.UpdatedAt = now
	sess.LastIP = ClientIP(r, h.Config.TrustedProxies)
	sess.LastUA = r.UserAgent()
	if err := h.Store.UpdateSession(ctx, sess); err != nil {
		h.serverError(w, r, err)
		return
	}
	res := tokenResult(ar.Scopes, ar.Audience, cmds)
	ar.IDClaims = res.IDClaims
	ar.AccessClaims = res.AccessClaims
	ar.GrantedScopes = res.Scopes
	ar.AMR = amrOf(st.Methods)
	ar.Done = true
	st.Step = stepDone
	if err := writeState(ar, st); err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := h.Store.UpdateAuthRequest(ctx, ar); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.Observe("success")
	if h.offerPasskey(r, st, u.ID) {
		http.Redirect(w, r, "/u/passkey-offer?state="+url.QueryEscape(ar.ID), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, h.CallbackURL(ar.ID), http.StatusSeeOther)
}

// finishWithError ends the login with an OAuth error for the client. cmds,
// when not nil, still has its metadata written (a deny keeps side effects).
func (h *Handler) finishWithError(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest, st *txState, code, desc string, cmds *actions.Commands) {
	ctx := r.Context()
	if cmds != nil && ar.UserID != "" {
		if err := h.writeMetadata(ctx, ar.UserID, cmds, h.Now().UTC()); err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	ar.ErrorCode = code
	ar.ErrorDescription = desc
	ar.Done = false
	st.Step = stepDone
	if err := writeState(ar, st); err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := h.Store.UpdateAuthRequest(ctx, ar); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.Observe(code)
	http.Redirect(w, r, h.CallbackURL(ar.ID), http.StatusSeeOther)
}

func (h *Handler) writeMetadata(ctx context.Context, userID string, cmds *actions.Commands, now time.Time) error {
	if len(cmds.UserMetadata) == 0 && len(cmds.AppMetadata) == 0 {
		return nil
	}
	// One write for the whole pipeline (spec §4.8).
	_, err := h.Store.UpdateMetadata(ctx, userID, cmds.UserMetadata, cmds.AppMetadata, now)
	if err != nil {
		return fmt.Errorf("write metadata: %w", err)
	}
	return nil
}

func methodsFromCommands(c *actions.Commands) []store.AuthMethod {
	var out []store.AuthMethod
	for _, m := range c.Methods {
		out = append(out, store.AuthMethod{Name: m.Name, Timestamp: m.Timestamp})
	}
	return out
}

// amrOf maps the methods of this login to the ID token's amr (RFC 8176).
func amrOf(methods []store.AuthMethod) []string {
	var amr []string
	add := func(v string) {
		if !slices.Contains(amr, v) {
			amr = append(amr, v)
		}
	}
	for _, m := range methods {
		switch m.Name {
		case "pwd":
			add("pwd")
		case "passkey":
			add("hwk")
			add("user")
		case "mfa":
			add("mfa")
			switch m.Type {
			case "otp":
				add("otp")
			case "webauthn-platform", "webauthn-roaming", "passkey":
				add("hwk")
			case "recovery-code":
				add("kba")
			}
		}
	}
	return amr
}

func (h *Handler) logActions(ctx context.Context, out *actions.Outcome) {
	if len(out.Logs) > 0 && out.Logs[0].Cached {
		// Nothing ran: the outcome of an identical refresh was reused
		// (actions/memo.go), whose execution logged its console.
		names := make([]string, len(out.Logs))
		for i, l := range out.Logs {
			names[i] = l.Action
		}
		h.Logger.LogAttrs(ctx, slog.LevelInfo, "actions reused", slog.String("actions", strings.Join(names, ",")))
		return
	}
	for _, l := range out.Logs {
		h.Logger.LogAttrs(ctx, slog.LevelInfo, "action", slog.String("action", l.Action), slog.String("handler", l.Handler),
			slog.Float64("duration_ms", float64(l.Duration.Microseconds())/1000), slog.String("outcome", l.Outcome),
			slog.String("error", l.Error), slog.Any("console", l.Console))
	}
}

// kdfLimiter bounds concurrent password hashing to the number of cores so
// a burst of logins queues instead of exhausting memory (argon2id uses
// 19 MiB each).
type kdfLimiter struct{ slots chan struct{} }

func newKDFLimiter() *kdfLimiter {
	return &kdfLimiter{slots: make(chan struct{}, runtime.GOMAXPROCS(0))}
}

func (l *kdfLimiter) do(ctx context.Context, f func()) error {
	select {
	case l.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-l.slots }()
	f()
	return nil
}
