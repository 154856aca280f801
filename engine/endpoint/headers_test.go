package endpoint_test

import (
	"context"
	"testing"

	"hlstudio/engine/endpoint"
	"hlstudio/engine/enginetest"
	"hlstudio/engine/vocab"
	"hlstudio/hyperlambda"
)

// Before audit 19, response.headers.set refused only CR, LF, space and
// colon, so the run recorded headers no HTTP response can carry: names that are not HTTP
// tokens (a tab, a vertical tab, parentheses, non-ASCII) and values with
// control characters (vertical tab, form feed, BEL, DEL; several HTTP
// parsers take \v and \f as line breaks or whitespace). net/http refuses
// every one of them (httpguts.ValidHeaderFieldName/Value), as
// response.cookies.set already applies net/http's rules to cookies ("what
// a real response could carry"). Each should be an error and leave no
// header recorded.
func TestResponseHeadersAreValidHTTP(t *testing.T) {
	e := vocab.New()
	policy := enginetest.LoadPolicy(t, "pure")
	for _, h := range []string{
		"\"X\\tA\":1",
		"\"X\\vA\":1",
		"\"X(A)\":1",
		"\"X-\u00e9\":1",
		"X-A:\"a\\vb\"",
		"X-A:\"a\\fb\"",
		"X-A:\"a\\ab\"",
		"X-A:\"a\x7fb\"",
	} {
		lambda, err := hyperlambda.ParseString("response.headers.set\n   "+h+"\n", hyperlambda.ParseOptions{})
		if err != nil {
			t.Fatalf("%s: %v", h, err)
		}
		resp, _, err := endpoint.Invoke(context.Background(), e, lambda, hyperlambda.New("", nil), policy)
		if err == nil || len(resp.Headers) != 0 {
			t.Errorf("%s: recorded %q (error %v); want an error and no header", h, resp.Headers, err)
		}
	}
}

// The request side had the same gap: Request.Check (what `hlstudio run
// --header` and the studio's request section are checked with) accepts
// header names that are not tokens and values with control characters,
// which request.headers.get then hands to the program as a header the
// request "carried".
func TestRequestHeadersAreValidHTTP(t *testing.T) {
	for _, h := range [][2]string{{"X\tA", "1"}, {"X(A)", "1"}, {"X-A", "a\vb"}, {"X-A", "a\x00b"}} {
		r := endpoint.DefaultRequest()
		r.Headers = [][2]string{h}
		if err := r.Check(); err == nil {
			t.Errorf("header %q: %q accepted", h[0], h[1])
		}
	}
}

// Audit 19: a program can compute an ESC (here through JSON's \u001b) and record it
// in a response header; `hlstudio run` prints the recorded headers raw to
// the terminal ("response: status 200, X-A: ..." in app/run.go), so the
// generated program writes terminal escape sequences (title, OSC 52
// clipboard, hidden text) into the operator's terminal. The header should
// be refused like any other control character.
func TestResponseHeaderRefusesComputedEscape(t *testing.T) {
	e := vocab.New()
	policy := enginetest.LoadPolicy(t, "pure")
	src := "json2lambda:\"{\\\"v\\\":\\\"\\\\u001b]0;pwned\\\\u0007\\\\u001b[2J\\\"}\"\nresponse.headers.set\n   X-A:x:@json2lambda/*/v\n"
	lambda, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	resp, _, err := endpoint.Invoke(context.Background(), e, lambda, hyperlambda.New("", nil), policy)
	if err == nil || len(resp.Headers) != 0 {
		t.Fatalf("recorded %q (error %v); want an error and no header", resp.Headers, err)
	}
}
