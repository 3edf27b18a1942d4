// Package geoiptest writes small MaxMind City databases for tests, so any
// package can exercise event.request.geoip without a real GeoLite2 file:
//
//	db := filepath.Join(t.TempDir(), "city.mmdb")
//	geoiptest.Write(t, db, geoiptest.Entry{CIDR: "127.0.0.0/8", ContinentCode: "EU", CountryCode: "DE"})
//	// geoip: { database: db } in the config, or geoip.Open(db)
package geoiptest
