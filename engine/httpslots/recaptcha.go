package httpslots

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/shopspring/decimal"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// recaptchaURL is Google's verification endpoint (tests point it at a
// local server, see export_test.go).
var recaptchaURL = "https://www.google.com/recaptcha/api/siteverify"

var recaptchaSlot = engine.Slot{Sig: whitelist.Signature{Name: "validators.recaptcha",
	Doc:   "asks Google's reCAPTCHA whether the token scores at least [min]; an error (public, status 400) when it does not",
	Value: whitelist.ValueSpec{Required: true, Expr: true, Doc: "the token the page got from reCAPTCHA"},
	Args: []whitelist.Arg{{Name: "site-key", Required: true, Doc: "the site's reCAPTCHA key"},
		{Name: "secret", Required: true, Doc: "the site's secret (config.get it; never in the code)"},
		{Name: "min", Required: true, Doc: "the lowest acceptable score, 0 to 1"}},
	Effects: whitelist.Network}, Fn: recaptcha}

// recaptcha is the reference's validators.recaptcha, through the
// policy's HTTP constraints like any request (the policy must allow
// https://www.google.com): the secret and the token go in a form body,
// not in the URL, so no denial or log shows them.
func recaptcha(r *engine.Run, n *hyperlambda.Node) error {
	v, err := hyperlambda.Value(n)
	if err != nil {
		return err
	}
	token := hyperlambda.StringOf(v)
	if v == nil || token == "" {
		return errors.New("no value/token supplied to [validators.recaptcha]")
	}
	args := map[string]string{}
	for _, name := range []string{"site-key", "secret"} {
		a, ok, err := r.Arg(n, name)
		if err != nil {
			return err
		}
		if !ok || a == nil || hyperlambda.StringOf(a) == "" {
			return fmt.Errorf("no [%s] supplied to [validators.recaptcha]", name)
		}
		args[name] = hyperlambda.StringOf(a)
	}
	m, ok, err := r.Arg(n, "min")
	if err != nil {
		return err
	}
	min, err := decimal.NewFromString(hyperlambda.StringOf(m))
	if !ok || m == nil || err != nil {
		return fmt.Errorf("[min] of [validators.recaptcha] must be a number from 0 to 1, e.g. min:decimal:0.5")
	}
	n.Clear()
	n.Value = nil
	pol := r.Policy()
	u, err := pol.Constraints().Effects.HTTP.CheckURL(recaptchaURL)
	if err != nil {
		return r.Deny(n, fmt.Sprintf("policy %s refuses POST %s: %s", pol.Name, recaptchaURL, err))
	}
	form := url.Values{"secret": {args["secret"]}, "response": {token}}.Encode()
	hs := []header{{"Content-Type", "application/x-www-form-urlencoded"}}
	resp, content, err := send(r, n, "POST", recaptchaURL, u, hs, []byte(form), 0)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("reCAPTCHA answered %s, not success: can this server reach %s?", resp.Status, recaptchaURL)
	}
	var answer struct {
		Success    bool     `json:"success"`
		Score      *float64 `json:"score"`
		ErrorCodes []string `json:"error-codes"`
	}
	if err := json.Unmarshal(content, &answer); err != nil {
		return fmt.Errorf("reCAPTCHA's answer is not JSON: %v", err)
	}
	if !answer.Success || answer.Score == nil {
		code := "null"
		if len(answer.ErrorCodes) > 0 {
			code = answer.ErrorCodes[0]
		}
		return &engine.ThrowError{Message: fmt.Sprintf("there was an error while invoking reCAPTCHA, error code was '%s'", code), Status: 500, Public: true, Field: "recaptcha"}
	}
	score := decimal.NewFromFloat(*answer.Score)
	if score.LessThan(min) {
		return &engine.ThrowError{Message: fmt.Sprintf("invocation to reCAPTCHA was below %s, its value was %s", min, score), Status: 400, Public: true, Field: "recaptcha"}
	}
	return nil
}
