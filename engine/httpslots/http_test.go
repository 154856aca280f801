package httpslots_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hlstudio/engine"
	"hlstudio/engine/enginetest"
	"hlstudio/engine/httpslots"
	"hlstudio/engine/vocab"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// server is a real HTTP server on loopback whose answers do not depend
// on the time (no Date header), so cases can compare them.
// slowEnds receives how each /slow or /dribble request ended: "cut" when
// the client hung up, "served" when the handler ran to its end.
var slowEnds = make(chan string, 16)

func server(t *testing.T, hits *atomic.Int64) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Date"] = nil
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("X-Seen", r.Header.Get("X-Test"))
		io.WriteString(w, "hello, world!\n")
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Date"] = nil
		w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
		w.Header().Set("X-Seen", r.Header.Get("X-Test"))
		w.WriteHeader(201)
		io.Copy(w, r.Body)
	})
	// /inspect/... answers with what it was sent: method, escaped path and
	// query, the headers the cases look at, and the body.
	mux.HandleFunc("/inspect/", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Date"] = nil
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s?%s\nAccept: %s\nContent-Type: %s\nAuthorization: %s\nX-Test: %s\n\n%s",
			r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Get("Accept"), r.Header.Get("Content-Type"),
			r.Header.Get("Authorization"), r.Header.Get("X-Test"), body)
	})
	// /answer?type=...&body=... answers with that Content-Type and body
	// (the body's %XX bytes decoded, so it can hold any byte).
	mux.HandleFunc("/answer", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Date"] = nil
		q := r.URL.Query()
		if t, ok := q["type"]; ok {
			w.Header().Set("Content-Type", t[0])
		} else {
			w.Header()["Content-Type"] = nil // no sniffing: no Content-Type at all
		}
		if h, ok := q["header"]; ok {
			w.Header()["X-Bytes"] = h // as it is, bytes that are not UTF-8 too
		}
		io.WriteString(w, q.Get("body"))
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 1024; i++ {
			if _, err := w.Write(make([]byte, 1024)); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			slowEnds <- "cut"
		case <-time.After(30 * time.Second):
			slowEnds <- "served"
		}
	})
	mux.HandleFunc("/dribble", func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 300; i++ {
			w.Write([]byte("x"))
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				slowEnds <- "cut"
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
		slowEnds <- "served"
	})
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits != nil {
			hits.Add(1)
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// Cases in testdata name the server as ${URL}.
func TestCases(t *testing.T) {
	s := server(t, nil)
	files, _ := filepath.Glob("testdata/*.txtar")
	dir := t.TempDir()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out := strings.ReplaceAll(string(data), "${URL}", s.URL)
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), []byte(out), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	enginetest.RunCases(t, filepath.Join(dir, "*.txtar"), vocab.New)
}

func policy(t testing.TB, body string) *whitelist.Policy {
	p, err := whitelist.Parse("p.hl", []byte("name:web\r\nallow\r\n   effects:pure,network\r\n"+body))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func run(t testing.TB, p *whitelist.Policy, src string) (*engine.Result, error) {
	t.Helper()
	lambda, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return vocab.New().Execute(context.Background(), lambda, p)
}

func wantDenied(t *testing.T, err error, substr string) {
	t.Helper()
	var de *engine.DeniedError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), substr) {
		t.Fatalf("want a denial containing %q, got %T: %v", substr, err, err)
	}
	if !strings.Contains(de.Reason, "policy "+de.Policy) {
		t.Errorf("the reason does not name the policy: %s", de.Reason)
	}
}

// Loopback is refused when the policy does not allow private addresses,
// whether the URL names it by address, by a name that resolves to it, or
// by an IPv6 or numeric form; the server never sees a request.
func TestLoopbackRefused(t *testing.T) {
	var hits atomic.Int64
	s := server(t, &hits)
	port := s.URL[strings.LastIndexByte(s.URL, ':')+1:]
	p := policy(t, "constraints\r\n   http\r\n      origins\r\n         .:\"http://*:*\"\r\n")
	for _, c := range []struct{ url, want string }{
		{s.URL + "/hello", "is loopback"},
		{"http://localhost:" + port + "/hello", "resolves to address"},
		{"http://[::1]:" + port + "/hello", "is loopback"},
		{"http://[0:0:0:0:0:0:0:1]:" + port + "/hello", "is loopback"},
		{"http://[::ffff:127.0.0.1]:" + port + "/hello", "is loopback"},
		{"http://[::ffff:7f00:1]:" + port + "/hello", "is loopback"},
		{"http://[64:ff9b::7f00:1]:" + port + "/hello", "is loopback"},
		{"http://[2002:7f00:1::]:" + port + "/hello", "is loopback"},
		{"http://[fe80::1%25lo]:" + port + "/hello", "zoned"},
		{"http://2130706433:" + port + "/hello", "non-standard form"},
		{"http://0x7f000001:" + port + "/hello", "non-standard form"},
		{"http://127.1:" + port + "/hello", "non-standard form"},
		{"http://0177.0.0.1:" + port + "/hello", "non-standard form"},
		{"http://0.0.0.0:" + port + "/hello", "is loopback"},
		{"http://169.254.169.254/latest/meta-data/", "is loopback"},
		{"http://user@127.0.0.1:" + port + "/hello", "user information"},
	} {
		_, err := run(t, p, "http.get:\""+c.url+"\"")
		wantDenied(t, err, c.want)
	}
	if hits.Load() != 0 {
		t.Fatalf("the loopback server got %d requests", hits.Load())
	}
}

// Origins are checked by scheme, host and port.
func TestOrigins(t *testing.T) {
	p := policy(t, "constraints\r\n   http\r\n      origins\r\n         .:\"https://api.example.com\"\r\n         .:\"https://*.example.org:8443\"\r\n")
	for _, c := range []struct{ url, want string }{
		{"http://api.example.com/", "not an allowed origin"},
		{"https://api.example.com:444/", "not an allowed origin"},
		{"https://evil.com/", "not an allowed origin"},
		{"https://api.example.com.evil.com/", "not an allowed origin"},
		{"https://example.org:8443/", "not an allowed origin"},
		{"ftp://api.example.com/", "only http and https"},
		{"file:///etc/passwd", "only http and https"},
		{"//api.example.com/", "only http and https"},
	} {
		_, err := run(t, p, "http.get:\""+c.url+"\"")
		wantDenied(t, err, c.want)
	}
	if _, err := run(t, policy(t, ""), "http.get:\"https://api.example.com/\""); err == nil || !strings.Contains(err.Error(), "allows no HTTP origin") {
		t.Fatalf("a policy without an http section: %v", err)
	}
	if _, err := run(t, enginetest.LoadPolicy(t, "sandbox"), "http.get:\"https://api.example.com/\""); err == nil || !strings.Contains(err.Error(), "not allowed by policy sandbox") {
		t.Fatalf("sandbox must deny the network: %v", err)
	}
}

// A redirect to another host is refused even when both are allowed (here
// 127.0.0.1 redirecting to localhost), and the other host is never asked.
func TestRedirectToOtherHost(t *testing.T) {
	var targetHits atomic.Int64
	target := server(t, &targetHits)
	targetPort := target.URL[strings.LastIndexByte(target.URL, ':')+1:]
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/same" {
			http.Redirect(w, r, "/final", http.StatusFound)
			return
		}
		if r.URL.Path == "/final" {
			io.WriteString(w, "final")
			return
		}
		http.Redirect(w, r, "http://localhost:"+targetPort+"/hello", http.StatusFound)
	}))
	defer redirector.Close()
	p := policy(t, "constraints\r\n   http\r\n      origins\r\n         .:\"http://127.0.0.1:*\"\r\n         .:\"http://localhost:*\"\r\n      private-addresses:bool:true\r\n")
	_, err := run(t, p, "http.get:\""+redirector.URL+"/away\"")
	wantDenied(t, err, "redirect to another origin")
	if targetHits.Load() != 0 {
		t.Fatalf("the other host got %d requests", targetHits.Load())
	}
	res, err := run(t, p, "http.get:\""+redirector.URL+"/same\"")
	if err != nil {
		t.Fatal(err)
	}
	if got := hyperlambda.Format(res.Lambda.Children()[0].Children()[1:], hyperlambda.FormatOptions{}); got != "content:final\r\n" {
		t.Fatalf("same-host redirect: %q", got)
	}
}

// An oversize body is cut at the policy's limit and refused; a slow
// server is cut by the run's time budget.
func TestOversizeAndSlow(t *testing.T) {
	s := server(t, nil)
	base := "constraints\r\n   http\r\n      origins\r\n         .:\"http://127.0.0.1:*\"\r\n      private-addresses:bool:true\r\n      max-response-bytes:long:1000\r\n      max-request-bytes:long:100\r\n"
	p := policy(t, base)
	_, err := run(t, p, "http.get:\""+s.URL+"/big\"")
	wantDenied(t, err, "over max-response-bytes 1000")
	_, err = run(t, p, "http.post:\""+s.URL+"/echo\"\r\n   payload:\""+strings.Repeat("x", 200)+"\"")
	wantDenied(t, err, "over max-request-bytes 100")

	slow := policy(t, base+"budgets\r\n   time-ms:int:300\r\n")
	for len(slowEnds) > 0 {
		<-slowEnds // from an earlier run of the test (-count)
	}
	for _, path := range []string{"/slow", "/dribble"} {
		_, err = run(t, slow, "http.get:\""+s.URL+path+"\"")
		var be *engine.BudgetError
		if !errors.As(err, &be) || be.Budget != "time" {
			t.Fatalf("%s: want the time budget, got %T %v", path, err, err)
		}
		// The run hung up on the server (which would otherwise serve
		// for 30 s): the handler saw its client go, not its own end.
		if end := <-slowEnds; end != "cut" {
			t.Fatalf("%s: the server %s the request: the run waited for it", path, end)
		}
	}
	_, err = run(t, p, "http.get:\""+s.URL+"/slow\"\r\n   timeout:int:1")
	if err == nil || !strings.Contains(err.Error(), "within [timeout]") {
		t.Fatalf("timeout: %v", err)
	}
}

// The static check labels a literal URL to a host the policy does not
// list as denied; an expression is left to dispatch.
func TestStaticCheck(t *testing.T) {
	p := policy(t, "constraints\r\n   http\r\n      origins\r\n         .:\"https://api.example.com\"\r\n")
	root, _ := hyperlambda.ParseString("http.get:\"https://api.example.com/x\"\r\nhttp.get:\"https://evil.com/\"\r\nhttp.get:\"http://[::1]/\"\r\nhttp.get:x:@.url\r\n", hyperlambda.ParseOptions{})
	var got []string
	for _, f := range whitelist.Check(root, vocab.New(), p) {
		if f.Node.Parent() == root {
			got = append(got, f.Label.String())
		}
	}
	if want := "allowed denied denied allowed"; strings.Join(got, " ") != want {
		t.Errorf("labels %v, want %s", got, want)
	}
}

// HTTPS end to end against a real TLS server on loopback (a policy that
// allows loopback and that origin), and a redirect from HTTPS to plain
// HTTP on the same host refused.
func TestHTTPS(t *testing.T) {
	s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/downgrade" {
			http.Redirect(w, r, "http://"+r.Host+"/hello", http.StatusFound)
			return
		}
		io.WriteString(w, "secure hello")
	}))
	defer s.Close()
	roots := x509.NewCertPool()
	roots.AddCert(s.Certificate())
	httpslots.SetTestRoots(roots)
	defer httpslots.SetTestRoots(nil)
	p := policy(t, "constraints\r\n   http\r\n      origins\r\n         .:\""+s.URL+"\"\r\n         .:\"http://127.0.0.1:*\"\r\n      private-addresses:bool:true\r\n")
	res, err := run(t, p, "http.get:\""+s.URL+"/hello\"")
	if err != nil {
		t.Fatal(err)
	}
	if got := hyperlambda.Format(res.Lambda.Children(), hyperlambda.FormatOptions{}); !strings.Contains(got, "secure hello") || !strings.Contains(got, "http.get:int:200") {
		t.Fatalf("response:\n%s", got)
	}
	_, err = run(t, p, "http.get:\""+s.URL+"/downgrade\"")
	wantDenied(t, err, "redirect to another origin")

	// Without the test root the server's certificate is not trusted.
	httpslots.SetTestRoots(nil)
	if _, err := run(t, p, "http.get:\""+s.URL+"/hello\""); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("an untrusted certificate was accepted: %v", err)
	}
}

func localPolicy(t testing.TB) *whitelist.Policy {
	return policy(t, "constraints\r\n   http\r\n      origins\r\n         .:\"http://127.0.0.1:*\"\r\n      private-addresses:bool:true\r\n")
}

// An argument the slot does not take is an error, as in the reference,
// not silently dropped; so are the reference's arguments hlstudio does
// not support, a body on a GET, a url-param standing in the host, and
// a lambda [payload] in a form it cannot write. None reaches the server.
func TestArgumentErrors(t *testing.T) {
	var hits atomic.Int64
	s := server(t, &hits)
	p := localPolicy(t)
	host := strings.TrimPrefix(s.URL, "http://")
	for _, c := range []struct{ src, want string }{
		{"http.get:\"" + s.URL + "/hello\"\r\n   foo:bar", "[foo] is not an argument of [http.get]: only supply [query], [url-params], [headers], [convert], [timeout] and [token]"},
		{"http.post:\"" + s.URL + "/echo\"\r\n   payload:x\r\n   Query\r\n      a:1", "[Query] is not an argument of [http.post]: only supply [query], [url-params], [payload],"},
		{"http.get:\"" + s.URL + "/hello\"\r\n   payload:x", "do not supply a [payload] to [http.get]"},
		{"http.delete:\"" + s.URL + "/hello\"\r\n   payload\r\n      a:1", "do not supply a [payload] to [http.delete]"},
		{"http.post:\"" + s.URL + "/echo\"\r\n   filename:/a.txt", "[filename] (a file as the request body) is not supported"},
		{"http.get:\"" + s.URL + "/hello\"\r\n   .sse\r\n      log.info:x", "[.sse] (server-sent events) is not supported"},
		{"http.post:\"" + s.URL + "/echo\"", "needs a [payload]"},
		{"http.get:\"" + s.URL + "/inspect/{id}\"\r\n   url-params\r\n      ID:1", "could not find {ID} in the URL"},
		{"http.get:\"http://{host}/hello\"\r\n   url-params\r\n      host:\"" + host + "\"", "{host} is in the scheme or host"},
		{"http.get:\"{base}/hello\"\r\n   url-params\r\n      base:\"" + s.URL + "\"", "{base} is in the scheme or host"},
		{"http.get:\"" + s.URL + "/hello\"\r\n   headers\r\n      Content-Type:application/json", "cannot carry the content header [Content-Type]"},
		{"http.get:\"" + s.URL + "/hello\"\r\n   timeout:int:601", "between 1 and 600"},
		{"http.get:\"" + s.URL + "/hello\"\r\n   query:foo", "[query] takes its parameters as children"},
		{"http.post:\"" + s.URL + "/echo\"\r\n   headers\r\n      Content-Type:application/x-www-form-urlencoded\r\n   payload\r\n      a\r\n         b:1", "one level of name:value children; [a] has children"},
		{"http.post:\"" + s.URL + "/echo\"\r\n   headers\r\n      Content-Type:application/pdf\r\n   payload\r\n      a:1", "cannot write a [payload] lambda as Content-Type \"application/pdf\""},
		{".a:1\r\n.a:2\r\nhttp.post:\"" + s.URL + "/echo\"\r\n   payload\r\n      a:x:@.a/../*/.a", "selects 2 nodes where one value is expected"},
	} {
		_, err := run(t, p, c.src)
		var re *engine.RuntimeError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n got %T %v\nwant a runtime error with %q", c.src, err, err, c.want)
		}
	}
	if hits.Load() != 0 {
		t.Fatalf("the server got %d requests", hits.Load())
	}
}

// The URL built from [url-params] and [query] is the one checked against
// the origins; a url-param's value is one path segment, so it cannot
// move the request to another host however it is spelt.
func TestBuiltURL(t *testing.T) {
	var hits atomic.Int64
	s := server(t, &hits)
	p := localPolicy(t)
	_, err := run(t, p, "http.get:\"http://evil.example/x\"\r\n   query\r\n      a:1")
	wantDenied(t, err, "refuses GET http://evil.example/x?a=1: http://evil.example:80 is not an allowed origin")
	for _, v := range []string{"@evil.example", ".evil.example", "../../x", "a:80@evil.example/", "%2e%2e", "x?y#z"} {
		res, err := run(t, p, "http.get:\""+s.URL+"/inspect/{p}\"\r\n   url-params\r\n      p:\""+v+"\"")
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		content := hyperlambda.StringOf(res.Lambda.Children()[0].Children()[1].Value)
		want := "GET /inspect/" + strings.NewReplacer("@", "%40", "/", "%2F", ":", "%3A", "%", "%25", "?", "%3F", "#", "%23").Replace(v) + "?"
		if !strings.HasPrefix(content, want+"\n") {
			t.Errorf("%s: the server saw %q, want %q", v, content, want)
		}
	}
	if hits.Load() != 6 {
		t.Fatalf("the server got %d requests, want 6", hits.Load())
	}
}

// A body that is not JSON with [convert] is an error naming the slot and
// the URL, not json2lambda's.
func TestConvertBadJSON(t *testing.T) {
	s := server(t, nil)
	target := s.URL + "/answer?type=application/json&body=%7Bnot"
	_, err := run(t, localPolicy(t), "http.get:\""+target+"\"\r\n   convert:bool:true")
	var re *engine.RuntimeError
	if !errors.As(err, &re) || re.Slot != "http.get" || !strings.Contains(err.Error(), "GET "+target+": [convert] could not read the application/json response as JSON") {
		t.Fatalf("got %T %v", err, err)
	}
	if strings.Contains(err.Error(), "json2lambda") {
		t.Fatalf("the error names json2lambda: %v", err)
	}
}

// Text that is not valid UTF-8 in a response body or header becomes
// valid text, so the executed lambda formats and parses back to itself.
func TestInvalidTextRoundTrips(t *testing.T) {
	s := server(t, nil)
	res, err := run(t, localPolicy(t), "http.get:\""+s.URL+"/answer?type=text/plain&body=%FF%C3(%E2%82%ED%A0%80x&header=%FF%FEz\"")
	if err != nil {
		t.Fatal(err)
	}
	c := res.Lambda.Children()[0]
	if got, want := c.Children()[1].Value, "\uFFFD\uFFFD(\uFFFD\uFFFD\uFFFD\uFFFDx"; got != want {
		t.Errorf("content %q, want %q", got, want)
	}
	text := hyperlambda.Format(res.Lambda.Children(), hyperlambda.FormatOptions{})
	back, err := hyperlambda.ParseString(text, hyperlambda.ParseOptions{})
	if err != nil {
		t.Fatalf("the executed lambda does not parse back: %v\n%s", err, text)
	}
	if again := hyperlambda.Format(back.Children(), hyperlambda.FormatOptions{}); again != text {
		t.Fatalf("not a fixed point:\n%s\n%s", text, again)
	}
	if !strings.Contains(text, "X-Bytes:ÿþz") {
		t.Errorf("the header is not read as Latin-1:\n%s", text)
	}
}
