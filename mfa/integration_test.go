package mfa

import (
	"crypto/rand"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/store"
)

// TestTOTPConcurrentReplayLosesInStore is checklist item 31 end to end:
// the same code submitted by several requests at once passes Verify in
// each (they all read the same LastStep), and the store's atomic
// UseTOTPStep lets exactly one of them through.
func TestTOTPConcurrentReplayLosesInStore(t *testing.T) {
	f := newFixture(t)
	sealer, err := NewSealer(key(3))
	if err != nil {
		t.Fatal(err)
	}
	v := &TOTP{Issuer: "authd", Now: func() time.Time { return f.now }}
	e, err := v.Enroll(f.alice.Email)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := sealer.Seal([]byte(e.Secret))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.SaveTOTP(f.ctx, &store.TOTPFactor{UserID: f.alice.ID, SecretEnc: sealed, Confirmed: true, CreatedAt: f.now}); err != nil {
		t.Fatal(err)
	}
	code, _ := GenerateCode(e.Secret, f.now)

	const n = 8
	var wg sync.WaitGroup
	results := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fac, err := f.st.GetTOTP(f.ctx, f.alice.ID)
			if err != nil {
				results <- err
				return
			}
			secret, err := sealer.Open(fac.SecretEnc)
			if err != nil {
				results <- err
				return
			}
			step, err := v.Verify(string(secret), code, fac.LastStep)
			if err != nil {
				results <- err
				return
			}
			results <- f.st.UseTOTPStep(f.ctx, f.alice.ID, step)
		}()
	}
	wg.Wait()
	close(results)
	wins := 0
	for err := range results {
		switch {
		case err == nil:
			wins++
		case errors.Is(err, store.ErrConsumed), errors.Is(err, ErrReplay):
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d requests accepted the same code, want 1", wins)
	}
	fac, _ := f.st.GetTOTP(f.ctx, f.alice.ID)
	if _, err := v.Verify(e.Secret, code, fac.LastStep); !errors.Is(err, ErrReplay) {
		t.Fatalf("after use: err = %v, want ErrReplay", err)
	}
}

// TestPasskeyConcurrentFinishOneWins is checklist item 37 under
// concurrency: the same assertion posted several times at once logs in
// once.
func TestPasskeyConcurrentFinishOneWins(t *testing.T) {
	f := newFixture(t)
	a := newSoftAuthn(t, testOrigin)
	f.register(a, f.alice)
	id, c := f.login(a)
	body := a.sign(t, c)
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := f.pk.FinishLogin(f.ctx, id, body)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	wins := 0
	for err := range errs {
		if err == nil {
			wins++
		} else if !errors.Is(err, ErrChallenge) {
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d logins with one challenge, want 1", wins)
	}
}

// TestRecoveryCodeSingleUseInStore: the hash is what the store matches,
// in any spelling of the code, once.
func TestRecoveryCodeSingleUseInStore(t *testing.T) {
	f := newFixture(t)
	code, err := NewRecoveryCode(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.SetRecoveryCodes(f.ctx, f.alice.ID, []string{HashRecoveryCode(code)}); err != nil {
		t.Fatal(err)
	}
	typed := " " + code[:4] + code[5:] + " " // a person dropping a dash
	if err := f.st.UseRecoveryCode(f.ctx, f.alice.ID, HashRecoveryCode(typed), f.now); err != nil {
		t.Fatalf("first use: %v", err)
	}
	if err := f.st.UseRecoveryCode(f.ctx, f.alice.ID, HashRecoveryCode(code), f.now); err == nil {
		t.Fatal("recovery code accepted twice")
	}
}
