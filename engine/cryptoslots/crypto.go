// Package cryptoslots is hashing, password storage, identifiers and the
// reference's public-key and symmetric cryptography:
// crypto.hash and crypto.hash.<algorithm> (sha256, sha384, sha512, and
// md5 and sha1 for legacy data, as the reference), crypto.password.hash/
// verify (bcrypt, as the reference), crypto.random, crypto.random.int,
// guid.new, the RSA slots crypto.rsa.* (create-key, sign, verify, encrypt,
// decrypt), crypto.aes.encrypt/decrypt, crypto.fingerprint, crypto.get-key,
// crypto.seed and the combinations crypto.sign/verify/encrypt/decrypt.
//
// Everything a person could exchange with a reference server is written
// byte for byte as the reference (magic.lambda.crypto, Bouncy Castle)
// writes it: keys are base64 DER (PKCS#8 private, SubjectPublicKeyInfo
// public), signatures RSA PKCS#1 v1.5 over SHA-256, RSA encryption PKCS#1
// v1.5, AES is AES-GCM with a 12-byte nonce before the ciphertext and its
// 16-byte tag, a text password becomes its SHA-256, fingerprints are the
// SHA-256 of the public key's DER in dashed hex, and the combination
// packages are the reference's binary layouts (see combinations.go). Go's
// standard library does the cryptography.
//
// Randomness is an effect a policy can deny (runs that must replay
// identically deny it): key creation and every encryption, whose padding
// or nonce is random. Signing (PKCS#1 v1.5 is deterministic), verifying,
// decrypting and hashing are pure. Slow operations count as many steps
// as they take, before they are done (bcrypt, RSA key generation, every
// RSA operation by the sizes of the key's primes, and parsing a private
// key, which Go validates), so a loop of them ends at the step budget,
// not after minutes of CPU; see cost.go.
//
// Differences from the reference: keys under 1024 bits are refused (Go
// refuses them; the reference's examples use 512), key creation is
// limited to 1024..4096 bits, a [seed] is accepted and ignored (it could
// only add entropy), keys may also be given as PEM, a private key whose
// primes are larger than its modulus (or that has more than two) is
// refused before it is parsed, and arguments the reference would
// silently ignore or misuse ([algorithm] other than SHA-256, a
// [signing-key-fingerprint] of another key, an empty [verify-key]) are
// errors.
package cryptoslots

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"math"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// bytesPerStep is how much data hashing or AES pays with one step of the
// budget: they run at 0.3-3 ns a byte, and a step stands for ~5 µs.
const bytesPerStep = 2048

// bcryptSteps is what one bcrypt call costs against the step budget: at
// the default cost it takes about as long as 10,000 ordinary slot calls.
const bcryptSteps = 10_000

var input = whitelist.ValueSpec{Required: true, Expr: true}

// hashes are the algorithms of crypto.hash, by the names the reference
// uses; md5 and sha1 are there for legacy data (old password columns),
// as in the reference, not for new designs.
var hashes = map[string]func() hash.Hash{"md5": md5.New, "sha1": sha1.New, "sha256": sha256.New, "sha384": sha512.New384, "sha512": sha512.New}

var formatArg = whitelist.Arg{Name: "format", Type: "string", Doc: "hex (default; the reference's text), base64, raw or fingerprint"}

// Register adds the family to e.
func Register(e *engine.Engine) error {
	slots := []engine.Slot{
		{Sig: whitelist.Signature{Name: "crypto.hash", Doc: "hex digest of its value's text (or bytes)", Value: input, Children: whitelist.Arguments,
			Args: []whitelist.Arg{{Name: "algorithm", Type: "string", Doc: "sha256 (default), sha384, sha512, or md5 and sha1 for legacy data"},
				{Name: "algo", Type: "string", Doc: "the same as [algorithm]"}, formatArg}}, Fn: digest},
		{Sig: whitelist.Signature{Name: "crypto.random.int", Doc: "a random integer from 0 up to, not including, [max] (default 2147483647)", Children: whitelist.Arguments, Effects: whitelist.Random,
			Args: []whitelist.Arg{{Name: "max", Type: "int"}, {Name: "seed", Type: "string", Doc: "accepted and ignored: in the reference it only adds to the generator's entropy"}}}, Fn: randomInt},
		{Sig: whitelist.Signature{Name: "crypto.password.hash", Doc: "a bcrypt hash of a password, for storing", Value: input, Effects: whitelist.Random}, Fn: passwordHash},
		{Sig: whitelist.Signature{Name: "crypto.password.verify", Doc: "whether a password matches a stored bcrypt [hash]", Value: input, Children: whitelist.Arguments,
			Args: []whitelist.Arg{{Name: "hash", Type: "string", Required: true}}}, Fn: passwordVerify},
		{Sig: whitelist.Signature{Name: "crypto.random", Doc: "random text of [min]..[max] characters (default 10..20) from letters and digits", Children: whitelist.Arguments, Effects: whitelist.Random,
			Args: []whitelist.Arg{{Name: "min", Type: "int"}, {Name: "max", Type: "int"}}}, Fn: random},
		{Sig: whitelist.Signature{Name: "guid.new", Doc: "a new random GUID", Effects: whitelist.Random}, Fn: newGUID},
	}
	for _, alg := range []string{"md5", "sha1", "sha256", "sha384", "sha512"} {
		slots = append(slots, engine.Slot{Sig: whitelist.Signature{Name: "crypto.hash." + alg, Doc: "hex " + alg + " digest of its value's text (or bytes)", Value: input, Children: whitelist.Arguments,
			Args: []whitelist.Arg{formatArg}, AliasOf: "crypto.hash"}, Fn: digest})
	}
	slots = append(slots, rsaSlots()...)
	slots = append(slots, aesSlots()...)
	slots = append(slots, combinationSlots()...)
	for _, s := range slots {
		if err := e.Register(s); err != nil {
			return err
		}
	}
	return nil
}

func content(n *hyperlambda.Node) ([]byte, error) {
	v, err := hyperlambda.Value(n)
	if err != nil {
		return nil, err
	}
	if b, ok := v.([]byte); ok {
		return b, nil
	}
	if v == nil {
		return nil, errors.New("needs a value to hash")
	}
	return []byte(hyperlambda.StringOf(v)), nil
}

func digest(r *engine.Run, n *hyperlambda.Node) error {
	data, err := content(n)
	if err != nil {
		return err
	}
	// crypto.hash.sha1 names its algorithm; crypto.hash takes it as an
	// argument, sha256 when none is given.
	alg, named := strings.CutPrefix(n.Name, "crypto.hash.")
	if !named {
		alg = "sha256"
		for _, name := range []string{"algorithm", "algo"} {
			v, ok, err := r.Arg(n, name)
			if err != nil {
				return err
			}
			if ok {
				alg = strings.ToLower(v.(string))
			}
		}
	}
	newHash, ok := hashes[alg]
	if !ok {
		return fmt.Errorf("unknown algorithm %q: use sha256, sha384, sha512, sha1 or md5", alg)
	}
	if err := r.Charge(int64(len(data)) / bytesPerStep); err != nil {
		return err
	}
	h := newHash()
	h.Write(data)
	sum := h.Sum(nil)
	format, _, err := r.Arg(n, "format")
	if err != nil {
		return err
	}
	var out any
	switch f, _ := format.(string); strings.ToLower(f) {
	case "", "hex", "text":
		out = hex.EncodeToString(sum)
	case "base64":
		out = base64.StdEncoding.EncodeToString(sum)
	case "raw":
		out = sum
	case "fingerprint":
		out = fingerprint(sum)
	default:
		return fmt.Errorf("unknown format %q: use hex, base64, raw or fingerprint", format)
	}
	n.Clear()
	n.Value = out
	if text, ok := out.(string); ok {
		return r.Output(len(text))
	}
	return r.Output(len(sum))
}

// fingerprint is a digest as the reference shows one to people: lower
// case hex in groups of two bytes joined by dashes ("a1b2-c3d4-...").
func fingerprint(sum []byte) string {
	var b strings.Builder
	for i, x := range sum {
		if i > 0 && i%2 == 0 {
			b.WriteByte('-')
		}
		b.WriteString(hex.EncodeToString([]byte{x}))
	}
	return b.String()
}

func slow(r *engine.Run) error { return r.Charge(bcryptSteps) }

// intArg is the declared int argument name, or def when it is absent or
// has no value.
func intArg(r *engine.Run, n *hyperlambda.Node, name string, def int) (int, error) {
	v, _, err := r.Arg(n, name)
	if err != nil {
		return 0, err
	}
	if i, ok := v.(int32); ok {
		return int(i), nil
	}
	return def, nil
}

func passwordHash(r *engine.Run, n *hyperlambda.Node) error {
	pw, err := content(n)
	if err != nil {
		return err
	}
	if err := slow(r); err != nil {
		return err
	}
	h, err := bcrypt.GenerateFromPassword(pw, bcrypt.DefaultCost)
	if err != nil {
		return err // bcrypt refuses passwords over 72 bytes
	}
	n.Value = string(h)
	return nil
}

func passwordVerify(r *engine.Run, n *hyperlambda.Node) error {
	pw, err := content(n)
	if err != nil {
		return err
	}
	stored, _, err := r.Arg(n, "hash")
	if err != nil {
		return err
	}
	if err := slow(r); err != nil {
		return err
	}
	n.Clear()
	n.Value = bcrypt.CompareHashAndPassword([]byte(stored.(string)), pw) == nil
	return nil
}

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func random(r *engine.Run, n *hyperlambda.Node) error {
	lo, err := intArg(r, n, "min", 10)
	if err != nil {
		return err
	}
	hi, err := intArg(r, n, "max", 20)
	if err != nil {
		return err
	}
	if lo < 1 || hi < lo {
		return fmt.Errorf("needs 1 <= min <= max, got %d..%d", lo, hi)
	}
	if err := r.Output(hi); err != nil {
		return err
	}
	length := lo + uniform(hi-lo+1)
	out := make([]byte, length)
	for i := range out {
		out[i] = alphabet[uniform(len(alphabet))]
	}
	n.Clear()
	n.Value = string(out)
	return nil
}

func randomInt(r *engine.Run, n *hyperlambda.Node) error {
	limit, err := intArg(r, n, "max", math.MaxInt32)
	if err != nil {
		return err
	}
	hi := int64(limit)
	if hi < 1 {
		return fmt.Errorf("needs [max] of at least 1, got %d", hi)
	}
	if _, _, err := r.Arg(n, "seed"); err != nil {
		return err
	}
	n.Clear()
	n.Value = int32(uniform(int(hi)))
	return nil
}

// uniform is a uniformly random integer in [0, n) from crypto/rand.
func uniform(n int) int {
	var b [8]byte
	limit := ^uint64(0) - ^uint64(0)%uint64(n)
	for {
		rand.Read(b[:])
		x := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		if x < limit {
			return int(x % uint64(n))
		}
	}
}

func newGUID(r *engine.Run, n *hyperlambda.Node) error {
	var g hyperlambda.GUID
	rand.Read(g[:])
	g[6] = g[6]&0x0f | 0x40 // version 4
	g[8] = g[8]&0x3f | 0x80 // RFC 4122 variant
	n.Value = g
	return nil
}
