package actions

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// fetch egress policy (security checklist D.49).

func fetchJS(url string) string {
	return `exports.onExecutePostLogin = async (e, api) => {
		try {
			const res = await fetch(` + quote(url) + `, {method: "POST", headers: {"X-Test": "1"}, body: "hi"});
			console.log(res.status, res.ok, res.headers.get("content-type"), JSON.stringify(await res.json()));
		} catch (err) { console.log("refused: " + err.message) }
	}`
}

func fetchServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			w.Write([]byte(strings.Repeat("x", MaxFetchBody+1)))
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(time.Second):
			}
		default:
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"method":%q,"header":%q,"body":"hi"}`, r.Method, r.Header.Get("X-Test"))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchToLoopbackIsRefused(t *testing.T) {
	srv := fetchServer(t)
	for _, u := range []string{srv.URL + "/", "http://localhost:1/", "http://[::1]:1/", "http://169.254.169.254/latest/", "http://10.0.0.1/", "file:///etc/passwd"} {
		out := runJS(t, Input{}, Options{Timeout: 2 * time.Second}, fetchJS(u))
		wantOK(t, out)
		if got := consoleOf(out); len(got) != 1 || !strings.HasPrefix(got[0], "refused: fetch failed") {
			t.Fatalf("%s: %v", u, got)
		}
	}
}

func TestFetchAllowedWhenPrivateAllowed(t *testing.T) {
	srv := fetchServer(t)
	out := runJS(t, Input{}, Options{Timeout: 2 * time.Second, Fetch: FetchOptions{AllowPrivate: true}}, fetchJS(srv.URL+"/"))
	wantOK(t, out)
	if got := consoleOf(out); len(got) != 1 || got[0] != `200 true application/json {"method":"POST","header":"1","body":"hi"}` {
		t.Fatalf("console %v", got)
	}
}

func TestFetchRedirectToInternalIsRefused(t *testing.T) {
	internal := fetchServer(t)
	// The allow-list permits only the redirector's host name; the hop to the
	// internal server is re-checked and refused.
	redirector := httptest.NewServer(http.RedirectHandler(strings.Replace(internal.URL, "127.0.0.1", "localhost", 1)+"/", http.StatusFound))
	t.Cleanup(redirector.Close)
	out := runJS(t, Input{}, Options{Timeout: 2 * time.Second, Fetch: FetchOptions{AllowPrivate: true, AllowHosts: []string{"127.0.0.1"}}},
		fetchJS(redirector.URL+"/"))
	wantOK(t, out)
	if got := consoleOf(out); len(got) != 1 || !strings.Contains(got[0], `host "localhost": refused by the egress policy`) {
		t.Fatalf("console %v", got)
	}
}

func TestFetchBodyCapAndTimeout(t *testing.T) {
	srv := fetchServer(t)
	opts := Options{Timeout: 2 * time.Second, Fetch: FetchOptions{AllowPrivate: true, Timeout: 300 * time.Millisecond}}
	out := runJS(t, Input{}, opts, fetchJS(srv.URL+"/big"))
	if got := consoleOf(out); len(got) != 1 || !strings.Contains(got[0], "response body over 1048576 bytes") {
		t.Fatalf("big body: %v", got)
	}
	start := time.Now()
	out = runJS(t, Input{}, opts, fetchJS(srv.URL+"/slow"))
	if got := consoleOf(out); len(got) != 1 || !strings.Contains(got[0], "deadline exceeded") || time.Since(start) > time.Second {
		t.Fatalf("slow: %v after %v", got, time.Since(start))
	}
	// An unawaited-forever fetch is cut by the execution budget.
	out = runJS(t, Input{}, Options{Timeout: 300 * time.Millisecond, Fetch: FetchOptions{AllowPrivate: true}},
		`exports.onExecutePostLogin = async () => { await fetch(`+quote(srv.URL+"/slow")+`) }`)
	wantErr(t, out, TimeoutMessage)
}

func TestInternalIPClassification(t *testing.T) {
	for ip, internal := range map[string]bool{
		"127.0.0.1": true, "::1": true, "10.1.2.3": true, "172.16.0.1": true, "192.168.1.1": true,
		"169.254.169.254": true, "fe80::1": true, "0.0.0.0": true, "100.64.0.1": true, "fd00::1": true,
		"93.184.216.34": false, "2606:4700::1": false,
	} {
		if got := internalIP(netip.MustParseAddr(ip)); got != internal {
			t.Errorf("%s: internal=%v", ip, got)
		}
	}
	if !hostAllowed("a.example.com", []string{"*.example.com"}) || hostAllowed("example.com.evil.test", []string{"example.com"}) {
		t.Fatal("host allow-list")
	}
}
