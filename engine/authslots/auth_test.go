package authslots

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// policyText is a policy allowing pure slots and the clock, with a fixed
// clock (2026-03-04T05:06:07.089Z, 1772600767 s) and the config entries
// given (key, value, key, value...).
func policyText(clock bool, config ...string) string {
	var b strings.Builder
	b.WriteString("name:test\r\nallow\r\n   effects:pure,time\r\nbudgets\r\n   output-bytes:long:100000\r\nconstraints\r\n")
	if clock {
		b.WriteString("   clock:date:\"2026-03-04T05:06:07.089Z\"\r\n")
	}
	b.WriteString("   identity\r\n      username:jane\r\n      roles:admin,user\r\n")
	if len(config) > 0 {
		b.WriteString("   config\r\n")
		for i := 0; i+1 < len(config); i += 2 {
			b.WriteString("      \"" + config[i] + "\":\"" + config[i+1] + "\"\r\n")
		}
	}
	return b.String()
}

const fixedNow = 1772600767

func run(t *testing.T, pol, src string) (*engine.Result, *hyperlambda.Node, error) {
	t.Helper()
	e := engine.New()
	if err := Register(e); err != nil {
		t.Fatal(err)
	}
	p, err := whitelist.Parse("p.hl", []byte(pol))
	if err != nil {
		t.Fatal(err)
	}
	lambda, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Execute(context.Background(), lambda, p)
	return res, lambda, err
}

// token runs src and returns the value of its first top-level node.
func token(t *testing.T, pol, src string) string {
	t.Helper()
	_, lambda, err := run(t, pol, src)
	if err != nil {
		t.Fatal(err)
	}
	s, ok := lambda.Children()[0].Value.(string)
	if !ok {
		t.Fatalf("no token: %v", lambda.Children()[0].Value)
	}
	return s
}

// decoded is a JWT taken apart by this test, without the package's code:
// its header and claims as JSON objects, checked against the signature
// made with key.
type decoded struct {
	header map[string]any
	claims map[string]any
	// claimsText keeps the order the claims were written in.
	claimsText string
}

func decode(t *testing.T, tok string, key []byte) decoded {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("%q: %d parts, want 3", tok, len(parts))
	}
	var d decoded
	for i, dst := range []*map[string]any{&d.header, &d.claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		if i == 1 {
			d.claimsText = string(raw)
		}
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if got := parts[2]; got != base64.RawURLEncoding.EncodeToString(mac.Sum(nil)) {
		t.Fatalf("signature %s does not verify with key %q", got, key)
	}
	return d
}

func seconds(t *testing.T, d decoded, name string) int64 {
	t.Helper()
	v, ok := d.claims[name].(float64)
	if !ok {
		t.Fatalf("claim %s: %v, want a number", name, d.claims[name])
	}
	return int64(v)
}

// A ticket with a fixed clock and a fixed secret, taken apart: the
// reference's header, claims in its order, and an HMAC-SHA256 signature
// with the secret padded as the reference pads one under 50 characters.
func TestKnownTicket(t *testing.T) {
	tok := token(t, policyText(true, "magic:auth:secret", "a-test-secret"), `auth.ticket.create
   username:jane
   roles
      :admin
      :user
   claims
      email:"<jane>&co@example.com"
      role:auditor
`)
	d := decode(t, tok, []byte("a-test-secretabcdefghijklmnopqrstuvwxyz1234567890"))
	if !strings.HasPrefix(tok, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.") {
		t.Errorf("header %v is not the reference's {\"alg\":\"HS256\",\"typ\":\"JWT\"}", d.header)
	}
	want := `{"unique_name":"jane","role":["admin","user","auditor"],"email":"<jane>&co@example.com","nbf":1772600767,"exp":1772601967,"iat":1772600767}`
	if d.claimsText != want {
		t.Errorf("claims\n%s\nwant\n%s", d.claimsText, want)
	}
	// The same through the decoded values, so a byte-level slip above
	// cannot hide a wrong value.
	if d.claims["unique_name"] != "jane" || seconds(t, d, "nbf") != fixedNow || seconds(t, d, "iat") != fixedNow ||
		seconds(t, d, "exp") != fixedNow+20*60 {
		t.Errorf("claims %v", d.claims)
	}
	// A secret of 50 characters or more is used as it is; the count is
	// of UTF-16 units, as .NET's string length.
	long := strings.Repeat("0123456789", 5)
	decode(t, token(t, policyText(true, "magic:auth:secret", long), "auth.ticket.create\r\n   username:jane\r\n"), []byte(long))
	astral := strings.Repeat("😀", 25) // 25 runes, 50 UTF-16 units
	decode(t, token(t, policyText(true, "magic:auth:secret", astral), "auth.ticket.create\r\n   username:jane\r\n"), []byte(astral))
	short := strings.Repeat("é", 49)
	decode(t, token(t, policyText(true, "magic:auth:secret", short), "auth.ticket.create\r\n   username:jane\r\n"),
		[]byte(short+"abcdefghijklmnopqrstuvwxyz1234567890"))
}

// The lifetime: [expires], else [duration], else the config's valid
// minutes, else 20 minutes.
func TestExpiry(t *testing.T) {
	const secret = "magic:auth:secret"
	key := []byte("s3cretabcdefghijklmnopqrstuvwxyz1234567890")
	for _, c := range []struct {
		name   string
		config []string
		args   string
		want   int64
	}{
		{"default", nil, "", fixedNow + 20*60},
		{"config", []string{"magic:auth:valid-minutes", " 90 "}, "", fixedNow + 90*60},
		{"duration over config", []string{"magic:auth:valid-minutes", "90"}, "   duration:long:7\r\n", fixedNow + 7*60},
		{"duration as text", nil, "   duration:\"7\"\r\n", fixedNow + 7*60},
		{"expires over duration", nil, "   duration:int:7\r\n   expires:date:\"2026-03-05T00:00:00.000Z\"\r\n", 1772668800},
		{"expires as text", nil, "   expires:\"2026-03-05T00:00:00.000Z\"\r\n", 1772668800},
		{"expires null", nil, "   expires:x:@.none\r\n   duration:int:3\r\n", fixedNow + 3*60},
		{"five years", nil, "   expires:date:\"0001-01-01T00:00:00.000Z\"\r\n", 1930367167},
	} {
		t.Run(c.name, func(t *testing.T) {
			pol := policyText(true, append([]string{secret, "s3cret"}, c.config...)...)
			for _, slot := range []string{"auth.ticket.create\r\n   username:jane\r\n", "auth.ticket.refresh\r\n"} {
				d := decode(t, token(t, pol, slot+c.args), key)
				if got := seconds(t, d, "exp"); got != c.want {
					t.Errorf("%s: exp %d, want %d", strings.Fields(slot)[0], got, c.want)
				}
				if d.claims["unique_name"] != "jane" {
					t.Errorf("%s: %v", strings.Fields(slot)[0], d.claims)
				}
			}
		})
	}
}

// Five years from 29 February is 28 February, as .NET's AddYears.
func TestFiveYearsFromLeapDay(t *testing.T) {
	pol := strings.Replace(policyText(true, "magic:auth:secret", "s"), "2026-03-04T05:06:07.089Z", "2028-02-29T12:00:00.000Z", 1)
	d := decode(t, token(t, pol, "auth.ticket.create\r\n   username:jane\r\n   expires:date:\"0001-01-01T00:00:00.000\"\r\n"), []byte("sabcdefghijklmnopqrstuvwxyz1234567890"))
	if got, want := time.Unix(seconds(t, d, "exp"), 0).UTC(), time.Date(2033, 2, 28, 12, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("exp %s, want %s", got, want)
	}
}

// Without a fixed clock the ticket is dated by the wall clock.
func TestWallClock(t *testing.T) {
	before := time.Now().Unix()
	d := decode(t, token(t, policyText(false, "magic:auth:secret", "s"), "auth.ticket.create\r\n   username:jane\r\n"), []byte("sabcdefghijklmnopqrstuvwxyz1234567890"))
	after := time.Now().Unix()
	if iat := seconds(t, d, "iat"); iat < before || iat > after || seconds(t, d, "exp") != iat+1200 {
		t.Errorf("iat %d, exp %d; the run was between %d and %d", iat, seconds(t, d, "exp"), before, after)
	}
}

// Every error a user can cause is a clear error, and none of them, nor
// the log, holds the secret.
func TestErrorsKeepTheSecret(t *testing.T) {
	const secret = "Sup3r-s3cret-DO-NOT-SHOW"
	for _, c := range []struct {
		name, config, src, want string
	}{
		{"bad valid-minutes", "twenty", "auth.ticket.create\r\n   username:jane\r\n", "magic:auth:valid-minutes"},
		{"expired", "", "auth.ticket.create\r\n   username:jane\r\n   duration:int:0\r\n", "not after now"},
		{"negative", "", "auth.ticket.refresh\r\n   duration:int:-5\r\n", "not after now"},
		{"beyond 9999", "", "auth.ticket.create\r\n   username:jane\r\n   duration:long:9223372036854775807\r\n", "9999-12-31"},
		{"before year 1", "", "auth.ticket.create\r\n   username:jane\r\n   duration:long:-9223372036854775808\r\n", "0001-01-01"},
		{"fractional duration", "", "auth.ticket.create\r\n   username:jane\r\n   duration:double:1.5\r\n", "whole number of minutes"},
		{"expires not a date", "", "auth.ticket.create\r\n   username:jane\r\n   expires:int:5\r\n", "[expires]: needs a date"},
		{"reserved claim", "", "auth.ticket.create\r\n   username:jane\r\n   claims\r\n      exp:1\r\n", "exp is the ticket's own date claim"},
		{"unnamed claim", "", "auth.ticket.create\r\n   username:jane\r\n   claims\r\n      :x\r\n", "a claim needs a name"},
		{"null claim", "", "auth.ticket.create\r\n   username:jane\r\n   claims\r\n      email\r\n", "email: a claim cannot be null"},
		{"null role", "", "auth.ticket.create\r\n   username:jane\r\n   roles\r\n      :admin\r\n      .\r\n", "child 1: a role cannot be null"},
		{"no username", "", "auth.ticket.create\r\n   roles\r\n", "needs argument [username]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			config := []string{"magic:auth:secret", secret}
			if c.config != "" {
				config = append(config, "magic:auth:valid-minutes", c.config)
			}
			res, _, err := run(t, policyText(true, config...), c.src)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
			if strings.Contains(err.Error(), "Sup3r") {
				t.Errorf("the error shows the secret: %v", err)
			}
			if len(res.Log) > 0 {
				t.Errorf("log: %v", res.Log)
			}
		})
	}
}

// No secret (or an empty one): an error that says where it goes.
func TestMissingSecret(t *testing.T) {
	for _, pol := range []string{policyText(true), policyText(true, "magic:auth:secret", ""), policyText(true, "other", "x")} {
		for _, src := range []string{"auth.ticket.create\r\n   username:jane\r\n", "auth.ticket.refresh\r\n"} {
			_, _, err := run(t, pol, src)
			if err == nil || !strings.Contains(err.Error(), `constraints, config, e.g. "magic:auth:secret":`) {
				t.Errorf("%s: error %v", strings.Fields(src)[0], err)
			}
		}
	}
}

// Both slots read the clock: a policy without the time effect denies
// them before they run.
func TestClockDenied(t *testing.T) {
	pol := strings.Replace(policyText(true, "magic:auth:secret", "s"), "effects:pure,time", "effects:pure", 1)
	for _, src := range []string{"auth.ticket.create\r\n   username:jane\r\n", "auth.ticket.refresh\r\n"} {
		res, _, err := run(t, pol, src)
		var denied *engine.DeniedError
		if !errors.As(err, &denied) || len(res.Denials) != 1 {
			t.Errorf("%s: %T %v, want a denial", strings.Fields(src)[0], err, err)
		}
	}
}

// A ticket counts against the output budget, and one that would not fit
// is refused before it is made.
func TestOutputBudget(t *testing.T) {
	pol := strings.Replace(policyText(true, "magic:auth:secret", "s"), "output-bytes:long:100000", "output-bytes:long:300", 1)
	res, _, err := run(t, pol, "auth.ticket.create\r\n   username:jane\r\n")
	if err != nil {
		t.Fatal(err)
	}
	if res.Usage.OutputBytes < 150 {
		t.Errorf("a ticket counted %d bytes", res.Usage.OutputBytes)
	}
	big := strings.Repeat("x", 1000)
	_, _, err = run(t, pol, "auth.ticket.create\r\n   username:"+big+"\r\n")
	var be *engine.BudgetError
	if !errors.As(err, &be) || be.Budget != "output-bytes" {
		t.Fatalf("%T %v, want the output budget", err, err)
	}
	// Just over the budget once written (JSON escapes make it longer
	// than its claims).
	_, _, err = run(t, pol, "auth.ticket.create\r\n   username:\""+strings.Repeat(`\a`, 30)+"\"\r\n")
	if !errors.As(err, &be) || be.Budget != "output-bytes" {
		t.Fatalf("%T %v, want the output budget", err, err)
	}
}
