package login

import (
	"maps"
	"slices"

	"github.com/authd/authd/actions"
)

// Result is what the pipeline decided for the tokens.
type Result struct {
	IDClaims     map[string]any
	AccessClaims map[string]any
	Scopes       []string // access-token scope after addScope/removeScope
}

// profileClaimScope names the scope an OIDC profile claim needs (spec
// §4.2): set by an action, such a claim is dropped unless that scope was
// requested.
var profileClaimScope = map[string]string{
	"email": "email", "email_verified": "email",
	"phone_number": "phone", "phone_number_verified": "phone",
	"address": "address",
	"name":    "profile", "family_name": "profile", "given_name": "profile", "middle_name": "profile",
	"nickname": "profile", "preferred_username": "profile", "profile": "profile", "picture": "profile",
	"website": "profile", "gender": "profile", "birthdate": "profile", "zoneinfo": "profile",
	"locale": "profile", "updated_at": "profile",
}

func tokenResult(scopes []string, audience string, c *actions.Commands) Result {
	res := Result{Scopes: slices.Clone(scopes)}
	if c == nil {
		return res
	}
	res.IDClaims = filterProfileClaims(c.IDClaims, scopes)
	res.AccessClaims = filterProfileClaims(c.AccessClaims, scopes)
	for _, s := range c.ScopeOrder {
		add, ok := c.Scopes[s]
		if !ok {
			continue
		}
		has := slices.Contains(res.Scopes, s)
		switch {
		case add && !has:
			res.Scopes = append(res.Scopes, s)
		case !add && has:
			res.Scopes = slices.DeleteFunc(res.Scopes, func(v string) bool { return v == s })
		}
	}
	return res
}

func filterProfileClaims(claims map[string]any, scopes []string) map[string]any {
	if len(claims) == 0 {
		return nil
	}
	out := maps.Clone(claims)
	for k := range out {
		if need, ok := profileClaimScope[k]; ok && !slices.Contains(scopes, need) {
			delete(out, k)
		}
	}
	return out
}
