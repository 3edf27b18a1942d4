// Package geoip answers "where is this IP?" for post-login actions: it reads
// a MaxMind City database (GeoLite2-City, GeoIP2-City or compatible) and
// returns Auth0's event.request.geoip object.
//
// A nil *DB is valid and knows nothing, so callers need no "geoip enabled"
// branch when geoip.database is not configured. Package geoiptest writes
// small databases for tests.
package geoip
