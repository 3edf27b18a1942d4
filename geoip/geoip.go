package geoip

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/oschwald/geoip2-golang/v2"
)

// DB is an open City database. It is safe for concurrent use.
type DB struct {
	r *geoip2.Reader
}

// Open opens the City database at path. It refuses databases of other
// kinds (ASN, ISP, ...) now rather than failing every lookup later.
func Open(path string) (*DB, error) {
	r, err := geoip2.Open(path)
	if err != nil {
		return nil, fmt.Errorf("geoip: open %s: %w", path, err)
	}
	// City on a non-City database fails before looking anything up.
	var invalid geoip2.InvalidMethodError
	if _, err := r.City(netip.IPv4Unspecified()); errors.As(err, &invalid) {
		r.Close()
		return nil, fmt.Errorf("geoip: %s is a %s database, want a City database", path, r.Metadata().DatabaseType)
	}
	return &DB{r: r}, nil
}

// Close releases the database. Closing a nil DB does nothing.
func (db *DB) Close() error {
	if db == nil || db.r == nil {
		return nil
	}
	return db.r.Close()
}

// Lookup returns event.request.geoip for ip (an address, optionally with
// a port): cityName, continentCode, countryCode, countryCode3,
// countryName, latitude, longitude, subdivisionCode, subdivisionName and
// timeZone, each present only when the database knows it. Unknown,
// private and unparsable addresses, and a nil DB, give an empty map,
// never nil, so actions can read event.request.geoip.countryCode safely.
func (db *DB) Lookup(ip string) map[string]any {
	out := map[string]any{}
	if db == nil || db.r == nil {
		return out
	}
	addr, ok := parseIP(ip)
	if !ok {
		return out
	}
	city, err := db.r.City(addr)
	if err != nil || !city.HasData() {
		return out
	}
	set := func(k, v string) {
		if v != "" {
			out[k] = v
		}
	}
	set("cityName", city.City.Names.English)
	set("continentCode", city.Continent.Code)
	set("countryCode", city.Country.ISOCode)
	set("countryCode3", alpha3(city.Country.ISOCode))
	set("countryName", city.Country.Names.English)
	if city.Location.HasCoordinates() {
		out["latitude"] = *city.Location.Latitude
		out["longitude"] = *city.Location.Longitude
	}
	// Subdivisions run from largest to smallest; Auth0 reports the
	// largest (a US state, an English country).
	if len(city.Subdivisions) > 0 {
		set("subdivisionCode", city.Subdivisions[0].ISOCode)
		set("subdivisionName", city.Subdivisions[0].Names.English)
	}
	set("timeZone", city.Location.TimeZone)
	return out
}

// parseIP accepts "1.2.3.4", "::1", "[::1]:443" and "1.2.3.4:443", the
// forms a request's remote address or a forwarded header may take.
func parseIP(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}
