package geoip_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/maxmind/mmdbwriter"

	"github.com/authd/authd/geoip"
	"github.com/authd/authd/geoip/geoiptest"
)

func openTestDB(t *testing.T) *geoip.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "city.mmdb")
	geoiptest.Write(t, path,
		geoiptest.Entry{
			CIDR: "1.2.3.0/24", ContinentCode: "NA", ContinentName: "North America",
			CountryCode: "US", CountryName: "United States",
			SubdivisionCode: "WA", SubdivisionName: "Washington", City: "Seattle",
			Latitude: 47.6062, Longitude: -122.3321, TimeZone: "America/Los_Angeles",
		},
		geoiptest.Entry{CIDR: "5.6.7.0/24", ContinentCode: "EU", CountryCode: "DE", CountryName: "Germany"},
		geoiptest.Entry{CIDR: "2001:db8::/32", ContinentCode: "OC", CountryCode: "NZ"},
		geoiptest.Entry{CIDR: "9.9.9.0/24", ContinentCode: "AF", CountryCode: "ZZ"}, // no alpha-3 known
		geoiptest.Entry{CIDR: "127.0.0.0/8", CountryCode: "FR"},
	)
	db, err := geoip.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestLookup(t *testing.T) {
	db := openTestDB(t)
	tests := []struct {
		ip   string
		want map[string]any
	}{
		{"1.2.3.4", map[string]any{
			"cityName": "Seattle", "continentCode": "NA", "countryCode": "US", "countryCode3": "USA",
			"countryName": "United States", "latitude": 47.6062, "longitude": -122.3321,
			"subdivisionCode": "WA", "subdivisionName": "Washington", "timeZone": "America/Los_Angeles",
		}},
		{"5.6.7.8", map[string]any{"continentCode": "EU", "countryCode": "DE", "countryCode3": "DEU", "countryName": "Germany"}},
		{"1.2.3.4:443", map[string]any{
			"cityName": "Seattle", "continentCode": "NA", "countryCode": "US", "countryCode3": "USA",
			"countryName": "United States", "latitude": 47.6062, "longitude": -122.3321,
			"subdivisionCode": "WA", "subdivisionName": "Washington", "timeZone": "America/Los_Angeles",
		}},
		{"::ffff:5.6.7.8", map[string]any{"continentCode": "EU", "countryCode": "DE", "countryCode3": "DEU", "countryName": "Germany"}},
		{"[2001:db8::1]:8080", map[string]any{"continentCode": "OC", "countryCode": "NZ", "countryCode3": "NZL"}},
		{"9.9.9.9", map[string]any{"continentCode": "AF", "countryCode": "ZZ"}},
		{"127.0.0.1", map[string]any{"countryCode": "FR", "countryCode3": "FRA"}}, // test DBs may map loopback
		{"8.8.8.8", map[string]any{}},  // not in the database
		{"10.0.0.1", map[string]any{}}, // private
		{"not an ip", map[string]any{}},
		{"", map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			got := db.Lookup(tt.ip)
			if got == nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Lookup(%q) = %#v, want %#v", tt.ip, got, tt.want)
			}
		})
	}
}

func TestNilDB(t *testing.T) {
	var db *geoip.DB
	if got := db.Lookup("1.2.3.4"); got == nil || len(got) != 0 {
		t.Errorf("nil DB Lookup = %#v, want an empty non-nil map", got)
	}
	if err := db.Close(); err != nil {
		t.Errorf("nil DB Close = %v", err)
	}
}

// TestMaxMindTestDatabase reads MaxMind's published test database, to prove
// the field mapping against a real file layout rather than our writer's.
func TestMaxMindTestDatabase(t *testing.T) {
	db, err := geoip.Open(filepath.Join("testdata", "GeoIP2-City-Test.mmdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := db.Lookup("81.2.69.142")
	want := map[string]any{"cityName": "London", "continentCode": "EU", "countryCode": "GB",
		"countryCode3": "GBR", "countryName": "United Kingdom", "subdivisionCode": "ENG",
		"subdivisionName": "England", "timeZone": "Europe/London"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("Lookup(81.2.69.142)[%q] = %#v, want %#v (all: %v)", k, got[k], v, got)
		}
	}
	for _, k := range []string{"latitude", "longitude"} {
		if _, ok := got[k].(float64); !ok {
			t.Errorf("Lookup(81.2.69.142)[%q] = %#v, want a float64", k, got[k])
		}
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.mmdb")
	if err := os.WriteFile(garbage, []byte("not a database"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "missing.mmdb"), garbage} {
		if db, err := geoip.Open(path); err == nil {
			db.Close()
			t.Errorf("Open(%s) succeeded, want an error", path)
		}
	}
}

func TestConcurrentLookups(t *testing.T) {
	db := openTestDB(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if db.Lookup("5.6.7.8")["countryCode"] != "DE" {
					t.Error("concurrent lookup lost data")
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestOpenRefusesOtherDatabaseKinds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "asn.mmdb")
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-ASN", RecordSize: 24})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = geoip.Open(path)
	if err == nil || !strings.Contains(err.Error(), "is a GeoLite2-ASN database, want a City database") {
		t.Errorf("Open(ASN database) = %v, want a refusal naming the kind", err)
	}
}
