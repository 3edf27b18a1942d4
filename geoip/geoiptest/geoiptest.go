package geoiptest

import (
	"net"
	"os"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// Entry is what the database says about one network. Empty fields are left
// out of the record, as in real databases.
type Entry struct {
	CIDR            string // e.g. "1.2.3.0/24", "2001:db8::/32", "127.0.0.0/8"
	ContinentCode   string // "NA"
	ContinentName   string // "North America"
	CountryCode     string // ISO alpha-2, "US"
	CountryName     string // "United States"
	SubdivisionCode string // "WA"
	SubdivisionName string // "Washington"
	City            string // "Seattle"
	// Latitude and Longitude are written when either is non-zero.
	Latitude, Longitude float64
	TimeZone            string // "America/Los_Angeles"
}

// Write creates a GeoIP2-City database at path holding entries, failing
// the test on any error. Reserved networks (loopback, private ranges) may
// be listed too, so a test server on 127.0.0.1 can have a location.
func Write(t testing.TB, path string, entries ...Entry) {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            "GeoIP2-City",
		Description:             map[string]string{"en": "authd geoiptest database"},
		Languages:               []string{"en"},
		RecordSize:              24,
		IncludeReservedNetworks: true,
	})
	if err != nil {
		t.Fatalf("geoiptest: %v", err)
	}
	for _, e := range entries {
		_, network, err := net.ParseCIDR(e.CIDR)
		if err != nil {
			t.Fatalf("geoiptest: entry %q: %v", e.CIDR, err)
		}
		if err := tree.Insert(network, e.record()); err != nil {
			t.Fatalf("geoiptest: insert %s: %v", e.CIDR, err)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatalf("geoiptest: %v", err)
	}
	if _, err := tree.WriteTo(f); err != nil {
		f.Close()
		t.Fatalf("geoiptest: write %s: %v", path, err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("geoiptest: close %s: %v", path, err)
	}
}

// record builds the entry in GeoIP2-City's layout.
func (e Entry) record() mmdbtype.Map {
	rec := mmdbtype.Map{}
	put := func(m mmdbtype.Map, key, v string) {
		if v != "" {
			m[mmdbtype.String(key)] = mmdbtype.String(v)
		}
	}
	names := func(en string) mmdbtype.Map { return mmdbtype.Map{"en": mmdbtype.String(en)} }
	group := func(key, codeKey, code, name string) {
		m := mmdbtype.Map{}
		put(m, codeKey, code)
		if name != "" {
			m["names"] = names(name)
		}
		if len(m) > 0 {
			rec[mmdbtype.String(key)] = m
		}
	}
	group("continent", "code", e.ContinentCode, e.ContinentName)
	group("country", "iso_code", e.CountryCode, e.CountryName)
	if e.City != "" {
		rec["city"] = mmdbtype.Map{"names": names(e.City)}
	}
	if e.SubdivisionCode != "" || e.SubdivisionName != "" {
		sub := mmdbtype.Map{}
		put(sub, "iso_code", e.SubdivisionCode)
		if e.SubdivisionName != "" {
			sub["names"] = names(e.SubdivisionName)
		}
		rec["subdivisions"] = mmdbtype.Slice{sub}
	}
	loc := mmdbtype.Map{}
	if e.Latitude != 0 || e.Longitude != 0 {
		loc["latitude"] = mmdbtype.Float64(e.Latitude)
		loc["longitude"] = mmdbtype.Float64(e.Longitude)
	}
	put(loc, "time_zone", e.TimeZone)
	if len(loc) > 0 {
		rec["location"] = loc
	}
	return rec
}
