package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"
)

// OllamaStatus is what the studio knows about the Ollama server.
type OllamaStatus struct {
	Host    string // base URL, e.g. http://127.0.0.1:11434
	Checked bool   // false while the probe runs
	Up      bool
	Version string
	Err     error
}

// Message says the status plainly, with what to do when the server is down.
func (s OllamaStatus) Message() string {
	switch {
	case !s.Checked:
		return "Checking for Ollama at " + s.Host + " …"
	case s.Up:
		return fmt.Sprintf("Ollama %s is running at %s.", s.Version, s.Host)
	}
	return fmt.Sprintf("Ollama is not running at %s: start it with `ollama serve` "+
		"(or set OLLAMA_HOST). The studio works without it; generation needs it.", s.Host)
}

// OllamaHost returns the server's base URL from OLLAMA_HOST, following
// Ollama's convention: host, host:port or a URL; default 127.0.0.1:11434.
func OllamaHost() string {
	h := strings.TrimSpace(os.Getenv("OLLAMA_HOST"))
	if h == "" {
		return "http://127.0.0.1:11434"
	}
	if !strings.Contains(h, "://") {
		h = "http://" + h
	}
	scheme, rest, _ := strings.Cut(h, "://")
	rest = strings.TrimRight(rest, "/")
	if !strings.Contains(rest, ":") || strings.HasSuffix(rest, "]") {
		rest += ":11434"
	}
	if strings.HasPrefix(rest, "0.0.0.0:") {
		rest = "127.0.0.1" + strings.TrimPrefix(rest, "0.0.0.0")
	}
	return scheme + "://" + rest
}

// ProbeOllama asks host for its version, giving up after timeout.
func ProbeOllama(ctx context.Context, host string, timeout time.Duration) OllamaStatus {
	st := OllamaStatus{Host: host, Checked: true}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, host+"/api/version", nil)
	if err != nil {
		st.Err = err
		return st
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		st.Err = err
		return st
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		st.Err = fmt.Errorf("%s answered %s", host, resp.Status)
		return st
	}
	var v struct {
		Version string `json:"version"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		st.Err = fmt.Errorf("%s did not answer like Ollama: %v", host, err)
		return st
	}
	st.Up, st.Version = true, v.Version
	return st
}
