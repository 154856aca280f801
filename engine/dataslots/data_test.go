package dataslots_test

import (
	"testing"

	"hlstudio/engine/enginetest"
	"hlstudio/engine/vocab"
)

// Each case gets a fresh per-user data folder, so "{data}/sandbox" holds a
// new empty database.
func TestCases(t *testing.T) { enginetest.RunCasesInFreshData(t, "testdata/*.txtar", vocab.New) }
