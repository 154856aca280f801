package cryptoslots

import (
	"crypto/rsa"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math"
	"math/big"
	"math/bits"
)

// What RSA costs against the step budget, where a step stands for about
// 5 µs. Measured with Go 1.26's crypto/rsa on amd64 (the median of each
// operation, keys of 1024 to 8192 bits, balanced and unbalanced).
//
// Every RSA operation is made of modular exponentiations. One modulo a
// number of w 64-bit words, with an exponent as long, takes 0.06 to
// 0.075·w³ steps (78 to 97 ms for 4096 bits, the prime of an 8192-bit
// key); Go has assembly for moduli of exactly 16, 24 and 32 words (the
// primes of 2048-, 3072- and 4096-bit keys) that is about three times
// faster (0.02 to 0.023·w³), so 4096-bit keys cost far less than 3968-
// or 8192-bit ones. A private-key operation (sign, decrypt) is one
// exponentiation per prime and a check of the result with the public
// key; a public one (verify, encrypt) is about (bits of e + one bits of
// e + 16) multiplications of about 0.0008·w² steps each. The constants
// below are the largest measurement and a tenth to a fifth more, so a
// charge is never less than the work.
const (
	expStepsPerCubedWord     = 0.09
	fastExpStepsPerCubedWord = 0.025
	mulStepsPerSquaredWord   = 0.0009
	// publicSetupMuls is setting up the modulus, in multiplications.
	publicSetupMuls = 16
	// checkStepsPerSquaredWord is checking a key's parts against each
	// other (p·q = n, d·e = 1 modulo p-1 and q-1, ...) when it is parsed,
	// for an n of w words: about 0.03·w² steps, twice that for a key that
	// fails the last check (Go's Precompute, then Validate, check it).
	checkStepsPerSquaredWord = 0.08
	// generateFactor: making a key of two primes of b bits tries about
	// 0.1·b candidates' worth of exponentiations (a random number of
	// them: a single key can take twice the mean, and the run stops
	// waiting for it at its deadline).
	generateFactor = 0.15
	// otherKeySteps covers parsing a key that is not RSA before it is
	// refused (at most 0.33 ms, a P-521 key deriving its public point).
	otherKeySteps = 100
)

func words(bits int) int { return (bits + 63) / 64 }

// expSteps is one modular exponentiation modulo a number of bits bits
// with an exponent as long.
func expSteps(bits int) float64 {
	w := words(bits)
	perCubedWord := expStepsPerCubedWord
	switch w {
	case 16, 24, 32:
		perCubedWord = fastExpStepsPerCubedWord
	}
	return perCubedWord * float64(w) * float64(w) * float64(w)
}

func ceilSteps(s float64) int64 { return max(1, int64(math.Ceil(s))) }

func publicOpSteps(key *rsa.PublicKey) float64 {
	w := float64(words(key.N.BitLen()))
	e := uint64(key.E)
	muls := bits.Len64(e) + bits.OnesCount64(e) + publicSetupMuls
	return float64(muls) * mulStepsPerSquaredWord * w * w
}

// publicCost is a verification or an encryption with key.
func publicCost(key *rsa.PublicKey) int64 { return ceilSteps(publicOpSteps(key)) }

// privateCost is a signature or a decryption with key, by the size of
// each of its primes (an unbalanced key costs more than a balanced one of
// the same size).
func privateCost(key *rsa.PrivateKey) int64 {
	s := publicOpSteps(&key.PublicKey)
	if len(key.Primes) != 2 { // never here: such keys are refused
		return ceilSteps(s + expSteps(key.N.BitLen()))
	}
	for _, p := range key.Primes {
		s += expSteps(p.BitLen())
	}
	return ceilSteps(s)
}

// generateCost is making a key of bits bits.
func generateCost(bits int) int64 {
	prime := (bits + 1) / 2
	return ceilSteps(generateFactor * float64(prime) * expSteps(prime))
}

// pkcs8Shape and pkcs1Shape are what is read of a private key before Go
// parses it: Go validates a key as it parses it, and the cost of that
// depends on the sizes of its parts, not on the size of the key's text.
type pkcs8Shape struct {
	Version    int
	Algo       pkix.AlgorithmIdentifier
	PrivateKey []byte
}

type pkcs1Shape struct {
	Version          int
	N, E, D, P, Q    *big.Int
	Dp, Dq, Qinv     *big.Int        `asn1:"optional"`
	AdditionalPrimes []asn1.RawValue `asn1:"optional,omitempty"`
}

var oidRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}

// privateParseCost is what Go's parsing of der as a private key (PKCS#8
// or PKCS#1) costs, read from the sizes of the key's parts before it is
// parsed. A key whose parts would cost more than its size says is
// refused: its primes are larger than its modulus, or it has more than
// two (a crafted 4 KB key whose "prime" is 32,768 bits takes minutes to
// validate). Anything that is not an RSA private key costs little: Go
// refuses it without computing.
func privateParseCost(name string, der []byte) (int64, error) {
	inner := der
	var p8 pkcs8Shape
	if rest, err := asn1.Unmarshal(der, &p8); err == nil && len(rest) == 0 {
		if !p8.Algo.Algorithm.Equal(oidRSA) {
			return otherKeySteps, nil
		}
		inner = p8.PrivateKey
	}
	var k pkcs1Shape
	if rest, err := asn1.Unmarshal(inner, &k); err != nil || len(rest) > 0 ||
		k.N.Sign() <= 0 || k.D.Sign() <= 0 || k.P.Sign() <= 0 || k.Q.Sign() <= 0 {
		return 1, nil
	}
	modulus := k.N.BitLen()
	if err := checkSize(name, modulus); err != nil {
		return 0, err
	}
	if len(k.AdditionalPrimes) > 0 {
		return 0, fmt.Errorf("[%s] is an RSA key of more than two primes: give a key of two primes, as crypto.rsa.create-key makes", name)
	}
	largest := max(k.P.BitLen(), k.Q.BitLen())
	if k.P.BitLen()+k.Q.BitLen() > modulus+1 {
		return 0, fmt.Errorf("[%s] is not a valid RSA private key: its primes are larger than its modulus", name)
	}
	w := float64(words(modulus))
	s := checkStepsPerSquaredWord * w * w
	if k.Dp == nil || k.Dq == nil || k.Qinv == nil {
		// Go makes the missing CRT values, an exponentiation modulo p,
		// twice for a key that then fails validation.
		s += 2 * expSteps(largest)
	}
	return ceilSteps(s), nil
}

// isPrivateShape reports whether der is shaped as a private key (PKCS#8
// or PKCS#1), without validating it.
func isPrivateShape(der []byte) bool {
	var p8 pkcs8Shape
	if rest, err := asn1.Unmarshal(der, &p8); err == nil && len(rest) == 0 {
		return true
	}
	var k pkcs1Shape
	rest, err := asn1.Unmarshal(der, &k)
	return err == nil && len(rest) == 0
}
