package cryptoslots

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// The RSA slots, as the reference's crypto.rsa.*: keys are base64 DER
// (PKCS#8 private, SubjectPublicKeyInfo public), signatures PKCS#1 v1.5
// over SHA-256 (the reference's SHA256withRSA), encryption PKCS#1 v1.5.

var algorithmArg = whitelist.Arg{Name: "algorithm", Type: "string", Doc: "sha256 only: the reference always signs with SHA-256"}

func rsaSlots() []engine.Slot {
	return []engine.Slot{
		{Sig: whitelist.Signature{Name: "crypto.rsa.create-key", Doc: "a new RSA key pair as children [private] and [public] (base64 DER: PKCS#8, SubjectPublicKeyInfo), [fingerprint] (of the public key) and [fingerprint-raw]",
			Children: whitelist.Arguments, Effects: whitelist.Random,
			Args: []whitelist.Arg{{Name: "strength", Type: "int", Doc: "key size in bits, 1024 to 4096 (default 2048)"},
				{Name: "seed", Doc: "accepted and ignored: in the reference it only adds to the generator's entropy"},
				{Name: "raw", Type: "bool", Doc: "true: the keys as DER bytes rather than base64 text"}}}, Fn: createKey},
		{Sig: whitelist.Signature{Name: "crypto.rsa.sign", Doc: "the RSA signature (PKCS#1 v1.5, SHA-256) of its value's text (or bytes), as base64",
			Value: input, Children: whitelist.Arguments,
			Args: []whitelist.Arg{{Name: "private-key", Required: true, Doc: "the signer's private key, base64 DER as crypto.rsa.create-key makes it"}, algorithmArg, rawArg}}, Fn: rsaSign},
		{Sig: whitelist.Signature{Name: "crypto.rsa.verify", Doc: "checks that [signature] is the signature of its value's text (or bytes) by [public-key]'s pair; an error when it is not, as the reference",
			Value: input, Children: whitelist.Arguments,
			Args: []whitelist.Arg{{Name: "signature", Required: true, Doc: "base64 text or bytes, from crypto.rsa.sign"},
				{Name: "public-key", Required: true, Doc: "the signer's public key, base64 DER"}, algorithmArg}}, Fn: rsaVerify},
		{Sig: whitelist.Signature{Name: "crypto.rsa.encrypt", Doc: "its value's text (or bytes) RSA-encrypted (PKCS#1 v1.5) for [public-key], as base64; at most the key's size in bytes less 11",
			Value: input, Children: whitelist.Arguments, Effects: whitelist.Random,
			Args: []whitelist.Arg{{Name: "public-key", Required: true, Doc: "the recipient's public key, base64 DER"}, rawArg}}, Fn: rsaEncrypt},
		{Sig: whitelist.Signature{Name: "crypto.rsa.decrypt", Doc: "decrypts its value (base64 text or bytes from crypto.rsa.encrypt) with [private-key]; the text, or bytes with [raw]",
			Value: input, Children: whitelist.Arguments,
			Args: []whitelist.Arg{{Name: "private-key", Required: true, Doc: "the recipient's private key, base64 DER"},
				{Name: "raw", Type: "bool", Doc: "true: the decrypted bytes rather than their text"}}}, Fn: rsaDecrypt},
	}
}

func createKey(r *engine.Run, n *hyperlambda.Node) error {
	bits, err := intArg(r, n, "strength", 2048)
	if err != nil {
		return err
	}
	if bits < minKeyBits || bits > maxGenerateBits {
		return fmt.Errorf("[strength] must be %d to %d bits, got %d: smaller keys can be broken, larger ones take too long to make within a run", minKeyBits, maxGenerateBits, bits)
	}
	if _, _, err := r.Arg(n, "seed"); err != nil {
		return err
	}
	raw, err := r.FlagArg(n, "raw", false)
	if err != nil {
		return err
	}
	if err := r.Charge(generateCost(bits)); err != nil {
		return err
	}
	key, err := generate(r, bits)
	if err != nil {
		return err
	}
	private, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	public, err := publicDER(key)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(public)
	if err := r.Created(4); err != nil {
		return err
	}
	n.Clear()
	if raw {
		n.Add(hyperlambda.New("private", private))
		n.Add(hyperlambda.New("public", public))
	} else {
		n.Add(hyperlambda.New("private", base64.StdEncoding.EncodeToString(private)))
		n.Add(hyperlambda.New("public", base64.StdEncoding.EncodeToString(public)))
	}
	text := fingerprint(sum[:])
	n.Add(hyperlambda.New("fingerprint", text))
	n.Add(hyperlambda.New("fingerprint-raw", sum[:]))
	size := len(private) + len(public)
	if !raw {
		size = base64.StdEncoding.EncodedLen(len(private)) + base64.StdEncoding.EncodedLen(len(public))
	}
	return r.Output(size + len(text) + len(sum))
}

// generate makes a key of bits bits. Go's rsa.GenerateKey cannot be
// interrupted, so it runs on its own goroutine and the run waits for it
// or for its time budget or a stop, whichever comes first: the run then
// ends at once and the abandoned generation finishes in the background
// (bounded by maxGenerateBits: a second or two of one core).
func generate(r *engine.Run, bits int) (*rsa.PrivateKey, error) {
	type made struct {
		key *rsa.PrivateKey
		err error
	}
	done := make(chan made, 1)
	go func() {
		key, err := rsa.GenerateKey(rand.Reader, bits)
		done <- made{key, err}
	}()
	select {
	case m := <-done:
		return m.key, m.err
	case <-r.Context().Done():
		return nil, r.Interrupted()
	}
}

// checkAlgorithm accepts an [algorithm] only when it is SHA-256: the
// reference signs and verifies with SHA-256 whatever [algorithm] says,
// so any other value would silently mean SHA-256 there.
func checkAlgorithm(r *engine.Run, n *hyperlambda.Node) error {
	v, _, err := r.Arg(n, "algorithm")
	if err != nil {
		return err
	}
	if alg, ok := v.(string); ok && strings.ReplaceAll(strings.ToLower(alg), "-", "") != "sha256" {
		return fmt.Errorf("[algorithm] %q: RSA signatures are always SHA-256, as in the reference (which ignores the argument); remove it", alg)
	}
	return nil
}

func sign(key *rsa.PrivateKey, msg []byte) ([]byte, error) {
	sum := sha256.Sum256(msg)
	return rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
}

// errMismatch is what every failed verification says, as the reference's
// "Signature mismatch".
var errMismatch = errors.New("signature mismatch: the content was changed, or it was not signed by the private key of this public key")

func verify(key *rsa.PublicKey, msg, sig []byte) error {
	sum := sha256.Sum256(msg)
	if rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig) != nil {
		return errMismatch
	}
	return nil
}

func rsaSign(r *engine.Run, n *hyperlambda.Node) error {
	msg, err := message(n)
	if err != nil {
		return err
	}
	key, err := privateKey(r, n, "private-key")
	if err != nil {
		return err
	}
	if err := checkAlgorithm(r, n); err != nil {
		return err
	}
	return finish(r, n, privateCost(key), func() ([]byte, error) { return sign(key, msg) }, deliver)
}

func rsaVerify(r *engine.Run, n *hyperlambda.Node) error {
	msg, err := message(n)
	if err != nil {
		return err
	}
	v, _, err := r.Arg(n, "signature")
	if err != nil {
		return err
	}
	sig, err := bytesOf(v, "[signature]")
	if err != nil {
		return err
	}
	key, _, err := publicKey(r, n, "public-key")
	if err != nil {
		return err
	}
	if err := checkAlgorithm(r, n); err != nil {
		return err
	}
	if err := r.Charge(publicCost(key)); err != nil {
		return err
	}
	if err := verify(key, msg, sig); err != nil {
		return err
	}
	n.Clear()
	n.Value = nil // as the reference: success is the absence of an error
	return nil
}

// rsaEncrypt does not end with finish: its length check comes between
// reading [raw] and charging the work.
func rsaEncrypt(r *engine.Run, n *hyperlambda.Node) error {
	msg, err := message(n)
	if err != nil {
		return err
	}
	key, _, err := publicKey(r, n, "public-key")
	if err != nil {
		return err
	}
	raw, err := r.FlagArg(n, "raw", false)
	if err != nil {
		return err
	}
	if room := key.Size() - 11; len(msg) > room {
		return fmt.Errorf("%d bytes is too long for RSA with a %d-bit key (at most %d): encrypt longer content with crypto.encrypt or crypto.aes.encrypt", len(msg), key.N.BitLen(), room)
	}
	if err := r.Charge(publicCost(key)); err != nil {
		return err
	}
	out, err := rsa.EncryptPKCS1v15(rand.Reader, key, msg)
	if err != nil {
		return err
	}
	return deliver(r, n, out, raw)
}

func rsaDecrypt(r *engine.Run, n *hyperlambda.Node) error {
	data, err := sealed(n, "the encrypted message")
	if err != nil {
		return err
	}
	key, err := privateKey(r, n, "private-key")
	if err != nil {
		return err
	}
	return finish(r, n, privateCost(key), func() ([]byte, error) { return rsaOpen(key, data) }, deliverText)
}

// rsaOpen decrypts one PKCS#1 v1.5 block; every failure says the same,
// so the error tells nothing about the padding.
func rsaOpen(key *rsa.PrivateKey, data []byte) ([]byte, error) {
	if len(data) != key.Size() {
		return nil, fmt.Errorf("cannot decrypt: a message RSA-encrypted for a %d-bit key is %d bytes, this is %d", key.N.BitLen(), key.Size(), len(data))
	}
	plain, err := rsa.DecryptPKCS1v15(nil, key, data)
	if err != nil {
		return nil, errors.New("cannot decrypt: the message was not encrypted for this private key's public key, or it was changed")
	}
	return plain, nil
}
