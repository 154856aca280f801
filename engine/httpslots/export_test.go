package httpslots

import "crypto/x509"

// SetTestRoots makes HTTPS trust roots (a test server's certificate).
func SetTestRoots(roots *x509.CertPool) { testRoots = roots }

// SetRecaptchaURL points validators.recaptcha at another server,
// returning the previous URL.
func SetRecaptchaURL(u string) string {
	old := recaptchaURL
	recaptchaURL = u
	return old
}
