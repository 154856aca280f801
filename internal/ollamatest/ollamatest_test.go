package ollamatest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestStartServesAndStops(t *testing.T) {
	var s *Server
	t.Run("start", func(t *testing.T) {
		s = Start(t)
		resp, err := http.Get(s.Host + "/api/tags")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if !strings.Contains(string(b), `"tiny:latest"`) {
			t.Errorf("tags %s", b)
		}
		// The server keeps its models and keys in the test's folder.
		if _, err := os.Stat(filepath.Join(s.Dir, "models", "manifests")); err != nil {
			t.Error(err)
		}
	})
	if s == nil {
		return // skipped
	}
	// The subtest's cleanup stopped the server by its PID.
	if err := syscall.Kill(s.PID, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("server pid %d still there after cleanup: %v", s.PID, err)
	}
}

// recorder stands in for a test to see whether Start skips or fails.
type recorder struct {
	testing.TB
	skipped, failed string
}

type stop struct{}

func (r *recorder) Helper() {}
func (r *recorder) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
	panic(stop{})
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	panic(stop{})
}

func TestStartWithoutBinary(t *testing.T) {
	t.Setenv(EnvBinary, filepath.Join(t.TempDir(), "no-ollama"))
	for _, require := range []string{"", "1"} {
		t.Setenv(EnvRequire, require)
		r := &recorder{TB: t}
		func() {
			defer func() {
				if p := recover(); p != nil && p != (stop{}) {
					panic(p)
				}
			}()
			Start(r)
		}()
		switch {
		case require == "" && (r.skipped == "" || r.failed != ""):
			t.Errorf("without %s: skipped %q, failed %q", EnvRequire, r.skipped, r.failed)
		case require != "" && (r.failed == "" || r.skipped != ""):
			t.Errorf("with %s: skipped %q, failed %q", EnvRequire, r.skipped, r.failed)
		}
		for _, msg := range []string{r.skipped, r.failed} {
			if msg != "" && !strings.Contains(msg, "make ollama-tiny") {
				t.Errorf("message %q does not say how to get the server", msg)
			}
		}
	}
}

func TestFakeSequence(t *testing.T) {
	f := NewFake(t)
	f.Handle("/api/chat", Status(500, "text/plain", "first"), Chat("m", "second"))
	var got []string
	for i := 0; i < 3; i++ {
		resp, err := http.Post(f.URL+"/api/chat", "application/json", strings.NewReader(fmt.Sprintf(`{"n":%d}`, i)))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got = append(got, fmt.Sprintf("%d %s", resp.StatusCode, strings.SplitN(string(b), "\n", 2)[0]))
	}
	if !strings.HasPrefix(got[0], "500 first") || !strings.Contains(got[1], `"second"`) || got[2] != got[1] {
		t.Errorf("answers %q", got)
	}
	resp, err := http.Get(f.URL + "/api/tags")
	if err != nil || resp.StatusCode != 404 {
		t.Errorf("unscripted path: %v %v", resp.StatusCode, err)
	}
	reqs := f.Requests()
	if len(reqs) != 4 || string(reqs[2].Body) != `{"n":2}` || reqs[3].Path != "/api/tags" {
		t.Errorf("requests %+v", reqs)
	}
}
