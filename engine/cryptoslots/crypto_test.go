package cryptoslots

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/big"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// Known answers, made with Python's cryptography package (OpenSSL), not
// with this package: two 1024-bit key pairs A and B as the reference
// writes them, A's signature of "hello world", "hello world" RSA-encrypted
// for A, AES-GCM-encrypted with the password "secret" (nonce 00..0b), a
// crypto.sign package of it by A, and a crypto.encrypt package of that
// for B (session key 100..131, nonce 50..61), laid out as the reference's
// BinaryWriter writes them.
const (
	keyAPrivate     = "MIICdwIBADANBgkqhkiG9w0BAQEFAASCAmEwggJdAgEAAoGBALpfJ4bntN9HGI3eVtuwBQwpc3BtB5ljiB0aAShHK/mvRdZpONvooP2hsHptl1epL5hvjSwSI0KVRh9IKFwHh78tHr4erXQL1LS3+izBFAurxsPwYtjOf30yBLjCKM7u9bnNXa91xO/c+ckvIHsZxSfNTJ21Z3oeD9YoJZtcAERzAgMBAAECgYEArxT7Lhn4ahUBNS2djW5zn3RFVWWn0OqXETe/xJXv8vU8d2uMFdMZgovmHW1c0uZGpz6Mcc1sQH25TWPdPm94jn0OLu0TmYYTTHhj2iRfxVqK0Ezd182MHltPXV2LtI1yFIeGIwoJmfhYFTSvVWNYlYhe4a3hvZg9ZQgq1f8S5fkCQQDx1qmcW6rPJ0AIqyGZHOugWjsnp7MW+5nO3MjFcHfLkXEivoi1HKRlrXajggcVYUueG+2DkaWe48Y8KoPJIZmPAkEAxUkA1x30BmHX2QieyZo35e8gpYL2/9H6KukymZEAHhRJbMaiU1jr3BTNNI8lo4pW4pN0aTCfrUbgYEY6TnQM3QJBANEQIJoxyIzCQqH7xtTFYpDB0Ces2q5AnStuRAYi/vy1Y9eEXUwsUZYwicI58wOxk5xASmiV7VZZVBLJMhoa+NMCQFbYxkfsZaoRlGV0SAJTo1vTIrn5pyYCl3AgbCfyDu0u3QvHfVnXgSzG83a5tUYC9jCT3OEZiJFM7CU1hSFYMPkCQHg2xdIoHH4LxonkOaBt2JXshdhpq10M3hAri9/OV3pjxeV5abrpkYgdtidSSQLv4SzcdsbnLCK4qtvQfT44CFg="
	keyAPublic      = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC6XyeG57TfRxiN3lbbsAUMKXNwbQeZY4gdGgEoRyv5r0XWaTjb6KD9obB6bZdXqS+Yb40sEiNClUYfSChcB4e/LR6+Hq10C9S0t/oswRQLq8bD8GLYzn99MgS4wijO7vW5zV2vdcTv3PnJLyB7GcUnzUydtWd6Hg/WKCWbXABEcwIDAQAB"
	keyAFingerprint = "8110-1604-145e-59b7-59f0-6762-ccec-2d35-55a5-fb53-5020-547b-b396-7ed8-e363-5778"
	keyAPrivatePEM  = `-----BEGIN RSA PRIVATE KEY-----
MIICXQIBAAKBgQC6XyeG57TfRxiN3lbbsAUMKXNwbQeZY4gdGgEoRyv5r0XWaTjb
6KD9obB6bZdXqS+Yb40sEiNClUYfSChcB4e/LR6+Hq10C9S0t/oswRQLq8bD8GLY
zn99MgS4wijO7vW5zV2vdcTv3PnJLyB7GcUnzUydtWd6Hg/WKCWbXABEcwIDAQAB
AoGBAK8U+y4Z+GoVATUtnY1uc590RVVlp9DqlxE3v8SV7/L1PHdrjBXTGYKL5h1t
XNLmRqc+jHHNbEB9uU1j3T5veI59Di7tE5mGE0x4Y9okX8VaitBM3dfNjB5bT11d
i7SNchSHhiMKCZn4WBU0r1VjWJWIXuGt4b2YPWUIKtX/EuX5AkEA8dapnFuqzydA
CKshmRzroFo7J6ezFvuZztzIxXB3y5FxIr6ItRykZa12o4IHFWFLnhvtg5GlnuPG
PCqDySGZjwJBAMVJANcd9AZh19kInsmaN+XvIKWC9v/R+irpMpmRAB4USWzGolNY
69wUzTSPJaOKVuKTdGkwn61G4GBGOk50DN0CQQDRECCaMciMwkKh+8bUxWKQwdAn
rNquQJ0rbkQGIv78tWPXhF1MLFGWMInCOfMDsZOcQEpole1WWVQSyTIaGvjTAkBW
2MZH7GWqEZRldEgCU6Nb0yK5+acmApdwIGwn8g7tLt0Lx31Z14EsxvN2ubVGAvYw
k9zhGYiRTOwlNYUhWDD5AkB4NsXSKBx+C8aJ5DmgbdiV7IXYaatdDN4QK4vfzld6
Y8XleWm66ZGIHbYnUkkC7+Es3HbG5ywiuKrb0H0+OAhY
-----END RSA PRIVATE KEY-----
`
	keyAPublicPEM = `-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC6XyeG57TfRxiN3lbbsAUMKXNw
bQeZY4gdGgEoRyv5r0XWaTjb6KD9obB6bZdXqS+Yb40sEiNClUYfSChcB4e/LR6+
Hq10C9S0t/oswRQLq8bD8GLYzn99MgS4wijO7vW5zV2vdcTv3PnJLyB7GcUnzUyd
tWd6Hg/WKCWbXABEcwIDAQAB
-----END PUBLIC KEY-----
`
	keyBPrivate        = "MIICdwIBADANBgkqhkiG9w0BAQEFAASCAmEwggJdAgEAAoGBALSl07h4vj8fPJ2OkNzoqOnHiBhWblP27F5QUh0yJA2D7lXYnNJa7wrgbWhLlE24StchE6ZXYIbSjP/FoF1yVwNjmOXSGNY4/hdPBZkWqdEIIdVuDJio1AtgeGZNw++hrSM+5w66Lmi8v9K4HKu8eTdoyyk5e/8l2a3stBaTtl6BAgMBAAECgYEAraYyDUPT7S2DwRjIW/IyXPd29Z4v0/qqYEbpiDMowO0vb8oXhYXv/w6ZXQY5+zPKjV24W8/mc/N1onBApVNCG9o2D8JS591SlilHSIEvdI+mWbF+wxMBxWu0IjYGPc8bhXJtpkC44bfHa7jtHZHHkvJEVpii9SUJ3q/H4/6tsCECQQDunX4n87TQFxIvAsiFWh0hFnuFw4TfTde6HLN9BwnIg8IuhM+BCdzkBovNldi5enGsdAb8P6OFx5B4pz/x0cOlAkEAwc8pDQCKeD6spwXjQBA/C2bkGHIVxWy2hmMvHN8+hvtPyzdr+GWDf0l00T9eFu07GhMjQl++rAeqHvzzV/gIrQJBAIGTqv99G3JpJOm8hDHOVsUyFU/1dgFhn0Wk8l9x5AEsc9WZL6nuNjLpzx+MQQ2wDWzN8UEoOd+bGLw8bsAd3jUCQBa/RcYs5hOu53zDCCUgwwWHkgX8femqFNI5GfJ9kU0uefMUEiwZXhG2gWt90IFIXsN0s5K6whpW2/S/I6CTkBECQCJnddP1tSNBc4pAlTD8It4YsjUjMnFKCHIhk7STqi+XNJC1jAJaD71oBXsCSGtoZOZWfQgsbTzUmo5wbO5d4n4="
	keyBPublic         = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC0pdO4eL4/HzydjpDc6Kjpx4gYVm5T9uxeUFIdMiQNg+5V2JzSWu8K4G1oS5RNuErXIROmV2CG0oz/xaBdclcDY5jl0hjWOP4XTwWZFqnRCCHVbgyYqNQLYHhmTcPvoa0jPucOui5ovL/SuByrvHk3aMspOXv/Jdmt7LQWk7ZegQIDAQAB"
	keyBFingerprint    = "cc99-f7ad-4295-c874-a198-ebce-b79e-c240-726c-b393-f6a1-fc9f-16ed-76d3-97ce-e0c2"
	signatureAHello    = "X/lhS03Y7p4ekYseB093Xu8IibwWRIUY4VKojpmINHuLwPrbeZgEUrhwqVZ8BujFct57rhBwpVkmkHG/0AivFaBO75WgzbwbOlCwxyNVpkoKGyI4XX8TOiYDNmGLHk1QLscGjA+dYr0blHt8zjLySqf8jKUEcNVR7rKJzfILGmo="
	rsaEncryptedAHello = "dFxJeocxkI06OgUyZNDvIvSVWO5YmDlQGxJ4AOKckEmiPezWN+is+NRIx3E2es/jkPC1BET+zBBFey6SyomQwXFpn+HGxB5bCDGRhY7nT8mzGNCKPmQnBZCEHyc3oH6+fdNSu5Co3nve36G4icnnZimrjjs5BRtz9K3CwbOotJc="
	aesSecretHello     = "AAECAwQFBgcICQoLwbPI5wbjEu6zOBqxXhiiLh0RPg9nlTpk2Gzu"
	signedAHello       = "gRAWBBReWbdZ8GdizOwtNVWl+1NQIFR7s5Z+2ONjV3iAAAAAX/lhS03Y7p4ekYseB093Xu8IibwWRIUY4VKojpmINHuLwPrbeZgEUrhwqVZ8BujFct57rhBwpVkmkHG/0AivFaBO75WgzbwbOlCwxyNVpkoKGyI4XX8TOiYDNmGLHk1QLscGjA+dYr0blHt8zjLySqf8jKUEcNVR7rKJzfILGmpoZWxsbyB3b3JsZA=="
	encryptedBAHello   = "zJn3rUKVyHShmOvOt57CQHJss5P2ofyfFu1205fO4MKAAAAAgcc5DIejCuQ/84Q/w396ksDuLxUjDKyKgQy1KCDvT1vDzLPHHJ2NQcLjLAM8P377O9lLmVAQ4gBVmdeLzqXhJb/EeHQ4M7gD1pIdqHlP/IQTtic0T/vqLsd39NR2wK62g5cW1/KXR9V1B2bEH6ISFVqdEVS27KsDf+kDrPPKQtMyMzQ1Njc4OTo7PD15gyhC+CqlFoJdwb+dgtnj87KgR+8OJKzoEn6pIWJ+fYrxgvjuQE2p0fCTdZ6mHtmKezhyPyizFBmQ4vcYkOLTyeV2xT7pdOPDVoiXGhELNqILcleVE0DmtbQ6DGYvlko//8zHZO3KIGbHWU1FfjhrnjUKDJAmyA00+Whi50rqw9H/WymdhazBliRhHKjxp/79XbRIRlf7UtIWgDdtHoeSNzNQqw5XYzi0EU48bBg3Wp2KMl1UsN+U7PZvzpTncw=="
	// Keys no slot may use: RSA under 1024 bits, and a P-256 (ECDSA) key.
	key512Public = "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAJiYTiRbJZeTfYdOBujeVpARMmKXlbIFeqWHIIUddenUvbw5o+7uo1hvfi8glvrZP8reekiJ1pQwf2JIr1oOX18CAwEAAQ=="
	keyECPublic  = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEtAs1UebT2q0rZoTV4Fxrxr4yrI26rg2McJCZpQRoPzTQOuwN5UA1s5kE5Ijwh+7jA1h0TDbG8usVesDTtdm5UQ=="
)

const hello = "hello world"

func policy(t testing.TB, src string) *whitelist.Policy {
	t.Helper()
	p, err := whitelist.Parse("p.hl", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const (
	pure    = "name:pure\r\nallow\r\n   effects:pure\r\n"
	trusted = "name:trusted\r\nallow\r\n   *\r\nbudgets\r\n   steps:long:10000000\r\n   time-ms:int:30000\r\n"
)

// run executes src under policy src pol; the value of each top-level
// node named in values (written without one) is set before the run, so
// keys and packages need no quoting.
func run(t testing.TB, ctx context.Context, pol, src string, values map[string]any) (*engine.Result, *hyperlambda.Node, error) {
	t.Helper()
	e := engine.New()
	if err := Register(e); err != nil {
		t.Fatal(err)
	}
	lambda, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range lambda.Children() {
		if v, ok := values[c.Name]; ok {
			c.Value = v
		}
	}
	res, err := e.Execute(ctx, lambda, policy(t, pol))
	return res, lambda, err
}

// resultsChecker checks that the values of lambda's top-level nodes
// named name are want, in order.
func resultsChecker(t *testing.T, lambda *hyperlambda.Node) func(name string, want ...any) {
	return func(name string, want ...any) {
		t.Helper()
		got, expected := fmt.Sprintf("%q", results(lambda, name)), fmt.Sprintf("%q", want)
		if got != expected {
			t.Errorf("%s: got %s, want %s", name, got, expected)
		}
	}
}

// runtimeError runs src after a declaration of each of values under pol
// and returns its error, which must be a runtime error containing want.
func runtimeError(t *testing.T, pol string, values map[string]any, src, want string) error {
	t.Helper()
	declarations := strings.Join(slices.Sorted(maps.Keys(values)), "\n")
	_, _, err := run(t, context.Background(), pol, declarations+"\n"+src+"\n", values)
	var re *engine.RuntimeError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want a runtime error containing %q", err, want)
	}
	return err
}

// results are the values of lambda's top-level nodes named name, in order.
func results(lambda *hyperlambda.Node, name string) []any {
	var out []any
	for _, c := range lambda.Children() {
		if c.Name == name {
			out = append(out, c.Value)
		}
	}
	return out
}

func mustRun(t testing.TB, pol, src string, values map[string]any) *hyperlambda.Node {
	t.Helper()
	_, lambda, err := run(t, context.Background(), pol, src, values)
	if err != nil {
		t.Fatal(err)
	}
	return lambda
}

var known = map[string]any{".a-private": keyAPrivate, ".a-public": keyAPublic, ".b-private": keyBPrivate, ".b-public": keyBPublic,
	".a-pem": keyAPrivatePEM, ".a-pem-public": keyAPublicPEM, ".signature": signatureAHello, ".rsa": rsaEncryptedAHello,
	".aes": aesSecretHello, ".signed": signedAHello, ".encrypted": encryptedBAHello, ".a-fingerprint": keyAFingerprint}

// The deterministic parts give exactly what the reference gives, under a
// policy that allows no effects.
func TestKnownAnswers(t *testing.T) {
	lambda := mustRun(t, pure, `.a-private
.a-public
.b-private
.a-pem
.a-pem-public
.signature
.rsa
.aes
.signed
.encrypted
.a-fingerprint
crypto.fingerprint:x:@.a-public
crypto.rsa.sign:hello world
   private-key:x:@.a-private
crypto.rsa.sign:hello world
   private-key:x:@.a-pem
   algorithm:SHA256
crypto.rsa.verify:hello world
   signature:x:@.signature
   public-key:x:@.a-public
crypto.rsa.decrypt:x:@.rsa
   private-key:x:@.a-private
crypto.aes.decrypt:x:@.aes
   password:secret
crypto.sign:hello world
   signing-key:x:@.a-private
   signing-key-fingerprint:x:@.a-fingerprint
crypto.verify:x:@.signed
   public-key:x:@.a-pem-public
crypto.decrypt:x:@.encrypted
   decryption-key:x:@.b-private
   verify-key:x:@.a-public
crypto.decrypt:x:@.encrypted
   decryption-key:x:@.b-private
crypto.get-key:x:@.encrypted
crypto.get-key:x:@.signed
crypto.seed:anything
`, known)
	check := resultsChecker(t, lambda)
	check("crypto.fingerprint", keyAFingerprint)
	check("crypto.rsa.sign", signatureAHello, signatureAHello)
	check("crypto.rsa.verify", nil)
	check("crypto.rsa.decrypt", hello)
	check("crypto.aes.decrypt", hello)
	check("crypto.sign", signedAHello)
	check("crypto.verify", hello)
	check("crypto.decrypt", hello, signedAHello)
	check("crypto.get-key", keyBFingerprint, keyAFingerprint)
	check("crypto.seed", nil)
	// Arguments go once read, as in the reference.
	for _, c := range lambda.Children() {
		if strings.HasPrefix(c.Name, "crypto.") && c.Len() > 0 {
			t.Errorf("%s kept its arguments", c.Name)
		}
	}
}

// One generated key pair for the round trips: generation is slow.
var generated = sync.OnceValues(func() (*hyperlambda.Node, error) {
	e := engine.New()
	if err := Register(e); err != nil {
		return nil, err
	}
	lambda, err := hyperlambda.ParseString("crypto.rsa.create-key\r\n   strength:int:1024\r\n", hyperlambda.ParseOptions{})
	if err != nil {
		return nil, err
	}
	p, err := whitelist.Parse("p.hl", []byte(trusted))
	if err != nil {
		return nil, err
	}
	res, err := e.Execute(context.Background(), lambda, p)
	if err != nil {
		return nil, err
	}
	if want := generateCost(1024); res.Usage.Steps < want {
		return nil, fmt.Errorf("key creation counted %d steps, want at least %d", res.Usage.Steps, want)
	}
	return lambda.Children()[0], nil
})

func pair(t *testing.T) (private, public, fp string) {
	t.Helper()
	key, err := generated()
	if err != nil {
		t.Fatal(err)
	}
	get := func(name string) string {
		for _, c := range key.Children() {
			if c.Name == name {
				return c.Value.(string)
			}
		}
		t.Fatalf("no [%s]", name)
		return ""
	}
	return get("private"), get("public"), get("fingerprint")
}

// A new key pair is what the reference writes: base64 of PKCS#8 and of
// SubjectPublicKeyInfo DER, the public key's SHA-256 as a dashed
// fingerprint and as bytes; and its creation counts against the steps.
func TestCreateKey(t *testing.T) {
	key, err := generated()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range key.Children() {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, ","); got != "private,public,fingerprint,fingerprint-raw" {
		t.Fatalf("children %s", got)
	}
	private, public, fp := pair(t)
	der, _ := base64.StdEncoding.DecodeString(private)
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		t.Fatalf("private is not PKCS#8: %v", err)
	}
	pubDER, _ := base64.StdEncoding.DecodeString(public)
	if _, err := x509.ParsePKIXPublicKey(pubDER); err != nil {
		t.Fatalf("public is not SubjectPublicKeyInfo: %v", err)
	}
	own, _ := x509.MarshalPKIXPublicKey(k.(*rsa.PrivateKey).Public())
	if string(own) != string(pubDER) {
		t.Errorf("public is not the private key's public half")
	}
	sum := sha256.Sum256(pubDER)
	h := hex.EncodeToString(sum[:])
	var groups []string
	for i := 0; i < len(h); i += 4 {
		groups = append(groups, h[i:i+4])
	}
	if want := strings.Join(groups, "-"); fp != want {
		t.Errorf("fingerprint %s, want %s", fp, want)
	}
	if raw := key.Children()[3].Value.([]byte); string(raw) != string(sum[:]) {
		t.Errorf("fingerprint-raw is not the public key's SHA-256")
	}
	lambda := mustRun(t, trusted, "crypto.rsa.create-key\r\n   strength:int:1024\r\n   raw:bool:true\r\n   seed:whatever\r\n", nil)
	for _, c := range lambda.Children()[0].Children()[:2] {
		if _, ok := c.Value.([]byte); !ok {
			t.Errorf("[raw] %s is %T, want bytes", c.Name, c.Value)
		}
	}
}

// Whatever is encrypted or signed comes back, as text or as bytes.
func TestRoundTrips(t *testing.T) {
	private, public, fp := pair(t)
	values := map[string]any{".private": private, ".public": public, ".fingerprint": fp, ".b-private": keyBPrivate, ".b-public": keyBPublic,
		".bytes": []byte{0, 1, 2, 255}, ".key": []byte("0123456789abcdef")}
	lambda := mustRun(t, trusted, `.private
.public
.fingerprint
.b-private
.b-public
.bytes
.key
crypto.rsa.sign:x:@.bytes
   private-key:x:@.private
.signature
set-value:x:@.signature
   get-value:x:@crypto.rsa.sign
crypto.rsa.verify:x:@.bytes
   signature:x:@.signature
   public-key:x:@.public
crypto.rsa.encrypt:text ÆØÅ
   public-key:x:@.public
crypto.rsa.decrypt:x:@crypto.rsa.encrypt
   private-key:x:@.private
crypto.rsa.encrypt:x:@.bytes
   public-key:x:@.public
   raw:bool:true
crypto.rsa.decrypt:x:@crypto.rsa.encrypt
   private-key:x:@.private
   raw:bool:true
crypto.aes.encrypt:some text
   password:pass
crypto.aes.decrypt:x:@crypto.aes.encrypt
   password:pass
crypto.aes.encrypt:x:@.bytes
   password:x:@.key
   raw:bool:true
crypto.aes.decrypt:x:@crypto.aes.encrypt
   password:x:@.key
   raw:bool:true
crypto.sign:signed text
   signing-key:x:@.private
   signing-key-fingerprint:x:@.fingerprint
crypto.get-key:x:@crypto.sign
crypto.verify:x:@crypto.sign
   public-key:x:@.public
crypto.encrypt:secret text
   signing-key:x:@.private
   signing-key-fingerprint:x:@.fingerprint
   encryption-key:x:@.b-public
crypto.get-key:x:@crypto.encrypt
crypto.decrypt:x:@crypto.encrypt
   decryption-key:x:@.b-private
   verify-key:x:@.public
crypto.decrypt:x:@crypto.encrypt
   decryption-key:x:@.b-private
crypto.get-key:x:@crypto.decrypt
crypto.verify:x:@crypto.decrypt
   public-key:x:@.public
crypto.encrypt:x:@.bytes
   signing-key:x:@.private
   signing-key-fingerprint:x:@.fingerprint
   encryption-key:x:@.b-public
   raw:bool:true
crypto.decrypt:x:@crypto.encrypt
   decryption-key:x:@.b-private
   verify-key:x:@.public
   raw:bool:true
`, values)
	check := resultsChecker(t, lambda)
	check("crypto.rsa.verify", nil)
	check("crypto.rsa.decrypt", "text ÆØÅ", []byte{0, 1, 2, 255})
	check("crypto.aes.decrypt", "some text", []byte{0, 1, 2, 255})
	check("crypto.get-key", fp, keyBFingerprint, fp)
	check("crypto.verify", "signed text", "secret text")
	check("crypto.decrypt", "secret text", results(lambda, "crypto.decrypt")[1], []byte{0, 1, 2, 255})
	if _, ok := results(lambda, "crypto.encrypt")[1].([]byte); !ok {
		t.Errorf("crypto.encrypt with [raw] gave %T", results(lambda, "crypto.encrypt")[1])
	}
}

// Encryption is randomised (PKCS#1 v1.5 padding, AES nonces, session
// keys): the same content never gives the same message twice.
func TestEncryptionIsRandom(t *testing.T) {
	_, public, fp := pair(t)
	lambda := mustRun(t, trusted, `.public
.a-private
.fingerprint
crypto.rsa.encrypt:same
   public-key:x:@.public
crypto.rsa.encrypt:same
   public-key:x:@.public
crypto.aes.encrypt:same
   password:same
crypto.aes.encrypt:same
   password:same
crypto.encrypt:same
   signing-key:x:@.a-private
   signing-key-fingerprint:x:@.fingerprint
   encryption-key:x:@.public
crypto.encrypt:same
   signing-key:x:@.a-private
   signing-key-fingerprint:x:@.fingerprint
   encryption-key:x:@.public
`, map[string]any{".public": public, ".a-private": keyAPrivate, ".fingerprint": keyAFingerprint})
	_ = fp
	for _, name := range []string{"crypto.rsa.encrypt", "crypto.aes.encrypt", "crypto.encrypt"} {
		got := results(lambda, name)
		if got[0] == got[1] {
			t.Errorf("%s gave the same message twice", name)
		}
	}
}

// flip changes one byte of base64 text at position i of its bytes.
func flip(b64 string, i int) string {
	b, _ := base64.StdEncoding.DecodeString(b64)
	if i < 0 {
		i += len(b)
	}
	b[i] ^= 1
	return base64.StdEncoding.EncodeToString(b)
}

// A changed message, signature or ciphertext, or the wrong key, is an
// error that says so; hostile packages are refused before anything is
// allocated for them.
func TestTampering(t *testing.T) {
	hostile := make([]byte, 40)
	copy(hostile[32:], []byte{0xff, 0xff, 0xff, 0x7f})
	values := map[string]any{}
	for k, v := range known {
		values[k] = v
	}
	values[".bad-signature"] = flip(signatureAHello, 10)
	values[".bad-aes"] = flip(aesSecretHello, -1)
	values[".bad-signed"] = flip(signedAHello, -1)
	values[".bad-encrypted"] = flip(encryptedBAHello, -1)
	values[".hostile"] = hostile
	for _, c := range []struct{ name, src, want string }{
		{"changed message", "crypto.rsa.verify:hello World\n   signature:x:@.signature\n   public-key:x:@.a-public", "signature mismatch"},
		{"changed signature", "crypto.rsa.verify:hello world\n   signature:x:@.bad-signature\n   public-key:x:@.a-public", "signature mismatch"},
		{"other signer", "crypto.rsa.verify:hello world\n   signature:x:@.signature\n   public-key:x:@.b-public", "signature mismatch"},
		{"rsa wrong key", "crypto.rsa.decrypt:x:@.rsa\n   private-key:x:@.b-private", "cannot decrypt"},
		{"rsa not a message", "crypto.rsa.decrypt:aGVsbG8=\n   private-key:x:@.a-private", "is 128 bytes, this is 5"},
		{"aes wrong password", "crypto.aes.decrypt:x:@.aes\n   password:Secret", "cannot decrypt"},
		{"aes changed", "crypto.aes.decrypt:x:@.bad-aes\n   password:secret", "cannot decrypt"},
		{"aes too short", "crypto.aes.decrypt:aGVsbG8=\n   password:secret", "too short"},
		{"package changed", "crypto.verify:x:@.bad-signed\n   public-key:x:@.a-public", "signature mismatch"},
		{"package other signer", "crypto.verify:x:@.signed\n   public-key:x:@.b-public", "signature mismatch"},
		{"decrypt wrong key", "crypto.decrypt:x:@.encrypted\n   decryption-key:x:@.a-private", "cannot decrypt"},
		{"decrypt wrong signer", "crypto.decrypt:x:@.encrypted\n   decryption-key:x:@.b-private\n   verify-key:x:@.b-public", "signature mismatch"},
		{"decrypt changed", "crypto.decrypt:x:@.bad-encrypted\n   decryption-key:x:@.b-private", "cannot decrypt"},
		{"hostile length", "crypto.verify:x:@.hostile\n   public-key:x:@.a-public", "announces 2147483647 bytes where 4 remain"},
		{"hostile decrypt", "crypto.decrypt:x:@.hostile\n   decryption-key:x:@.a-private", "announces"},
		{"short package", "crypto.verify:aGVsbG8=\n   public-key:x:@.a-public", "too short"},
		{"short get-key", "crypto.get-key:aGVsbG8=", "shorter than its 32-byte"},
	} {
		t.Run(c.name, func(t *testing.T) {
			runtimeError(t, pure, values, c.src, c.want)
		})
	}
}

// Keys that are not what a slot needs are refused with an error that
// says what was expected, and never quotes the key.
func TestBadArguments(t *testing.T) {
	big := make([]byte, maxKeyDER+1)
	values := map[string]any{".a-private": keyAPrivate, ".a-public": keyAPublic, ".b-fingerprint": keyBFingerprint,
		".small": key512Public, ".ec": keyECPublic, ".big": big, ".short-key": []byte("short"), ".nothing": nil}
	for _, c := range []struct{ name, src, want string }{
		{"not base64", "crypto.rsa.sign:x\n   private-key:not a key", "[private-key] must be base64 text or bytes"},
		{"not a key", "crypto.rsa.sign:x\n   private-key:aGVsbG8gd29ybGQ=", "is not an RSA private key"},
		{"public for private", "crypto.rsa.sign:x\n   private-key:x:@.a-public", "is a public key"},
		{"private for public", "crypto.rsa.verify:x\n   signature:aGVsbG8=\n   public-key:x:@.a-private", "is a private key"},
		{"private for encryption", "crypto.rsa.encrypt:x\n   public-key:x:@.a-private", "is a private key"},
		{"not RSA", "crypto.rsa.encrypt:x\n   public-key:x:@.ec", "is an ECDSA key, not an RSA key"},
		{"too small", "crypto.rsa.encrypt:x\n   public-key:x:@.small", "is a 512-bit key"},
		{"too large", "crypto.rsa.encrypt:x\n   public-key:x:@.big", "too large"},
		{"empty key", "crypto.rsa.encrypt:x\n   public-key:", "[public-key] is empty"},
		{"other algorithm", "crypto.rsa.sign:x\n   private-key:x:@.a-private\n   algorithm:SHA512", "always SHA-256"},
		{"too long for rsa", "crypto.rsa.encrypt:" + strings.Repeat("x", 118) + "\n   public-key:x:@.a-public", "118 bytes is too long"},
		{"strength too small", "crypto.rsa.create-key\n   strength:int:512", "must be 1024 to 4096 bits, got 512"},
		{"strength too large", "crypto.rsa.create-key\n   strength:int:8192", "got 8192"},
		{"strength as text", "crypto.rsa.create-key\n   strength:2048", "must be of type int"},
		{"fingerprint of another key", "crypto.sign:x\n   signing-key:x:@.a-private\n   signing-key-fingerprint:x:@.b-fingerprint", "is not the fingerprint of [signing-key]"},
		{"fingerprint not hex", "crypto.sign:x\n   signing-key:x:@.a-private\n   signing-key-fingerprint:zz", "is not a fingerprint"},
		{"fingerprint short", "crypto.sign:x\n   signing-key:x:@.a-private\n   signing-key-fingerprint:abcd", "is 2 bytes"},
		{"empty verify key", "crypto.decrypt:aGVsbG8=\n   decryption-key:x:@.a-private\n   verify-key:x:@.nothing", "[verify-key] is empty"},
		{"aes key bytes", "crypto.aes.encrypt:x\n   password:x:@.short-key", "must be 16, 24 or 32 bytes, not 5"},
		{"aes no password", "crypto.aes.encrypt:x", "needs argument [password]"},
		{"fingerprint of text", "crypto.fingerprint:hello world", "crypto.hash"},
		{"number to sign", "crypto.rsa.sign:int:5\n   private-key:x:@.a-private", "needs text or bytes, not int"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := runtimeError(t, trusted, values, c.src, c.want)
			for _, key := range []string{keyAPrivate, keyAPublic} {
				if strings.Contains(err.Error(), key[40:80]) {
					t.Errorf("the error quotes a key: %v", err)
				}
			}
		})
	}
}

// Key creation counts as many steps as it costs, and refuses before
// generating when the budget cannot pay for it.
func TestKeyCreationBudget(t *testing.T) {
	if _, err := generated(); err != nil { // checks the steps counted
		t.Fatal(err)
	}
	res, lambda, err := run(t, context.Background(), "name:few\r\nallow\r\n   *\r\nbudgets\r\n   steps:long:20000\r\n", "crypto.rsa.create-key\n   strength:int:4096\n", nil)
	var be *engine.BudgetError
	if !errors.As(err, &be) || be.Budget != "steps" {
		t.Fatalf("got %v, want the steps budget", err)
	}
	// Refused before the work: only the charge that did not fit is
	// counted, and no key is there.
	if res.Usage.Steps != 20001 || lambda.Child(0).Len() != 1 {
		t.Errorf("usage %d steps, node %s: the key was made anyway", res.Usage.Steps, hyperlambda.Format([]*hyperlambda.Node{lambda.Child(0)}, hyperlambda.FormatOptions{}))
	}
	// Private-key operations count by key size too.
	res, _, err = run(t, context.Background(), pure, ".k\ncrypto.rsa.sign:x\n   private-key:x:@.k\n", map[string]any{".k": keyAPrivate})
	if err != nil {
		t.Fatal(err)
	}
	if want := privateCost(mustPrivate(t, keyAPrivate)); res.Usage.Steps < want {
		t.Errorf("signing counted %d steps, want at least %d", res.Usage.Steps, want)
	}
}

// A stop ends a run while a key is being made (Go cannot interrupt the
// generation itself; the run stops waiting for it).
func TestKeyCreationStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, _, err := run(t, ctx, trusted, "crypto.rsa.create-key\n   strength:int:4096\n", nil)
	var ce *engine.CanceledError
	if !errors.As(err, &ce) {
		t.Fatalf("got %T %v, want a CanceledError", err, err)
	}
}

// Randomness is declared where it is used; the rest is pure.
func TestEffects(t *testing.T) {
	e := engine.New()
	if err := Register(e); err != nil {
		t.Fatal(err)
	}
	random := map[string]bool{"crypto.rsa.create-key": true, "crypto.rsa.encrypt": true, "crypto.aes.encrypt": true, "crypto.encrypt": true}
	for _, name := range []string{"crypto.rsa.create-key", "crypto.rsa.sign", "crypto.rsa.verify", "crypto.rsa.encrypt", "crypto.rsa.decrypt",
		"crypto.aes.encrypt", "crypto.aes.decrypt", "crypto.fingerprint", "crypto.get-key", "crypto.seed",
		"crypto.sign", "crypto.verify", "crypto.encrypt", "crypto.decrypt"} {
		sig, ok := e.Signature(name)
		if !ok {
			t.Errorf("%s is not registered", name)
			continue
		}
		want := whitelist.Pure
		if random[name] {
			want = whitelist.Random
		}
		if sig.Effects != want {
			t.Errorf("%s has effects %s, want %s", name, sig.Effects, want)
		}
	}
}

// The output budget refuses a result before it is built.
func TestOutputBudget(t *testing.T) {
	_, _, err := run(t, context.Background(), "name:small\r\nallow\r\n   *\r\nbudgets\r\n   output-bytes:long:1000\r\n", ".t\ncrypto.aes.encrypt:x:@.t\n   password:p\n",
		map[string]any{".t": strings.Repeat("x", 800)})
	var be *engine.BudgetError
	if !errors.As(err, &be) || be.Budget != "output-bytes" {
		t.Fatalf("got %v, want the output budget", err)
	}
}

func mustPrivate(t testing.TB, b64 string) *rsa.PrivateKey {
	t.Helper()
	der, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		t.Fatal(err)
	}
	return key.(*rsa.PrivateKey)
}

// shapedKey is a "key" with primes of p and q bits and public exponent e:
// enough for the cost functions, which read only sizes.
func shapedKey(p, q, e int) *rsa.PrivateKey {
	one := big.NewInt(1)
	P := new(big.Int).Lsh(one, uint(p-1))
	Q := new(big.Int).Lsh(one, uint(q-1))
	N := new(big.Int).Lsh(new(big.Int).Mul(P, Q), 1) // p+q bits
	return &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: N, E: e}, D: big.NewInt(3), Primes: []*big.Int{P, Q}}
}

// shapedDER is key as PKCS#1 DER, with its CRT values or without.
func shapedDER(t *testing.T, key *rsa.PrivateKey, crt bool) []byte {
	t.Helper()
	s := pkcs1Shape{N: key.N, E: big.NewInt(int64(key.E)), D: key.D, P: key.Primes[0], Q: key.Primes[1]}
	if crt {
		s.Dp, s.Dq, s.Qinv = big.NewInt(1), big.NewInt(1), big.NewInt(1)
	}
	der, err := asn1.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// The charges are never less than the work. The times are medians
// measured with Go 1.26 on amd64 under load (ms): a signature (one
// exponentiation per prime; Go has assembly for 1024-, 1536- and
// 2048-bit primes, so 3968 bits costs three times 4096), a verification,
// parsing a key without CRT values that fails validation (Go makes the
// CRT values twice), and making a key (the mean of 16 to 24).
func TestChargesCoverMeasuredWork(t *testing.T) {
	const msPerStep = 0.005
	for _, c := range []struct {
		p, q                 int
		sign, verify, parsed float64
	}{
		{512, 512, 0.315, 0.008, 0.374},
		{768, 768, 0.963, 0.020, 1.034},
		{1024, 1024, 0.928, 0.030, 1.099},
		{1152, 1152, 3.239, 0.134, 3.456},
		{1536, 1536, 2.873, 0.252, 3.304},
		{1984, 1984, 17.626, 0.411, 20.226},
		{2048, 2048, 6.038, 0.487, 6.578},
		{3072, 3072, 80.283, 1.152, 78.361},
		{4096, 4096, 193.670, 2.333, 197.892},
		{6144, 2048, 328.268, 1.915, 644.124},
		{7000, 1192, 478.576, 1.931, 967.808},
	} {
		key := shapedKey(c.p, c.q, 65537)
		bits := key.N.BitLen()
		if got := float64(privateCost(key)) * msPerStep; got < c.sign {
			t.Errorf("%d bits (%d+%d): signing charged %.3f ms, measured %.3f", bits, c.p, c.q, got, c.sign)
		}
		if got := float64(publicCost(&key.PublicKey)) * msPerStep; got < c.verify {
			t.Errorf("%d bits: verifying charged %.3f ms, measured %.3f", bits, got, c.verify)
		}
		steps, err := privateParseCost("k", shapedDER(t, key, false))
		if err != nil {
			t.Fatal(err)
		}
		if got := float64(steps) * msPerStep; got < c.parsed {
			t.Errorf("%d bits (%d+%d): parsing charged %.3f ms, measured %.3f", bits, c.p, c.q, got, c.parsed)
		}
		// With its CRT values a key only has its parts checked: about a
		// hundredth of a signature at 8192 bits (measured up to 5 ms).
		withCRT, err := privateParseCost("k", shapedDER(t, key, true))
		if err != nil {
			t.Fatal(err)
		}
		if withCRT >= steps || bits == 8192 && float64(withCRT)*msPerStep < 5 {
			t.Errorf("%d bits: parsing with CRT values charged %d steps, without %d", bits, withCRT, steps)
		}
	}
	// The largest exponent Go accepts doubles a verification's work.
	if got := float64(publicCost(&shapedKey(4096, 4096, 1<<31-1).PublicKey)) * msPerStep; got < 5.116 {
		t.Errorf("verifying with e = 2³¹-1 charged %.3f ms, measured 5.116", got)
	}
	for _, c := range []struct {
		bits int
		mean float64
	}{{1024, 16.0}, {1536, 41.6}, {2048, 54.1}, {2304, 254.0}, {3072, 259.8}, {3968, 2149.8}, {4096, 670.7}} {
		if got := float64(generateCost(c.bits)) * msPerStep; got < c.mean {
			t.Errorf("making a %d-bit key charged %.1f ms, measured %.1f on average", c.bits, got, c.mean)
		}
	}
}

// A key is parsed only once its parsing is charged, and one shaped to
// cost more than its size says is refused unparsed.
func TestKeyParsingIsChargedFirst(t *testing.T) {
	valid := shapedDER(t, shapedKey(512, 512, 65537), false)
	steps, err := privateParseCost("k", valid)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(math.Ceil(checkStepsPerSquaredWord*16*16 + 2*expSteps(512))); steps != want {
		t.Errorf("a 1024-bit key without CRT values costs %d steps, want %d", steps, want)
	}
	// Under a budget that cannot pay for parsing, the budget ends the run
	// (not the key's invalidity, which parsing would find).
	pol := "name:few\r\nallow\r\n   *\r\nbudgets\r\n   steps:long:100\r\n"
	_, _, err = run(t, context.Background(), pol, ".k\ncrypto.rsa.sign:x\n   private-key:x:@.k\n", map[string]any{".k": valid})
	var be *engine.BudgetError
	if !errors.As(err, &be) || be.Budget != "steps" {
		t.Fatalf("got %v, want the steps budget", err)
	}

	a := mustPrivate(t, keyAPrivate)
	shape := func(change func(*pkcs1Shape)) []byte {
		s := pkcs1Shape{N: a.N, E: big.NewInt(int64(a.E)), D: a.D, P: a.Primes[0], Q: a.Primes[1]}
		change(&s)
		der, err := asn1.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	third, err := asn1.Marshal(struct{ Prime, Exp, Coeff *big.Int }{big.NewInt(7), big.NewInt(1), big.NewInt(1)})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, want string
		der        []byte
	}{
		// Go would spend 1.3 s (minutes at 32,768 bits) on this prime.
		{"prime larger than the modulus", "its primes are larger than its modulus", shape(func(s *pkcs1Shape) {
			s.P = new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 8191), big.NewInt(1))
			s.Q = big.NewInt(3)
		})},
		{"three primes", "more than two primes", shape(func(s *pkcs1Shape) { s.AdditionalPrimes = []asn1.RawValue{{FullBytes: third}} })},
		{"modulus too large", "keys over 8192 bits are refused", shape(func(s *pkcs1Shape) { s.N = new(big.Int).Lsh(big.NewInt(1), 8192) })},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := privateParseCost("private-key", c.der); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want %q", err, c.want)
			}
			runtimeError(t, trusted, map[string]any{".k": c.der}, "crypto.rsa.sign:x\n   private-key:x:@.k", c.want)
		})
	}
}

// A private key where a public one belongs is named as such from its
// shape, even when it is not a valid key (it is never validated there).
func TestPrivateKeyForPublicIsNotValidated(t *testing.T) {
	bogus := shapedDER(t, shapedKey(4096, 4096, 65537), false)
	runtimeError(t, pure, map[string]any{".k": bogus}, "crypto.rsa.verify:x\n   signature:aGVsbG8=\n   public-key:x:@.k", "is a private key")
}

// Hashing and AES charge their data to the step budget (a step per
// 2 KiB) before the work: 1 MiB under a 100-step budget is refused, where
// it was one step.
func TestDataChargedToSteps(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	const few = "name:few\r\nallow\r\n   *\r\nbudgets\r\n   steps:long:100\r\n"
	for _, src := range []string{
		".data\r\ncrypto.hash.sha256:x:@.data\r\n",
		".data\r\n.password:secret\r\ncrypto.aes.encrypt:x:@.data\r\n   password:x:@.password\r\n",
	} {
		res, _, err := run(t, context.Background(), few, src, map[string]any{".data": big})
		var be *engine.BudgetError
		if !errors.As(err, &be) || be.Budget != "steps" {
			t.Errorf("%q: got %v, want the step budget", src, err)
		}
		if res != nil && res.Usage.Steps != 101 {
			t.Errorf("%q: usage %d steps", src, res.Usage.Steps)
		}
	}
}
