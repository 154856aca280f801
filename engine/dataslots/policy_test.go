package dataslots_test

import (
	"testing"

	"hlstudio/assets"
)

func sandboxPolicy(t testing.TB) string {
	src, ok := assets.Policy("sandbox")
	if !ok {
		t.Fatal("no sandbox policy")
	}
	return string(src)
}
