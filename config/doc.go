// Package config loads and validates authd's YAML configuration and builds
// the built-in dev-mode configuration.
//
// Load walks the yaml.Node tree rather than unmarshalling into tagged
// structs, so that every problem can be reported with its key path
// ("clients[1].redirect_uris[0]: ...") and every problem in a file is
// reported at once, as a *Errors. Loading happens in fixed steps:
//
//  1. decode: each scalar has ${NAME} expanded and is parsed into a Config
//     that already holds the static defaults; unknown keys are problems;
//  2. complete: defaults that depend on other values (passkey RP from the
//     issuer, client grant types from the app type, ...) and relative paths
//     resolved against the config file's folder;
//  3. Validate: rules on the finished struct (also run on Dev configs);
//  4. files: action sources read, TLS and GeoIP files checked.
//
// The package owns no server behaviour: it only says what the operator asked
// for, with everything checked that can be checked without a network.
package config
