package cryptoslots

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// The combinations, in the reference's binary layouts (integers are
// 32-bit little-endian, as .NET's BinaryWriter writes them):
//
//	signed package:    SHA-256 of the signer's public key (32 bytes),
//	                   signature length, signature, content
//	encrypted package: SHA-256 of the recipient's public key (32 bytes),
//	                   length of the encrypted session key, the random
//	                   256-bit AES session key RSA-encrypted for the
//	                   recipient, then the signed package AES-encrypted
//	                   with the session key (nonce, ciphertext, tag)
//
// crypto.get-key reads the leading fingerprint of either, so a recipient
// can look up which key to decrypt or verify with.
const fingerprintSize = sha256.Size

func combinationSlots() []engine.Slot {
	signingKey := whitelist.Arg{Name: "signing-key", Required: true, Doc: "the signer's private key, base64 DER"}
	signingFingerprint := whitelist.Arg{Name: "signing-key-fingerprint", Required: true, Doc: "the fingerprint of the signer's public key ([fingerprint] or [fingerprint-raw] of crypto.rsa.create-key)"}
	textRaw := whitelist.Arg{Name: "raw", Type: "bool", Doc: "true: the content as bytes rather than text"}
	return []engine.Slot{
		{Sig: whitelist.Signature{Name: "crypto.sign", Doc: "a signed package of its value's text (or bytes): signer's fingerprint, RSA signature and content, as base64",
			Value: input, Children: whitelist.Arguments,
			Args: []whitelist.Arg{signingKey, signingFingerprint, rawArg}}, Fn: combinedSign},
		{Sig: whitelist.Signature{Name: "crypto.verify", Doc: "checks a package from crypto.sign (or crypto.decrypt without [verify-key]) against [public-key] and gives its content; an error when the signature does not match",
			Value: input, Children: whitelist.Arguments,
			Args: []whitelist.Arg{{Name: "public-key", Required: true, Doc: "the signer's public key, base64 DER"}, textRaw}}, Fn: combinedVerify},
		{Sig: whitelist.Signature{Name: "crypto.encrypt", Doc: "signs its value's text (or bytes) with [signing-key], then encrypts the signed package for [encryption-key] (RSA and AES), as base64",
			Value: input, Children: whitelist.Arguments, Effects: whitelist.Random,
			Args: []whitelist.Arg{signingKey, signingFingerprint,
				{Name: "encryption-key", Required: true, Doc: "the recipient's public key, base64 DER"},
				{Name: "seed", Doc: "accepted and ignored: in the reference it only adds to the generator's entropy"}, rawArg}}, Fn: combinedEncrypt},
		{Sig: whitelist.Signature{Name: "crypto.decrypt", Doc: "decrypts a package from crypto.encrypt with [decryption-key]; with [verify-key] checks the signature and gives the content, without it gives the signed package (base64) for crypto.get-key and crypto.verify",
			Value: input, Children: whitelist.Arguments,
			Args: []whitelist.Arg{{Name: "decryption-key", Required: true, Doc: "the recipient's private key, base64 DER"},
				{Name: "verify-key", Doc: "the signer's public key, base64 DER"},
				{Name: "raw", Type: "bool", Doc: "true: bytes rather than text (or base64)"}}}, Fn: combinedDecrypt},
		{Sig: whitelist.Signature{Name: "crypto.get-key", Doc: "the fingerprint of the key a package from crypto.encrypt was encrypted for, or a signed package was signed with",
			Value: input, Children: whitelist.Arguments,
			Args: []whitelist.Arg{{Name: "raw", Type: "bool", Doc: "true: the 32 bytes rather than the fingerprint text"}}}, Fn: getKey},
		{Sig: whitelist.Signature{Name: "crypto.fingerprint", Doc: "the fingerprint (SHA-256 in dashed hex) of its value: base64 text such as a public key, or bytes",
			Value: input}, Fn: fingerprintOf},
		{Sig: whitelist.Signature{Name: "crypto.seed", Doc: "accepted and ignored: in the reference it only adds entropy to the random generator",
			Value: input}, Fn: seed},
	}
}

// fingerprintArg is [signing-key-fingerprint] as its 32 bytes: the
// dashed hex text crypto.rsa.create-key writes, or the raw bytes.
func fingerprintArg(r *engine.Run, n *hyperlambda.Node) ([]byte, error) {
	const name = "signing-key-fingerprint"
	v, _, err := r.Arg(n, name)
	if err != nil {
		return nil, err
	}
	var sum []byte
	switch x := v.(type) {
	case []byte:
		sum = x
	case string:
		if sum, err = hex.DecodeString(strings.ReplaceAll(x, "-", "")); err != nil {
			return nil, fmt.Errorf("[%s] is not a fingerprint (dashed hex, as crypto.rsa.create-key's [fingerprint]): %v", name, err)
		}
	case nil:
		return nil, fmt.Errorf("[%s] has no value", name)
	default:
		return nil, fmt.Errorf("[%s] must be text or bytes, not %s", name, hyperlambda.TypeOf(v))
	}
	if len(sum) != fingerprintSize {
		return nil, fmt.Errorf("[%s] is %d bytes, a fingerprint is %d", name, len(sum), fingerprintSize)
	}
	return sum, nil
}

// signer reads [signing-key] and [signing-key-fingerprint], which must
// belong together: the reference writes whatever fingerprint it is given,
// and a package labelled with another key's fingerprint cannot be
// verified by a recipient who looks the key up by it.
func signer(r *engine.Run, n *hyperlambda.Node) (*rsa.PrivateKey, []byte, error) {
	key, err := privateKey(r, n, "signing-key")
	if err != nil {
		return nil, nil, err
	}
	sum, err := fingerprintArg(r, n)
	if err != nil {
		return nil, nil, err
	}
	public, err := publicDER(key)
	if err != nil {
		return nil, nil, err
	}
	if own := sha256.Sum256(public); !bytes.Equal(own[:], sum) {
		return nil, nil, errors.New("[signing-key-fingerprint] is not the fingerprint of [signing-key]'s public key: give the [fingerprint] crypto.rsa.create-key made with that key")
	}
	return key, sum, nil
}

// signPackage is the reference's signed package of msg.
func signPackage(key *rsa.PrivateKey, sum, msg []byte) ([]byte, error) {
	sig, err := sign(key, msg)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, fingerprintSize+4+len(sig)+len(msg))
	out = append(out, sum...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(sig)))
	out = append(out, sig...)
	return append(out, msg...), nil
}

// lengthPrefixed splits data after its fingerprint into the field whose
// 32-bit little-endian length comes first, and what follows the field.
func lengthPrefixed(data []byte, what string) (field, rest []byte, err error) {
	if len(data) < fingerprintSize+4 {
		return nil, nil, fmt.Errorf("not %s: %d bytes is too short", what, len(data))
	}
	size := binary.LittleEndian.Uint32(data[fingerprintSize:])
	rest = data[fingerprintSize+4:]
	if uint64(size) > uint64(len(rest)) {
		return nil, nil, fmt.Errorf("not %s: it announces %d bytes where %d remain", what, int32(size), len(rest))
	}
	return rest[:size], rest[size:], nil
}

const signedPackage = "a signed package (from crypto.sign, or crypto.decrypt without [verify-key])"

// verifyPackage checks a signed package against key and returns its
// content.
func verifyPackage(key *rsa.PublicKey, pkg []byte) ([]byte, error) {
	sig, msg, err := lengthPrefixed(pkg, signedPackage)
	if err != nil {
		return nil, err
	}
	if err := verify(key, msg, sig); err != nil {
		return nil, err
	}
	return msg, nil
}

// encryptPackage is the reference's encrypted package of plain for key,
// whose SubjectPublicKeyInfo DER is public.
func encryptPackage(key *rsa.PublicKey, public, plain []byte) ([]byte, error) {
	session := make([]byte, 32)
	if _, err := rand.Read(session); err != nil {
		return nil, err
	}
	lock, err := rsa.EncryptPKCS1v15(rand.Reader, key, session)
	if err != nil {
		return nil, err
	}
	body, err := aesSeal(session, plain)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(public)
	out := make([]byte, 0, fingerprintSize+4+len(lock)+len(body))
	out = append(out, sum[:]...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(lock)))
	out = append(out, lock...)
	return append(out, body...), nil
}

// decryptPackage opens an encrypted package with key.
func decryptPackage(key *rsa.PrivateKey, pkg []byte) ([]byte, error) {
	lock, body, err := lengthPrefixed(pkg, "an encrypted package (from crypto.encrypt)")
	if err != nil {
		return nil, err
	}
	session, err := rsaOpen(key, lock)
	if err != nil {
		return nil, err
	}
	if len(session) != 16 && len(session) != 24 && len(session) != 32 {
		return nil, fmt.Errorf("cannot decrypt: the package's session key is %d bytes, not an AES key", len(session))
	}
	return aesOpen(session, body)
}

// signing reads what crypto.sign and crypto.encrypt both begin with: the
// value, which is the message, and its signer. It returns what signing
// costs in steps and the signing itself, which waits until every
// argument is read.
func signing(r *engine.Run, n *hyperlambda.Node) (int64, func() ([]byte, error), error) {
	msg, err := message(n)
	if err != nil {
		return 0, nil, err
	}
	key, sum, err := signer(r, n)
	if err != nil {
		return 0, nil, err
	}
	return privateCost(key), func() ([]byte, error) { return signPackage(key, sum, msg) }, nil
}

func combinedSign(r *engine.Run, n *hyperlambda.Node) error {
	steps, signed, err := signing(r, n)
	if err != nil {
		return err
	}
	return finish(r, n, steps, signed, deliver)
}

func combinedVerify(r *engine.Run, n *hyperlambda.Node) error {
	pkg, err := sealed(n, signedPackage)
	if err != nil {
		return err
	}
	key, _, err := publicKey(r, n, "public-key")
	if err != nil {
		return err
	}
	return finish(r, n, publicCost(key), func() ([]byte, error) { return verifyPackage(key, pkg) }, deliverText)
}

func combinedEncrypt(r *engine.Run, n *hyperlambda.Node) error {
	steps, signed, err := signing(r, n)
	if err != nil {
		return err
	}
	recipient, public, err := publicKey(r, n, "encryption-key")
	if err != nil {
		return err
	}
	if _, _, err := r.Arg(n, "seed"); err != nil {
		return err
	}
	steps += publicCost(recipient)
	return finish(r, n, steps, func() ([]byte, error) {
		pkg, err := signed()
		if err != nil {
			return nil, err
		}
		return encryptPackage(recipient, public, pkg)
	}, deliver)
}

func combinedDecrypt(r *engine.Run, n *hyperlambda.Node) error {
	pkg, err := sealed(n, "an encrypted package (from crypto.encrypt)")
	if err != nil {
		return err
	}
	key, err := privateKey(r, n, "decryption-key")
	if err != nil {
		return err
	}
	// An absent [verify-key] means "give me the signed package"; one that
	// is present but empty (an expression that found nothing) is an
	// error: the reference would silently skip the verification.
	var signerKey *rsa.PublicKey
	if v, present, err := r.Arg(n, "verify-key"); err != nil {
		return err
	} else if present {
		if v == nil || v == "" {
			return errors.New("[verify-key] is empty (an expression that found nothing?): give the signer's public key, or leave [verify-key] out to get the signed package unverified")
		}
		if signerKey, _, err = publicKey(r, n, "verify-key"); err != nil {
			return err
		}
	}
	steps := privateCost(key)
	if signerKey == nil {
		return finish(r, n, steps, func() ([]byte, error) { return decryptPackage(key, pkg) }, deliver)
	}
	steps += publicCost(signerKey)
	return finish(r, n, steps, func() ([]byte, error) {
		signed, err := decryptPackage(key, pkg)
		if err != nil {
			return nil, err
		}
		return verifyPackage(signerKey, signed)
	}, deliverText)
}

func getKey(r *engine.Run, n *hyperlambda.Node) error {
	pkg, err := sealed(n, "a package from crypto.encrypt or crypto.sign")
	if err != nil {
		return err
	}
	raw, err := r.FlagArg(n, "raw", false)
	if err != nil {
		return err
	}
	if len(pkg) < fingerprintSize {
		return fmt.Errorf("not a package from crypto.encrypt or crypto.sign: %d bytes is shorter than its %d-byte key fingerprint", len(pkg), fingerprintSize)
	}
	sum := pkg[:fingerprintSize:fingerprintSize]
	if raw {
		n.Clear()
		n.Value = append([]byte(nil), sum...)
		return r.Output(len(sum))
	}
	text := fingerprint(sum)
	n.Clear()
	n.Value = text
	return r.Output(len(text))
}

func fingerprintOf(r *engine.Run, n *hyperlambda.Node) error {
	data, err := sealed(n, "the key (or other data) to fingerprint")
	if err != nil {
		return fmt.Errorf("%w (crypto.fingerprint reads text as base64, as the reference; to fingerprint text use crypto.hash with format:fingerprint)", err)
	}
	sum := sha256.Sum256(data)
	text := fingerprint(sum[:])
	n.Value = text
	return r.Output(len(text))
}

// seed accepts what the reference's crypto.seed takes: its value only
// adds entropy there, and crypto/rand needs none.
func seed(r *engine.Run, n *hyperlambda.Node) error {
	if _, err := message(n); err != nil {
		return err
	}
	n.Value = nil
	return nil
}
