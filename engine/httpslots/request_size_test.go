package httpslots_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"hlstudio/engine"
)

// countingServer counts requests and the bytes each one carried in its
// request line and headers.
func countingServer(t *testing.T, hits, seen *atomic.Int64) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		n := len(r.RequestURI)
		for k, vs := range r.Header {
			for _, v := range vs {
				n += len(k) + len(v)
			}
		}
		seen.Store(int64(n))
		io.WriteString(w, "ok")
	}))
	t.Cleanup(s.Close)
	return s
}

// Before audit 19, max-request-bytes bounded only the body: the same data sent in the URL
// ([query], or the URL written out) or in a [headers] value leaves
// unbounded. A policy of max-request-bytes:long:100 lets a GET carry 64
// KiB to the server. What a request carries out (URL, headers, body)
// should be bounded by the policy's limit, and refused before anything
// is sent.
func TestRequestBytesBoundURLAndHeaders(t *testing.T) {
	var hits, seen atomic.Int64
	s := countingServer(t, &hits, &seen)
	p := policy(t, "constraints\r\n   http\r\n      origins\r\n         .:\"http://127.0.0.1:*\"\r\n      private-addresses:bool:true\r\n      max-request-bytes:long:100\r\n")
	big := strings.Repeat("x", 64<<10)
	for name, src := range map[string]string{
		"query":   "http.get:\"" + s.URL + "/q\"\r\n   query\r\n      data:\"" + big + "\"",
		"url":     "http.get:\"" + s.URL + "/" + big + "\"",
		"headers": "http.get:\"" + s.URL + "/h\"\r\n   headers\r\n      X-Data:\"" + big + "\"",
		"token":   "http.get:\"" + s.URL + "/t\"\r\n   token:\"" + big + "\"",
	} {
		hits.Store(0)
		seen.Store(0)
		_, err := run(t, p, src)
		var de *engine.DeniedError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), "max-request-bytes") {
			t.Errorf("%s: want a denial naming max-request-bytes 100, got %T %v", name, err, err)
		}
		if hits.Load() != 0 {
			t.Errorf("%s: the server got %d request(s) carrying %d bytes of URL and headers under max-request-bytes 100", name, hits.Load(), seen.Load())
		}
	}
}
