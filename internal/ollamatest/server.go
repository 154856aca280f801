// Package ollamatest runs Ollama for tests: a real `ollama serve` on a free
// loopback port serving a tiny generated model (Start), a reverse proxy that
// counts the requests reaching it (NewCounter), and a protocol-level fake
// for the faults a real server cannot be made to show (NewFake).
//
// The real server is built once by scripts/ollama-tiny.sh (`make ollama-tiny`)
// from the Go module proxy. Tests skip without it, unless
// HLSTUDIO_REQUIRE_OLLAMA is set (make test sets it), when they fail.
package ollamatest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	"hlstudio/internal/tinymodel"
)

// Version is the Ollama release the server and the api package must share.
const Version = "0.17.4"

// Model is the name the tiny model is created under.
const Model = "tiny"

// Environment variables that steer Start.
const (
	// EnvBinary names the ollama binary to run.
	EnvBinary = "HLSTUDIO_OLLAMA_BIN"
	// EnvRequire, when set, turns a missing binary into a test failure.
	EnvRequire = "HLSTUDIO_REQUIRE_OLLAMA"
)

// Server is a running `ollama serve` with the tiny model created.
type Server struct {
	Host  string // base URL, e.g. http://127.0.0.1:40123
	Addr  string // host:port, the OLLAMA_HOST value
	Model string // the tiny model's name
	PID   int
	Dir   string // holds models/, home/ and server.log
	// Timings of the start, for reports.
	Ready, Created time.Duration
}

// Binary finds the ollama binary: $HLSTUDIO_OLLAMA_BIN, then where
// scripts/ollama-tiny.sh puts it, then PATH.
// A build of scripts/ollama-tiny.sh still running is waited for: make
// test starts it first and compiles the tests beside it.
func Binary() (string, error) {
	if p := os.Getenv(EnvBinary); p != "" {
		if _, err := built(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", EnvBinary, p, err)
		}
		return p, nil
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		if home, err := os.UserHomeDir(); err == nil {
			cache = filepath.Join(home, ".cache")
		}
	}
	if cache != "" {
		p := filepath.Join(cache, "hlstudio", "ollama-"+Version, "ollama")
		if _, err := built(p); err == nil {
			return p, nil
		}
	}
	return exec.LookPath("ollama")
}

// waiting says that a test waits for the build (tests replace it).
var waiting = func(log string) {
	fmt.Fprintf(os.Stderr, "ollamatest: waiting for the ollama build to finish (log: %s)\n", log)
}

// built stats the binary at p once no build of it is running: the script
// holds an exclusive lock on build.lock beside the binary while it builds
// (see scripts/ollama-tiny.sh), so a shared lock is granted when it ends.
func built(p string) (os.FileInfo, error) {
	if fi, err := os.Stat(p); err == nil {
		return fi, nil
	}
	dir := filepath.Dir(p)
	f, err := os.Open(filepath.Join(dir, "build.lock"))
	if err != nil { // never built here
		return os.Stat(p)
	}
	defer f.Close()
	fd := int(f.Fd())
	if syscall.Flock(fd, syscall.LOCK_SH|syscall.LOCK_NB) != nil {
		waiting(filepath.Join(dir, "build.log"))
		syscall.Flock(fd, syscall.LOCK_SH)
	}
	syscall.Flock(fd, syscall.LOCK_UN)
	fi, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("%w (the last build's log: %s)", err, filepath.Join(dir, "build.log"))
	}
	return fi, nil
}

// Start runs a server for the test and stops it (by its PID) when the test
// ends. It skips the test when no binary is found, unless EnvRequire is set.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		if os.Getenv(EnvRequire) != "" {
			t.Fatalf("ollama binary not found (%v) and %s is set: run `make ollama-tiny` or set %s", err, EnvRequire, EnvBinary)
		}
		t.Skipf("ollama binary not found (%v): run `make ollama-tiny` or set %s to test against a real server", err, EnvBinary)
	}
	s := &Server{Dir: t.TempDir(), Model: Model}
	for _, d := range []string{"models", "home"} {
		if err := os.Mkdir(filepath.Join(s.Dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	// A free port can be taken between asking and binding; try again then.
	for attempt := 0; ; attempt++ {
		err = s.serve(t, bin)
		if err == nil {
			break
		}
		if attempt == 2 || !strings.Contains(err.Error(), "address already in use") {
			t.Fatalf("ollama serve: %v\n%s", err, s.logTail())
		}
	}
	s.Ready = time.Since(start)
	start = time.Now()
	if err := s.createTiny(); err != nil {
		t.Fatalf("creating the tiny model: %v\n%s", err, s.logTail())
	}
	s.Created = time.Since(start)
	return s
}

// serve starts the process and waits until it answers.
func (s *Server) serve(t testing.TB, bin string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	s.Addr = fmt.Sprintf("127.0.0.1:%d", port)
	s.Host = "http://" + s.Addr
	logf, err := os.Create(filepath.Join(s.Dir, "server.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(environ(),
		"OLLAMA_HOST="+s.Addr,
		"OLLAMA_MODELS="+filepath.Join(s.Dir, "models"),
		"HOME="+filepath.Join(s.Dir, "home"),
	)
	cmd.Stdout, cmd.Stderr = logf, logf
	// A test binary killed by its timeout runs no cleanup; the kernel then
	// stops the server instead of leaving it listening.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return err
	}
	s.PID = cmd.Process.Pid
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { s.stop(t, cmd.Process, exited) })

	deadline := time.After(20 * time.Second)
	for {
		select {
		case err := <-exited:
			exited <- err // for the cleanup
			return fmt.Errorf("exited before answering (%v): %s", err, s.logTail())
		case <-deadline:
			return errors.New("no answer on /api/version within 20s")
		case <-time.After(20 * time.Millisecond):
		}
		resp, err := http.Get(s.Host + "/api/version")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
}

// stop ends the server by its PID: SIGTERM lets it stop its model runners,
// SIGKILL follows if it does not exit.
func (s *Server) stop(t testing.TB, p *os.Process, exited chan error) {
	_ = p.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		_ = p.Kill()
		<-exited
		t.Logf("ollama serve (pid %d) ignored SIGTERM for 10s and was killed", p.Pid)
	}
	if t.Failed() {
		t.Logf("ollama server log:\n%s", s.logTail())
	}
}

// environ is the test's environment without the variables that would point
// the server at the user's own models or host.
func environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OLLAMA_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	return env
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// logTail is the end of the server log, for failure messages.
func (s *Server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "server.log"))
	const max = 4000
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}

// Client is an api client of the server.
func (s *Server) Client() *api.Client {
	u, _ := url.Parse(s.Host)
	return api.NewClient(u, http.DefaultClient)
}

// createTiny generates the model and creates it through the API, as
// `ollama create -f Modelfile` would: upload the GGUF blob, then create.
func (s *Server) createTiny() error {
	var gguf bytes.Buffer
	if err := tinymodel.Write(&gguf, tinymodel.DefaultSeed); err != nil {
		return err
	}
	digest := fmt.Sprintf("sha256:%x", sha256.Sum256(gguf.Bytes()))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := s.Client()
	if err := c.CreateBlob(ctx, digest, &gguf); err != nil {
		return err
	}
	stream := false
	return c.Create(ctx, &api.CreateRequest{
		Model:      s.Model,
		Files:      map[string]string{"tiny.gguf": digest},
		Template:   tinymodel.Template,
		Parameters: tinymodel.Parameters(),
		Stream:     &stream,
	}, func(api.ProgressResponse) error { return nil })
}
