package ollamatest

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Fake is a protocol-level stand-in for Ollama, for the faults a real server
// cannot be made to show (cut streams, garbage lines, hangs, HTTP 500s) and
// for scripted answers. Each path answers with a sequence of handlers: the
// n-th request gets the n-th handler, the last one repeats. Unscripted paths
// answer 404 like a server without that route.
type Fake struct {
	URL string
	mu  sync.Mutex
	h   map[string][]http.HandlerFunc
	n   map[string]int
	req []Request
}

// Request is one request the fake received.
type Request struct {
	Method, Path string
	Body         []byte
}

// NewFake starts a fake that stops when the test ends.
func NewFake(t testing.TB) *Fake {
	f := &Fake{h: map[string][]http.HandlerFunc{}, n: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	// Close the client side of hung requests first, or Close waits for them.
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	f.URL = srv.URL
	return f
}

// Handle scripts the answers to path, e.g. "/api/chat".
func (f *Fake) Handle(path string, handlers ...http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.h[path] = handlers
	f.n[path] = 0
}

// Requests are the requests received so far, in order.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.req...)
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.req = append(f.req, Request{Method: r.Method, Path: r.URL.Path, Body: body})
	hs := f.h[r.URL.Path]
	i := f.n[r.URL.Path]
	f.n[r.URL.Path]++
	f.mu.Unlock()
	if len(hs) == 0 {
		http.NotFound(w, r)
		return
	}
	hs[min(i, len(hs)-1)](w, r)
}

// Lines answers 200 with NDJSON lines, each flushed as it is written.
func Lines(lines ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ndjson")
		writeLines(w, lines)
	}
}

// Cut writes lines, then breaks the connection in the middle of the chunked
// body, as a crashed server or a dropped network does.
func Cut(lines ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ndjson")
		writeLines(w, lines)
		panic(http.ErrAbortHandler) // net/http closes the connection without ending the body
	}
}

// Hang accepts the request and sends nothing, not even headers, until the
// client gives up.
func Hang() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
}

// Slow writes lines with a pause before each, for cancellation tests.
func Slow(pause time.Duration, lines ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		for _, l := range lines {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(pause):
			}
			writeLines(w, []string{l})
		}
	}
}

// Status answers code with body as it is.
func Status(code int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

// JSON answers 200 with v encoded.
func JSON(v any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
}

func writeLines(w http.ResponseWriter, lines []string) {
	for _, l := range lines {
		io.WriteString(w, l+"\n")
		w.(http.Flusher).Flush()
	}
}

// ChatChunk is a streamed chat line carrying content.
func ChatChunk(model, content string) string {
	return mustJSON(map[string]any{"model": model, "message": map[string]any{"role": "assistant", "content": content}, "done": false})
}

// ChatDone is the final chat line, with done_reason reason ("stop", "length").
func ChatDone(model, reason string) string {
	return mustJSON(map[string]any{"model": model, "message": map[string]any{"role": "assistant", "content": ""},
		"done": true, "done_reason": reason, "eval_count": 3, "prompt_eval_count": 5})
}

// Chat is a whole successful streamed answer: one chunk per piece, then done.
func Chat(model string, pieces ...string) http.HandlerFunc {
	var lines []string
	for _, p := range pieces {
		lines = append(lines, ChatChunk(model, p))
	}
	return Lines(append(lines, ChatDone(model, "stop"))...)
}

// ErrorLine is the line Ollama sends when it fails mid-stream.
func ErrorLine(msg string) string { return mustJSON(map[string]any{"error": msg}) }

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// RefusedHost is a loopback base URL where nothing listens: connecting to
// it is refused at once.
func RefusedHost(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}
