package ui

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"hlstudio/internal/ollamatest"
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
	// Not Ollama's default port: the server must be told where to listen.
	want := "Ollama is not running at " + host + ": start it with `OLLAMA_HOST=" + strings.TrimPrefix(host, "http://") + " ollama serve`."
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

// The status line follows the server through the session: a generation
// that finds it gone says so there too, and a host chosen in Settings is
// probed and named.
func TestStatusFollowsTheServer(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/version":
			io.WriteString(w, `{"version":"0.17.4"}`)
		case "/api/tags":
			io.WriteString(w, `{"models":[]}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer up.Close()
	gone := ollamatest.RefusedHost(t)
	t.Setenv("OLLAMA_HOST", gone)
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	// As the first probe found it: running. It stops before the generation.
	s := NewStudio(w, Options{Store: tempStore(t)}, OllamaStatus{Host: gone, State: OllamaRunning, Version: "0.17.4"})
	w.SetContent(s.Content())
	t.Cleanup(s.Close)
	s.ApplySettings(LoadSettings(fyne.CurrentApp().Preferences()))

	s.Prompt.prompt.SetText("Return hello")
	s.Prompt.Generate()
	s.Prompt.Wait()
	s.WaitProbe()
	waitFor(t, func() bool { return strings.Contains(s.StatusText(), "Ollama is not running at "+gone) }, s.StatusText)

	set := s.settings
	set.OllamaHost = up.URL
	s.ApplySettings(set)
	s.WaitProbe()
	waitFor(t, func() bool { return s.StatusText() == "Ollama 0.17.4 is running at "+up.URL+"." }, s.StatusText)
}
