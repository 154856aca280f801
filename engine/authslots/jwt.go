package authslots

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"time"
	"unicode/utf16"

	"hlstudio/engine"
)

// jwtHeader is the header the reference's JwtSecurityTokenHandler writes
// for an HMAC-SHA256 key, in its order.
const jwtHeader = `{"alg":"HS256","typ":"JWT"}`

// The reference pads a secret shorter than 50 (UTF-16) characters with
// this text before signing, so that .NET's HS256 has the 32 bytes of key
// it insists on; padding the same way keeps tickets made here valid for a
// Magic configured with the same secret.
const (
	secretPadding  = "abcdefghijklmnopqrstuvwxyz1234567890"
	minSecretChars = 50
)

var errNoSecret = errors.New(`needs a secret to sign tickets with, and the policy's config has no "magic:auth:secret": ` +
	`add one to the policy file under constraints, config, e.g. "magic:auth:secret":"a long random text"`)

// signingKey is the policy's secret as the reference turns it into an
// HMAC key. The secret never appears in an error.
func signingKey(r *engine.Run) ([]byte, error) {
	secret := r.Policy().Constraints().Config[secretKey]
	if secret == "" {
		return nil, errNoSecret
	}
	if len(utf16.Encode([]rune(secret))) < minSecretChars {
		secret += secretPadding
	}
	return []byte(secret), nil
}

// issue writes t as a signed JWT, valid from now until exp, counting it
// against the output budget.
func issue(r *engine.Run, t ticket, now, exp time.Time) (string, error) {
	key, err := signingKey(r)
	if err != nil {
		return "", err
	}
	// The claims' text is in the token at least once (base64 makes it a
	// third longer): refused before any of it is written out.
	raw := len(t.username)
	for _, role := range t.roles {
		raw += len(role)
	}
	for _, c := range t.claims {
		raw += len(c[0]) + len(c[1])
	}
	enc := base64.RawURLEncoding
	if err := r.OutputRoom(enc.EncodedLen(raw)); err != nil {
		return "", err
	}
	payload := claimsJSON(t, now, exp)
	header := enc.EncodeToString([]byte(jwtHeader))
	size := len(header) + 1 + enc.EncodedLen(len(payload)) + 1 + enc.EncodedLen(sha256.Size)
	if err := r.OutputRoom(size); err != nil {
		return "", err
	}
	token := make([]byte, 0, size)
	token = append(token, header...)
	token = append(token, '.')
	token = enc.AppendEncode(token, payload)
	mac := hmac.New(sha256.New, key)
	mac.Write(token)
	token = append(token, '.')
	token = enc.AppendEncode(token, mac.Sum(nil))
	return string(token), r.Output(len(token))
}

// claimsJSON is the payload as the reference's JwtPayload writes it: the
// user's name (unique_name), the roles (role), the further claims, then
// nbf, exp and iat in whole seconds. A name given more than once holds an
// array of its values, in order, at its first place.
func claimsJSON(t ticket, now, exp time.Time) []byte {
	var names []string
	values := map[string][]string{}
	add := func(name, value string) {
		if _, seen := values[name]; !seen {
			names = append(names, name)
		}
		values[name] = append(values[name], value)
	}
	add("unique_name", t.username)
	for _, role := range t.roles {
		add("role", role)
	}
	for _, c := range t.claims {
		add(c[0], c[1])
	}
	var b bytes.Buffer
	str := json.NewEncoder(&b)
	str.SetEscapeHTML(false) // as the reference: <, > and & as they are
	writeString := func(s string) {
		_ = str.Encode(s) // a string always encodes
		b.Truncate(b.Len() - 1)
	}
	b.WriteByte('{')
	for i, name := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(name)
		b.WriteByte(':')
		vs := values[name]
		if len(vs) == 1 {
			writeString(vs[0])
			continue
		}
		b.WriteByte('[')
		for j, v := range vs {
			if j > 0 {
				b.WriteByte(',')
			}
			writeString(v)
		}
		b.WriteByte(']')
	}
	for _, c := range []struct {
		name string
		at   time.Time
	}{{"nbf", now}, {"exp", exp}, {"iat", now}} {
		b.WriteString(`,"` + c.name + `":`)
		b.WriteString(strconv.FormatInt(epochSeconds(c.at), 10))
	}
	b.WriteByte('}')
	return b.Bytes()
}

// epochSeconds is the reference's EpochTime.GetIntDate: whole seconds
// since 1970, and 0 for any earlier time.
func epochSeconds(t time.Time) int64 {
	if s := t.Unix(); s > 0 {
		return s
	}
	return 0
}
