// Package oidc is authd's protocol layer: zitadel/oidc's op package serves
// the endpoints under Auth0's paths, and this package adapts it to authd's
// store, clients and login pipeline.
//
// The adapter stays thin where the library is right (request parsing,
// client authentication, redirect-URI checks, discovery, logout) and takes
// over where Auth0 parity or security needs it: /authorize (audience,
// PKCE S256 only), the callback (codes, form_post, errors), the token
// endpoint (separate ID/access token audiences, actions on refresh,
// rotation with reuse detection, client credentials with audience),
// /userinfo (grant revocation) and JWKS caching. Tokens are signed here
// with go-jose, with keys from Keys.
package oidc
