package cryptoslots

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// Key sizes. Go refuses RSA keys under 1024 bits (they are breakable);
// generation stops at 4096 bits because it cannot be interrupted and
// takes seconds beyond that; using a key is allowed up to 8192 bits.
const (
	minKeyBits      = 1024
	maxGenerateBits = 4096
	maxKeyBits      = 8192
	// maxKeyDER bounds a key's DER before it is parsed (an 8192-bit
	// PKCS#8 private key is about 4,800 bytes), so a hostile huge "key"
	// is refused before Go validates it.
	maxKeyDER = 6000
)

var rawArg = whitelist.Arg{Name: "raw", Type: "bool", Doc: "true: the result as bytes rather than base64 text"}

// message is a slot's value as the bytes to sign or encrypt: text as
// its UTF-8, bytes as they are (the reference's GetContent).
func message(n *hyperlambda.Node) ([]byte, error) {
	v, err := hyperlambda.Value(n)
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case string:
		return []byte(x), nil
	case []byte:
		return x, nil
	case nil:
		return nil, errors.New("needs a value: the text or bytes to work on")
	}
	return nil, fmt.Errorf("needs text or bytes, not %s", hyperlambda.TypeOf(v))
}

// sealed is a slot's value as a package one of these slots made: base64
// text (what they write by default) or bytes (what they write with
// [raw]).
func sealed(n *hyperlambda.Node, what string) ([]byte, error) {
	v, err := hyperlambda.Value(n)
	if err != nil {
		return nil, err
	}
	return bytesOf(v, what)
}

// bytesOf is v as bytes: base64 text decoded, bytes as they are.
func bytesOf(v any, what string) ([]byte, error) {
	switch x := v.(type) {
	case []byte:
		return x, nil
	case string:
		b, err := hyperlambda.DecodeBase64(x)
		if err != nil {
			return nil, fmt.Errorf("%s must be base64 text or bytes: %v", what, err)
		}
		return b, nil
	case nil:
		return nil, fmt.Errorf("needs %s, as base64 text or bytes", what)
	}
	return nil, fmt.Errorf("%s must be base64 text or bytes, not %s", what, hyperlambda.TypeOf(v))
}

// deliver makes out n's value: bytes with raw, else base64 text, counted
// against the output budget before the text is made. n's arguments have
// been read; they go, as in the reference.
func deliver(r *engine.Run, n *hyperlambda.Node, out []byte, raw bool) error {
	size := len(out)
	if !raw {
		size = base64.StdEncoding.EncodedLen(len(out))
	}
	if err := r.OutputRoom(size); err != nil {
		return err
	}
	n.Clear()
	if raw {
		n.Value = out
	} else {
		n.Value = base64.StdEncoding.EncodeToString(out)
	}
	return r.Output(size)
}

// deliverText makes plain n's value: bytes with raw, else its text (as
// UTF-8, an invalid sequence becoming U+FFFD, as .NET decodes).
func deliverText(r *engine.Run, n *hyperlambda.Node, plain []byte, raw bool) error {
	if err := r.OutputRoom(len(plain)); err != nil {
		return err
	}
	n.Clear()
	if raw {
		n.Value = plain
	} else {
		n.Value = hyperlambda.StringOf(plain)
	}
	return r.Output(len(plain))
}

// finish is how every slot here that works with a key ends, once its
// value and other arguments are read: [raw] is read, only then are the
// work's steps charged (so a mistake in any argument costs nothing), and
// the work's result becomes n's value through out (deliver or
// deliverText).
func finish(r *engine.Run, n *hyperlambda.Node, steps int64, work func() ([]byte, error), out func(*engine.Run, *hyperlambda.Node, []byte, bool) error) error {
	raw, err := r.FlagArg(n, "raw", false)
	if err != nil {
		return err
	}
	if err := r.Charge(steps); err != nil {
		return err
	}
	result, err := work()
	if err != nil {
		return err
	}
	return out(r, n, result, raw)
}

// keyDER is the DER of key argument name: base64 DER text (as the
// reference writes keys), PEM text, or DER bytes. Errors never quote the
// key: it may be a private one.
func keyDER(r *engine.Run, n *hyperlambda.Node, name string) ([]byte, error) {
	v, _, err := r.Arg(n, name)
	if err != nil {
		return nil, err
	}
	if text, ok := v.(string); ok && strings.HasPrefix(strings.TrimSpace(text), "-----BEGIN") {
		block, _ := pem.Decode([]byte(strings.TrimSpace(text)))
		if block == nil {
			return nil, fmt.Errorf("[%s] starts like PEM but is not a PEM block", name)
		}
		if _, encrypted := block.Headers["Proc-Type"]; encrypted {
			return nil, fmt.Errorf("[%s] is a password-protected PEM key: give it unprotected", name)
		}
		v = block.Bytes
	}
	der, err := bytesOf(v, "["+name+"]")
	if err != nil {
		return nil, err
	}
	switch {
	case len(der) == 0:
		return nil, fmt.Errorf("[%s] is empty", name)
	case len(der) > maxKeyDER:
		return nil, fmt.Errorf("[%s] is %d bytes, too large for an RSA key of at most %d bits", name, len(der), maxKeyBits)
	}
	return der, nil
}

// privateKey reads key argument name as an RSA private key: PKCS#8 (what
// crypto.rsa.create-key makes) or PKCS#1.
func privateKey(r *engine.Run, n *hyperlambda.Node, name string) (*rsa.PrivateKey, error) {
	der, err := keyDER(r, n, name)
	if err != nil {
		return nil, err
	}
	// Parsing validates the key, which can cost as much as using it: it
	// is charged first.
	parsing, err := privateParseCost(name, der)
	if err != nil {
		return nil, err
	}
	if err := r.Charge(parsing); err != nil {
		return nil, err
	}
	var key *rsa.PrivateKey
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("[%s] is %s key, not an RSA key", name, algorithmOf(k))
		}
		key = rk
	} else if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		key = k
	} else if _, err := x509.ParsePKIXPublicKey(der); err == nil {
		return nil, fmt.Errorf("[%s] is a public key: this needs the private key of the pair ([private] of crypto.rsa.create-key)", name)
	} else {
		return nil, fmt.Errorf("[%s] is not an RSA private key: give it as crypto.rsa.create-key's [private] writes it (base64 of PKCS#8 DER), as PEM, or as bytes", name)
	}
	return key, checkSize(name, key.N.BitLen())
}

// publicKey reads key argument name as an RSA public key (a
// SubjectPublicKeyInfo, what crypto.rsa.create-key makes, or PKCS#1) and
// returns its SubjectPublicKeyInfo DER too, which is what fingerprints
// are made of.
func publicKey(r *engine.Run, n *hyperlambda.Node, name string) (*rsa.PublicKey, []byte, error) {
	der, err := keyDER(r, n, name)
	if err != nil {
		return nil, nil, err
	}
	var key *rsa.PublicKey
	if k, err := x509.ParsePKIXPublicKey(der); err == nil {
		rk, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, nil, fmt.Errorf("[%s] is %s key, not an RSA key", name, algorithmOf(k))
		}
		key = rk
	} else if k, err := x509.ParsePKCS1PublicKey(der); err == nil {
		key = k
		if der, err = x509.MarshalPKIXPublicKey(k); err != nil {
			return nil, nil, err
		}
	} else if isPrivateShape(der) {
		// Never use the private key's public half silently: a private key
		// here is a mistake that would otherwise travel on.
		return nil, nil, fmt.Errorf("[%s] is a private key: this needs the public key of the pair ([public] of crypto.rsa.create-key)", name)
	} else {
		return nil, nil, fmt.Errorf("[%s] is not an RSA public key: give it as crypto.rsa.create-key's [public] writes it (base64 of SubjectPublicKeyInfo DER), as PEM, or as bytes", name)
	}
	return key, der, checkSize(name, key.N.BitLen())
}

func algorithmOf(k any) string {
	switch k.(type) {
	case *ecdsa.PrivateKey, *ecdsa.PublicKey:
		return "an ECDSA"
	case ed25519.PrivateKey, ed25519.PublicKey:
		return "an Ed25519"
	}
	return "another kind of"
}

func checkSize(name string, bits int) error {
	switch {
	case bits < minKeyBits:
		return fmt.Errorf("[%s] is a %d-bit key: keys under %d bits are refused, they can be broken", name, bits, minKeyBits)
	case bits > maxKeyBits:
		return fmt.Errorf("[%s] is a %d-bit key: keys over %d bits are refused, each use would take seconds", name, bits, maxKeyBits)
	}
	return nil
}

// publicDER is the SubjectPublicKeyInfo DER of key's public half.
func publicDER(key *rsa.PrivateKey) ([]byte, error) {
	return x509.MarshalPKIXPublicKey(&key.PublicKey)
}
