package httpslots_test

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"hlstudio/engine"
)

// Before audit 19, CheckURL stripped a trailing dot before it checks the host (so
// "127.0.0.1." is checked as the address 127.0.0.1, allowed here) but the
// request goes out with the URL as written, and Go dials "127.0.0.1." as a
// DNS name: the resolver is asked (here: "lookup 127.0.0.1.: no such
// host") for a host the policy only allowed as a literal address. The
// host checked and the host dialled must be the same: the request should
// either reach the allowed server or be refused, never become a DNS
// query for a name the check did not see.
func TestTrailingDotIsDialledAsChecked(t *testing.T) {
	var hits, seen atomic.Int64
	s := countingServer(t, &hits, &seen)
	port := s.URL[strings.LastIndexByte(s.URL, ':')+1:]
	p := policy(t, "constraints\r\n   http\r\n      origins\r\n         .:\"http://127.0.0.1:"+port+"\"\r\n      private-addresses:bool:true\r\nbudgets\r\n   time-ms:int:3000\r\n")
	_, err := run(t, p, "http.get:\"http://127.0.0.1.:"+port+"/hello\"")
	var de *engine.DeniedError
	switch {
	case err == nil && hits.Load() == 1:
	case errors.As(err, &de) && hits.Load() == 0:
	default:
		t.Fatalf("http://127.0.0.1.:%s passed the origin check as 127.0.0.1 but was dialled as another host: %v (server hits %d)", port, err, hits.Load())
	}
}
