package httpslots_test

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"hlstudio/engine"
	"hlstudio/engine/enginetest"
	"hlstudio/engine/httpslots"
	"hlstudio/hyperlambda"
)

// validators.recaptcha asks the verification server (here a local one
// standing in for Google's) and passes, or fails with the reference's
// public errors; the secret and token travel in the form body only.
func TestRecaptcha(t *testing.T) {
	scores := map[string]any{
		"good": map[string]any{"success": true, "score": 0.9},
		"low":  map[string]any{"success": true, "score": 0.1},
		"bad":  map[string]any{"success": false, "error-codes": []string{"invalid-input-response"}},
	}
	s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.RawQuery != "" || r.FormValue("secret") != "s3cret" {
			http.Error(w, "want a POST form with the secret, nothing in the URL", http.StatusBadRequest)
			return
		}
		json.NewEncoder(w).Encode(scores[r.FormValue("response")])
	}))
	defer s.Close()
	roots := x509.NewCertPool()
	roots.AddCert(s.Certificate())
	httpslots.SetTestRoots(roots)
	defer httpslots.SetTestRoots(nil)
	defer httpslots.SetRecaptchaURL(httpslots.SetRecaptchaURL(s.URL + "/recaptcha/api/siteverify"))
	p := policy(t, "constraints\r\n   http\r\n      origins\r\n         .:\""+s.URL+"\"\r\n      private-addresses:bool:true\r\n")
	call := func(token string) string {
		return "validators.recaptcha:" + token + "\r\n   site-key:key\r\n   secret:s3cret\r\n   min:decimal:0.5\r\n"
	}
	res, err := run(t, p, call("good"))
	if err != nil {
		t.Fatal(err)
	}
	if got := hyperlambda.Format(res.Lambda.Children(), hyperlambda.FormatOptions{}); got != "validators.recaptcha\r\n" {
		t.Fatalf("executed lambda %q", got)
	}
	for token, want := range map[string]struct {
		status int
		text   string
	}{"low": {400, "below 0.5, its value was 0.1"}, "bad": {500, "error code was 'invalid-input-response'"}} {
		_, err := run(t, p, call(token))
		var te *engine.ThrowError
		if !errors.As(err, &te) || te.Status != want.status || !te.Public || te.Field != "recaptcha" || !strings.Contains(te.Message, want.text) {
			t.Errorf("%s: got %#v", token, err)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: the error shows the secret: %v", token, err)
		}
	}
	// A low score is an error the program can catch, as the reference's.
	res, err = run(t, p, "try\r\n   "+strings.ReplaceAll(strings.TrimSuffix(call("low"), "\r\n"), "\r\n", "\r\n   ")+"\r\n.catch\r\n   return:caught\r\n")
	if err != nil || res.Value != "caught" {
		t.Fatalf("not caught: %v %v", res.Value, err)
	}
	_, err = run(t, p, "validators.recaptcha:good\r\n   secret:s3cret\r\n   min:decimal:0.5\r\n")
	if err == nil || !strings.Contains(err.Error(), "[site-key]") {
		t.Fatalf("missing site-key: %v", err)
	}
}

// Without a policy letting it reach Google, the check is a denial naming
// the host, never a silent pass.
func TestRecaptchaNeedsTheNetwork(t *testing.T) {
	_, err := run(t, enginetest.LoadPolicy(t, "sandbox"), "validators.recaptcha:token\r\n   site-key:key\r\n   secret:s\r\n   min:decimal:0.5\r\n")
	var de *engine.DeniedError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "validators.recaptcha") {
		t.Fatalf("want a denial, got %v", err)
	}
	_, err = run(t, policy(t, "constraints\r\n   http\r\n      origins\r\n         .:\"https://api.example.com\"\r\n"), "validators.recaptcha:token\r\n   site-key:key\r\n   secret:s\r\n   min:decimal:0.5\r\n")
	wantDenied(t, err, "www.google.com")
}
