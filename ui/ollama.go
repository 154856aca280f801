package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"hlstudio/compiler"
)

// DefaultOllamaHost is where the studio looks for Ollama when OLLAMA_HOST is
// not set.
const DefaultOllamaHost = compiler.DefaultOllamaHost

// probeTimeout bounds one reachability check: the studio never waits on a
// missing server.
const probeTimeout = time.Second

// OllamaState is what the studio knows about the Ollama server.
type OllamaState int

const (
	// OllamaChecking means the probe has not answered yet.
	OllamaChecking OllamaState = iota
	// OllamaRunning means the server answered /api/version.
	OllamaRunning
	// OllamaNotRunning means nothing usable answered at the host.
	OllamaNotRunning
)

// OllamaStatus is the result of probing an Ollama server.
type OllamaStatus struct {
	Host    string      // base URL, e.g. http://127.0.0.1:11434
	State   OllamaState // checking, running or not running
	Version string      // the server's version when State is OllamaRunning
	Err     error       // why the server is not usable when State is OllamaNotRunning
}

// String says the status in one sentence for a person.
func (s OllamaStatus) String() string {
	switch s.State {
	case OllamaRunning:
		if s.Version == "" {
			return fmt.Sprintf("Ollama is running at %s.", s.Host)
		}
		return fmt.Sprintf("Ollama %s is running at %s.", s.Version, s.Host)
	case OllamaNotRunning:
		return fmt.Sprintf("Ollama is not running at %s: %s.", s.Host, compiler.HowToStart(s.Host))
	default:
		return fmt.Sprintf("Checking for Ollama at %s…", s.Host)
	}
}

// OllamaHost turns a host setting (OLLAMA_HOST, or the one in the
// settings) into a base URL the way the compiler's client reads it. A
// setting the client cannot read is kept as written: the probe then fails
// on it and says so.
func OllamaHost(setting string) string {
	u, err := compiler.ResolveOllamaHost(setting)
	if err != nil {
		return strings.TrimSpace(setting)
	}
	return u.String()
}

// ProbeOllama asks the server at host for its version, waiting at most one
// second. It never fails: an unreachable or unexpected server gives a status
// with State OllamaNotRunning and the reason in Err. A nil client means
// http.DefaultClient.
func ProbeOllama(ctx context.Context, client *http.Client, host string) OllamaStatus {
	st := OllamaStatus{Host: host, State: OllamaNotRunning}
	if client == nil {
		client = http.DefaultClient
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(host, "/")+"/api/version", nil)
	if err != nil {
		st.Err = err
		return st
	}
	resp, err := client.Do(req)
	if err != nil {
		st.Err = err
		return st
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		st.Err = fmt.Errorf("GET /api/version: %s", resp.Status)
		return st
	}
	var body struct {
		Version string `json:"version"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&body); err != nil {
		st.Err = fmt.Errorf("GET /api/version: %w", err)
		return st
	}
	st.State, st.Version = OllamaRunning, body.Version
	return st
}
