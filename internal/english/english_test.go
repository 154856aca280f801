package english

import "testing"

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 files"}, {1, "1 file"}, {2, "2 files"}, {-1, "-1 files"}, {1000, "1000 files"}} {
		if got := Count(c.n, "file", "files"); got != c.want {
			t.Errorf("Count(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestNoun(t *testing.T) {
	if Noun(1, "pair", "pairs") != "pair" || Noun(0, "pair", "pairs") != "pairs" || Noun(3, "pair", "pairs") != "pairs" {
		t.Error("Noun")
	}
}

func TestGrouped(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {16777216, "16,777,216"}, {-1234567, "-1,234,567"}, {100000, "100,000"}} {
		if got := Grouped(c.n); got != c.want {
			t.Errorf("Grouped(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}
