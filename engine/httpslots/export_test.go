package httpslots

import "crypto/x509"

// SetTestRoots makes HTTPS trust roots (a test server's certificate).
func SetTestRoots(roots *x509.CertPool) { testRoots = roots }
