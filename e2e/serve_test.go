package e2e

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/authd/authd/internal/authdtest"
)

// TestServeTLSAndGracefulShutdown runs the real binary with a TLS
// config: discovery over https names the https issuer, cookies are
// Secure with the __Host- prefix and HSTS is sent; then SIGTERM while a
// request is half-sent: the request still gets its answer and the process
// exits 0.
func TestServeTLSAndGracefulShutdown(t *testing.T) {
	bin := buildAuthd(t)
	dir := t.TempDir()
	certPEM, keyPEM, pool := selfSigned(t)
	writeFile(t, filepath.Join(dir, "cert.pem"), certPEM)
	writeFile(t, filepath.Join(dir, "key.pem"), keyPEM)
	addr := freeLoopbackAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	issuer := "https://localhost:" + port + "/"
	writeFile(t, filepath.Join(dir, "authd.yaml"), []byte(fmt.Sprintf(`issuer: %s
listen: %s
tls: { cert_file: cert.pem, key_file: key.pem }
secrets: { encryption_key: "%s", cookie_key: "%s" }
clients:
  - { client_id: spa, app_type: spa, redirect_uris: ["https://app.example.com/cb"] }
`, issuer, addr, replicaSecret(32), replicaSecret(32))))

	cmd := exec.Command(bin, "serve", "--config", filepath.Join(dir, "authd.yaml"))
	logs := &authdtest.LogBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})

	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool},
	}}
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := client.Get(issuer + "healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		select {
		case <-exited:
			t.Fatalf("authd exited: %v\n%s", waitErr, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("authd did not come up over TLS: %v\n%s", err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	resp, err := client.Get(issuer + ".well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&d)
	resp.Body.Close()
	if d["issuer"] != issuer || d["token_endpoint"] != issuer+"oauth/token" {
		t.Errorf("discovery over TLS: %v", d)
	}
	resp, err = client.Get(issuer + "u/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS over TLS")
	}
	var sawCookie bool
	for _, c := range resp.Cookies() {
		sawCookie = true
		if !strings.HasPrefix(c.Name, "__Host-") || !c.Secure || !c.HttpOnly {
			t.Errorf("cookie %s: secure=%v httponly=%v", c.Name, c.Secure, c.HttpOnly)
		}
	}
	if !sawCookie {
		t.Error("login page set no cookie")
	}

	// A request whose handler is running (it is reading the body) when
	// SIGTERM arrives: graceful shutdown lets it finish and answer.
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	body := "grant_type=client_credentials&client_id=nobody&client_secret=x"
	if _, err := fmt.Fprintf(conn, "POST /oauth/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body[:10]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if _, err := io.WriteString(conn, body[10:]); err != nil {
		t.Fatalf("in-flight request cut off: %v", err)
	}
	r, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("in-flight request after SIGTERM: %v %v\n%s", r, err, logs.String())
	}
	select {
	case <-exited:
		if waitErr != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", waitErr, logs.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("authd did not exit after SIGTERM")
	}
	if !strings.Contains(logs.String(), "shutting down") {
		t.Errorf("no shutdown log line:\n%s", logs.String())
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func selfSigned(t *testing.T) (certPEM, keyPEM []byte, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), pool
}
