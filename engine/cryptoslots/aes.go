package cryptoslots

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// AES as the reference's crypto.aes.*: AES-GCM with a 128-bit tag; a
// message is the 12-byte nonce, then the ciphertext and its tag. A text
// [password] is hashed with SHA-256 into a 256-bit key; bytes are the key
// itself (16, 24 or 32 bytes).
const (
	nonceSize = 12
	tagSize   = 16
)

func aesSlots() []engine.Slot {
	password := whitelist.Arg{Name: "password", Required: true, Doc: "text (its SHA-256 is the key) or a key of 16, 24 or 32 bytes"}
	return []engine.Slot{
		{Sig: whitelist.Signature{Name: "crypto.aes.encrypt", Doc: "its value's text (or bytes) AES-GCM encrypted with [password], as base64 (nonce, ciphertext, tag)",
			Value: input, Children: whitelist.Arguments, Effects: whitelist.Random,
			Args: []whitelist.Arg{password, rawArg}}, Fn: aesEncrypt},
		{Sig: whitelist.Signature{Name: "crypto.aes.decrypt", Doc: "decrypts its value (base64 text or bytes from crypto.aes.encrypt) with [password]; the text, or bytes with [raw]",
			Value: input, Children: whitelist.Arguments,
			Args: []whitelist.Arg{password, {Name: "raw", Type: "bool", Doc: "true: the decrypted bytes rather than their text"}}}, Fn: aesDecrypt},
	}
}

// aesKey is the key [password] stands for.
func aesKey(r *engine.Run, n *hyperlambda.Node) ([]byte, error) {
	v, _, err := r.Arg(n, "password")
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case string:
		sum := sha256.Sum256([]byte(x))
		return sum[:], nil
	case []byte:
		if len(x) != 16 && len(x) != 24 && len(x) != 32 {
			return nil, fmt.Errorf("a [password] given as bytes is the AES key itself and must be 16, 24 or 32 bytes, not %d (or give text, which is hashed into a key)", len(x))
		}
		return x, nil
	case nil:
		return nil, errors.New("[password] has no value")
	}
	return nil, fmt.Errorf("[password] must be text or bytes, not %s", hyperlambda.TypeOf(v))
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// aesSeal encrypts plain under key with a fresh random nonce, in the
// reference's layout: nonce, ciphertext, tag.
func aesSeal(key, plain []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, nonceSize, nonceSize+len(plain)+tagSize)
	if _, err := rand.Read(out); err != nil {
		return nil, err
	}
	return gcm.Seal(out, out, plain, nil), nil
}

// aesOpen reverses aesSeal; a wrong key and a changed message fail alike
// (GCM cannot tell them apart).
func aesOpen(key, data []byte) ([]byte, error) {
	if len(data) < nonceSize+tagSize {
		return nil, fmt.Errorf("cannot decrypt: %d bytes is too short for an AES message (a nonce of %d bytes and a tag of %d)", len(data), nonceSize, tagSize)
	}
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	plain, err := gcm.Open(nil, data[:nonceSize], data[nonceSize:], nil)
	if err != nil {
		return nil, errors.New("cannot decrypt: wrong key or password, or the message was changed")
	}
	return plain, nil
}

func aesEncrypt(r *engine.Run, n *hyperlambda.Node) error {
	msg, err := message(n)
	if err != nil {
		return err
	}
	key, err := aesKey(r, n)
	if err != nil {
		return err
	}
	return finish(r, n, int64(len(msg)/bytesPerStep), func() ([]byte, error) { return aesSeal(key, msg) }, deliver)
}

func aesDecrypt(r *engine.Run, n *hyperlambda.Node) error {
	data, err := sealed(n, "the encrypted message")
	if err != nil {
		return err
	}
	key, err := aesKey(r, n)
	if err != nil {
		return err
	}
	return finish(r, n, int64(len(data)/bytesPerStep), func() ([]byte, error) { return aesOpen(key, data) }, deliverText)
}
