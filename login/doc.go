// Package login is the interactive half of authd: the pages a person sees
// (/u/login, /u/signup, MFA, passkeys, /u/account, /continue) and the
// login pipeline that every authentication goes through before the OIDC
// layer may issue a code.
//
// The pipeline is a small state machine persisted in the auth request
// (store.AuthRequest.Pipeline), so any step can send the browser away and
// the login resumes later, on any replica, where it stopped:
//
//	authenticated → actions → (suspended: /continue | MFA challenge) → actions … → mfa → done
//
// The same action engine runs on every refresh_token grant through
// Refresh, which the oidc package calls.
package login
