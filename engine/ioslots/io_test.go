package ioslots_test

import (
	"testing"

	"hlstudio/engine/enginetest"
	"hlstudio/engine/vocab"
)

// Each case gets a fresh per-user data folder, so "{data}/sandbox" is a
// new empty sandbox and nothing of the real user's is touched.
func TestCases(t *testing.T) { enginetest.RunCasesInFreshData(t, "testdata/*.txtar", vocab.New) }
