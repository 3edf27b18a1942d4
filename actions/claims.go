package actions

import (
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"

	"github.com/dop251/goja"
)

// restrictedClaims are silently dropped on both tokens (spec §4.2).
var restrictedClaims = setOf(strings.Fields(`acr act active amr at_hash ath attest aud auth_time
	authorization_details azp c_hash client_id cnf cty dest entitlements events exp groups gty htm htu
	iat internalService iss jcard jku jti jwe jwk kid may_act mky nbf nonce object_id org_id org_name
	orig origid permissions roles rph s_hash sid sip_callid sip_cseq_num sip_date sip_from_tag
	sip_via_branch sub sub_jwk toe txn typ uuid vot vtm x5t#S256`)...)

// profileClaimScope maps OIDC profile claims to the scope that must have been
// requested for them to be kept (spec §4.2, OIDC Core §5.4).
var profileClaimScope = map[string]string{
	"email": "email", "email_verified": "email",
	"phone_number": "phone", "phone_number_verified": "phone",
	"address": "address",
}

var profileScopeClaims = setOf(strings.Fields(`birthdate family_name gender given_name locale middle_name
	name nickname picture preferred_username profile updated_at website zoneinfo`)...)

// auth0Domains: namespaced claims on these hosts are dropped (spec §4.2).
var auth0Domains = []string{"auth0.com", "webtask.io", "webtask.run"}

func setOf(items ...string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, it := range items {
		m[it] = true
	}
	return m
}

// setClaim implements idToken/accessToken.setCustomClaim.
func (ar *actionRun) setClaim(target *map[string]any, access bool, c goja.FunctionCall) {
	key := c.Argument(0).String()
	if key == "scope" {
		ar.throw(`The "scope" claim cannot be set.`)
	}
	val, ok := ar.jsonValue(c.Argument(1))
	if !ar.claimAllowed(key, access) {
		return
	}
	if !ok { // undefined omits the claim (authd choice, spec §4.2)
		delete(*target, key)
		return
	}
	if *target == nil {
		*target = map[string]any{}
	}
	(*target)[key] = val
	if access {
		ar.ex.claimsSet[1] = true
	} else {
		ar.ex.claimsSet[0] = true
	}
}

// claimAllowed reports whether a custom claim survives spec §4.2's rules.
func (ar *actionRun) claimAllowed(key string, access bool) bool {
	lower := strings.ToLower(key)
	switch {
	case strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://"):
		u, err := url.Parse(key)
		if err != nil {
			return false
		}
		return !ar.reservedHost(strings.ToLower(u.Hostname()))
	case strings.HasPrefix(lower, "urn:"):
		return !strings.HasPrefix(lower, "urn:auth0")
	case restrictedClaims[key]:
		return false
	}
	if access && slices.Contains(ar.ex.t.opts.ManagementAudiences, ar.ex.event.lookupString("resource_server", "identifier")) {
		return false
	}
	scope, profile := profileClaimScope[key]
	if !profile && profileScopeClaims[key] {
		scope, profile = "profile", true
	}
	if profile {
		requested, known := ar.requestedScopes()
		return !known || requested[scope]
	}
	return true
}

func (ar *actionRun) reservedHost(host string) bool {
	if issuer := strings.ToLower(ar.ex.t.opts.IssuerHost); issuer != "" && host == issuer {
		return true
	}
	for _, d := range auth0Domains {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// requestedScopes reads event.transaction.requested_scopes. When the event does
// not carry it, profile claims are kept and the server's mint-time filter has
// the last word.
func (ar *actionRun) requestedScopes() (map[string]bool, bool) {
	list, ok := ar.ex.event.lookup("transaction", "requested_scopes").([]any)
	if !ok {
		return nil, false
	}
	m := make(map[string]bool, len(list))
	for _, s := range list {
		if str, ok := s.(string); ok {
			m[str] = true
		}
	}
	return m, true
}

// MaxClaimsBytes caps the custom claims of one token: names plus JSON values
// (spec §4.2, §9: 100 KB per token).
const MaxClaimsBytes = 100 * 1024

func claimsSize(claims map[string]any) int {
	n := 0
	for k, v := range claims {
		b, _ := json.Marshal(v)
		n += len(k) + len(b)
	}
	return n
}

// checkClaimSizes fails the transaction when a token's custom claims are too
// large; checked after every action that set one, so a later action cannot
// run on top.
func (ex *execution) checkClaimSizes() error {
	id, access := ex.claimsSet[0], ex.claimsSet[1]
	ex.claimsSet = [2]bool{}
	if id && claimsSize(ex.cmds.IDClaims) > MaxClaimsBytes {
		return errors.New("The custom claims of the ID token exceed the maximum size of 100 KB.")
	}
	if access && claimsSize(ex.cmds.AccessClaims) > MaxClaimsBytes {
		return errors.New("The custom claims of the access token exceed the maximum size of 100 KB.")
	}
	return nil
}
