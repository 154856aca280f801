package ui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestProbeOllamaRunning(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/version" || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"version":"0.17.4"}`))
	}))
	defer srv.Close()

	st := ProbeOllama(context.Background(), srv.Client(), srv.URL)
	if st.State != OllamaRunning || st.Version != "0.17.4" || st.Err != nil {
		t.Fatalf("got %+v, want running 0.17.4", st)
	}
	if want := "Ollama 0.17.4 is running at " + srv.URL + "."; st.String() != want {
		t.Errorf("String() = %q, want %q", st.String(), want)
	}
}

func TestProbeOllamaUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	host := srv.URL
	srv.Close() // nothing listens there any more

	st := ProbeOllama(context.Background(), nil, host)
	if st.State != OllamaNotRunning || st.Err == nil {
		t.Fatalf("got %+v, want not running with an error", st)
	}
	want := "Ollama is not running at " + host + ": start it with `ollama serve`."
	if st.String() != want {
		t.Errorf("String() = %q, want %q", st.String(), want)
	}
}

func TestProbeOllamaBadStatus(t *testing.T) {
	for _, code := range []int{http.StatusNotFound, http.StatusInternalServerError} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "no", code)
		}))
		st := ProbeOllama(context.Background(), srv.Client(), srv.URL)
		srv.Close()
		if st.State != OllamaNotRunning || st.Err == nil || !strings.Contains(st.Err.Error(), http.StatusText(code)) {
			t.Errorf("status %d: got %+v, want not running naming the status", code, st)
		}
	}
}

func TestProbeOllamaNotJSON(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html>a web server, not Ollama</html>"))
	}))
	defer srv.Close()

	if st := ProbeOllama(context.Background(), srv.Client(), srv.URL); st.State != OllamaNotRunning || st.Err == nil {
		t.Fatalf("got %+v, want not running", st)
	}
}

func TestProbeOllamaTimesOut(t *testing.T) {
	release := make(chan struct{})
	ended := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
			ended <- "released"
		case <-r.Context().Done():
			ended <- "cut"
		}
	}))
	defer srv.Close()
	defer close(release)

	st := ProbeOllama(context.Background(), srv.Client(), srv.URL)
	if st.State != OllamaNotRunning {
		t.Fatalf("got %+v, want not running", st)
	}
	// The server never answers until released (after the probe): the
	// probe gave up on its own, hanging up on the request.
	if end := <-ended; end != "cut" {
		t.Fatalf("the request was %s, not cut by the probe's timeout", end)
	}
}

func TestOllamaHost(t *testing.T) {
	for _, tc := range []struct{ env, want string }{
		{"", DefaultOllamaHost},
		{"  ", DefaultOllamaHost},
		{`"127.0.0.1:11500"`, "http://127.0.0.1:11500"},
		{"127.0.0.1:11434", "http://127.0.0.1:11434"},
		{"0.0.0.0", "http://0.0.0.0:11434"},
		{"example.com", "http://example.com:11434"},
		{"example.com:8080", "http://example.com:8080"},
		{"http://example.com", "http://example.com:80"},
		{"https://example.com", "https://example.com:443"},
		{"http://10.0.0.2:3000/ollama", "http://10.0.0.2:3000/ollama"},
		{"[::1]:11434", "http://[::1]:11434"},
		{"::1", "http://[::1]:11434"},
	} {
		if got := OllamaHost(tc.env); got != tc.want {
			t.Errorf("OllamaHost(%q) = %q, want %q", tc.env, got, tc.want)
		}
	}
}

func TestCheckingStatus(t *testing.T) {
	st := OllamaStatus{Host: DefaultOllamaHost}
	if got := st.String(); !strings.HasPrefix(got, "Checking for Ollama at "+DefaultOllamaHost) {
		t.Errorf("String() = %q", got)
	}
}
