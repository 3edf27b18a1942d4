package geoip

import "testing"

func TestAlpha3(t *testing.T) {
	tests := map[string]string{
		"US": "USA", "DE": "DEU", "GB": "GBR", "AD": "AND", "ZW": "ZWE", "XK": "XKX",
		"de": "DEU", "": "", "ZZ": "", "U": "", "USA": "", " U": "",
	}
	for in, want := range tests {
		if got := alpha3(in); got != want {
			t.Errorf("alpha3(%q) = %q, want %q", in, got, want)
		}
	}
}
