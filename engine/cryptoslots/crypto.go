// Package cryptoslots is hashing, password storage and identifiers:
// crypto.hash (sha256, sha512), crypto.password.hash/verify (bcrypt, as
// the reference), crypto.random and guid.new. Randomness is an effect a
// policy can deny (runs that must replay identically deny it); hashing is
// pure. Password hashing is deliberately slow, so each call also counts
// as many steps: a loop of hashes ends at the step budget, not after
// minutes of CPU.
package cryptoslots

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"

	"golang.org/x/crypto/bcrypt"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// bcryptSteps is what one bcrypt call costs against the step budget: at
// the default cost it takes about as long as 10,000 ordinary slot calls.
const bcryptSteps = 10_000

var input = whitelist.ValueSpec{Required: true, Expr: true}

// Register adds the family to e.
func Register(e *engine.Engine) error {
	for _, s := range []engine.Slot{
		{Sig: whitelist.Signature{Name: "crypto.hash", Doc: "hex digest of its value's text (or bytes)", Value: input, Children: whitelist.Arguments,
			Args: []whitelist.Arg{{Name: "algorithm", Type: "string", Doc: "sha256 (default) or sha512"}, {Name: "format", Type: "string", Doc: "hex (default), base64 or raw"}}}, Fn: digest},
		{Sig: whitelist.Signature{Name: "crypto.password.hash", Doc: "a bcrypt hash of a password, for storing", Value: input, Effects: whitelist.Random}, Fn: passwordHash},
		{Sig: whitelist.Signature{Name: "crypto.password.verify", Doc: "whether a password matches a stored bcrypt [hash]", Value: input, Children: whitelist.Arguments,
			Args: []whitelist.Arg{{Name: "hash", Type: "string", Required: true}}}, Fn: passwordVerify},
		{Sig: whitelist.Signature{Name: "crypto.random", Doc: "random text of [min]..[max] characters (default 10..20) from letters and digits", Children: whitelist.Arguments, Effects: whitelist.Random,
			Args: []whitelist.Arg{{Name: "min", Type: "int"}, {Name: "max", Type: "int"}}}, Fn: random},
		{Sig: whitelist.Signature{Name: "guid.new", Doc: "a new random GUID", Effects: whitelist.Random}, Fn: newGUID},
	} {
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
	alg, _, err := r.Arg(n, "algorithm")
	if err != nil {
		return err
	}
	var h hash.Hash
	switch alg {
	case nil, "sha256":
		h = sha256.New()
	case "sha512":
		h = sha512.New()
	default:
		return fmt.Errorf("unknown algorithm %q: use sha256 or sha512", alg)
	}
	h.Write(data)
	sum := h.Sum(nil)
	format, _, err := r.Arg(n, "format")
	if err != nil {
		return err
	}
	n.Clear()
	switch format {
	case nil, "hex":
		n.Value = hex.EncodeToString(sum)
	case "base64":
		n.Value = base64.StdEncoding.EncodeToString(sum)
	case "raw":
		n.Value = sum
	default:
		return fmt.Errorf("unknown format %q: use hex, base64 or raw", format)
	}
	return r.Output(len(sum) * 2)
}

func slow(r *engine.Run) error {
	for range bcryptSteps / 64 {
		// Step checks the deadline every 64 steps; count in those units.
		for range 64 {
			if err := r.Step(); err != nil {
				return err
			}
		}
	}
	return nil
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
	lo, hi := 10, 20
	for _, b := range []struct {
		name string
		v    *int
	}{{"min", &lo}, {"max", &hi}} {
		v, ok, err := r.Arg(n, b.name)
		if err != nil {
			return err
		}
		if ok {
			*b.v = int(v.(int32))
		}
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
