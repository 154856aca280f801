package ui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func labels(t *testing.T, s *Studio) string {
	t.Helper()
	var texts []string
	for _, o := range test.LaidOutObjects(s.Content()) {
		if l, ok := o.(*widget.Label); ok {
			texts = append(texts, l.Text)
		}
	}
	return strings.Join(texts, "\n")
}

func TestStudioSaysWhatItIsAndOllamaState(t *testing.T) {
	test.NewTempApp(t)
	s := NewStudio(OllamaStatus{Host: "http://127.0.0.1:1", Checked: true})
	w := test.NewTempWindow(t, s.Content())
	_ = w
	text := labels(t, s)
	for _, want := range []string{"hlstudio", "Hyperlambda", "Library", "Tree editor", "Run panel",
		"Ollama is not running at http://127.0.0.1:1: start it with `ollama serve`"} {
		if !strings.Contains(text, want) {
			t.Errorf("window does not say %q:\n%s", want, text)
		}
	}
	s.SetStatus(OllamaStatus{Host: "http://h:1", Checked: true, Up: true, Version: "0.17.4"})
	if got := s.StatusText(); got != "Ollama 0.17.4 is running at http://h:1." {
		t.Errorf("status %q", got)
	}
}

func TestProbeOllama(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/version" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`{"version":"0.17.4"}`))
	}))
	defer up.Close()
	if st := ProbeOllama(context.Background(), up.URL, time.Second); !st.Up || st.Version != "0.17.4" {
		t.Errorf("reachable server: %+v", st)
	}
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusInternalServerError)
	}))
	defer bad.Close()
	if st := ProbeOllama(context.Background(), bad.URL, time.Second); st.Up || st.Err == nil {
		t.Errorf("failing server: %+v", st)
	}
	down := httptest.NewServer(http.NotFoundHandler())
	url := down.URL
	down.Close()
	st := ProbeOllama(context.Background(), url, time.Second)
	if st.Up || st.Err == nil || !strings.Contains(st.Message(), "ollama serve") {
		t.Errorf("closed port: %+v", st)
	}
}

func TestOllamaHost(t *testing.T) {
	cases := map[string]string{
		"":                       "http://127.0.0.1:11434",
		"example.com":            "http://example.com:11434",
		"10.0.0.2:8080":          "http://10.0.0.2:8080",
		"https://ollama.local/":  "https://ollama.local:11434",
		"0.0.0.0:11434":          "http://127.0.0.1:11434",
		"http://127.0.0.1:11500": "http://127.0.0.1:11500",
	}
	for in, want := range cases {
		t.Setenv("OLLAMA_HOST", in)
		if got := OllamaHost(); got != want {
			t.Errorf("OLLAMA_HOST=%q: got %q want %q", in, got, want)
		}
	}
}
