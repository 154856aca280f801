package vocab_test

import (
	"testing"

	"hlstudio/engine/enginetest"
	"hlstudio/engine/vocab"
)

// Cases for the capability families, run with the full vocabulary.
func TestFamilies(t *testing.T) { enginetest.RunCases(t, "testdata/*.txtar", vocab.New) }
