package mfa

import (
	"strings"
	"testing"
	"time"
)

var rememberNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func TestRememberTokenValid(t *testing.T) {
	k := key(9)
	tok := RememberToken(k, "auth0|u1", rememberNow.Add(time.Hour))
	if !VerifyRemember(k, tok, "auth0|u1", rememberNow) {
		t.Fatal("fresh token rejected")
	}
}

func TestRememberTokenOtherUser(t *testing.T) {
	k := key(9)
	tok := RememberToken(k, "auth0|u1", rememberNow.Add(time.Hour))
	for _, other := range []string{"auth0|u2", "auth0|u", "auth0|u1 ", ""} {
		if VerifyRemember(k, tok, other, rememberNow) {
			t.Errorf("token for auth0|u1 accepted for %q", other)
		}
	}
}

func TestRememberTokenExpired(t *testing.T) {
	k := key(9)
	exp := rememberNow.Add(time.Hour)
	tok := RememberToken(k, "auth0|u1", exp)
	if VerifyRemember(k, tok, "auth0|u1", exp) {
		t.Error("token accepted at its expiry instant")
	}
	if VerifyRemember(k, tok, "auth0|u1", exp.Add(time.Second)) {
		t.Error("expired token accepted")
	}
}

func TestRememberTokenForged(t *testing.T) {
	k := key(9)
	tok := RememberToken(k, "auth0|u1", rememberNow.Add(time.Hour))
	exp, mac, _ := strings.Cut(tok, ".")
	later := RememberToken(k, "auth0|u1", rememberNow.Add(48*time.Hour))
	laterExp, _, _ := strings.Cut(later, ".")
	tests := []struct {
		name string
		key  []byte
		tok  string
	}{
		{"other key", key(8), tok},
		{"extended expiry", k, laterExp + "." + mac},
		{"flipped mac", k, exp + "." + flip(mac)},
		{"no mac", k, exp + "."},
		{"no dot", k, exp + mac},
		{"empty", k, ""},
		{"non canonical expiry", k, "+" + exp + "." + mac},
		{"garbage", k, "x.y"},
		{"empty key", nil, RememberToken(nil, "auth0|u1", rememberNow.Add(time.Hour))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if VerifyRemember(tt.key, tt.tok, "auth0|u1", rememberNow) {
				t.Fatalf("forged token %q accepted", tt.tok)
			}
		})
	}
}

func flip(s string) string {
	b := []byte(s)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}
