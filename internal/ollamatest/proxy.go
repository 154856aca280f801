package ollamatest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
)

// Counter is a reverse proxy in front of a server that counts the requests
// reaching it, so a test can assert that a call never got to Ollama (a
// compile cache hit, say).
type Counter struct {
	URL string // base URL of the proxy; use it as the Ollama host
	mu  sync.Mutex
	n   map[string]int
}

// NewCounter proxies to target (a base URL) until the test ends.
func NewCounter(t testing.TB, target string) *Counter {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	c := &Counter{n: map[string]int{}}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.FlushInterval = -1 // pass each streamed line on at once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.n[r.URL.Path]++
		c.mu.Unlock()
		// The body is read whole before forwarding: otherwise the
		// transport may still be reading it (for its end) when the
		// streamed answer's first flush makes this server finish the
		// request body, and the transport then drops the backend
		// connection mid-stream (a "use of closed network connection"
		// the client sees as an unexpected EOF, seen under load).
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c.URL = srv.URL
	return c
}

// Count is the number of requests for path, e.g. "/api/chat".
func (c *Counter) Count(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[path]
}

// Total is the number of requests of any path.
func (c *Counter) Total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := 0
	for _, n := range c.n {
		t += n
	}
	return t
}
