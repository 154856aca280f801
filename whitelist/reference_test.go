package whitelist

import (
	"math/rand"
	"testing"
)

func naiveDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j-1]+cost, prev[j]+1, cur[j-1]+1)
		}
		prev = cur
	}
	return prev[len(b)]
}

// The banded distance agrees with the plain one wherever it is within
// the limit, and says "beyond" exactly when it is not.
func TestEditDistanceMatchesPlainLevenshtein(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	word := func() string {
		b := make([]byte, rng.Intn(9))
		for i := range b {
			b[i] = "abc."[rng.Intn(4)]
		}
		return string(b)
	}
	for range 20000 {
		a, b, limit := word(), word(), rng.Intn(4)
		want := naiveDistance(a, b)
		if want > limit {
			want = limit + 1
		}
		if got := editDistance(a, b, limit, make([]int, len(b)+1), make([]int, len(b)+1)); got != want {
			t.Fatalf("editDistance(%q, %q, %d) = %d, want %d", a, b, limit, got, want)
		}
	}
}

func TestUnknownSlotReasons(t *testing.T) {
	names := []string{"get-value", "strings.concat", "strings.contains", "math.add", "eq"}
	for _, c := range []struct{ name, want string }{
		{"auth.ticket.verify", "auth.ticket.verify is a slot of the reference runtime (magic.lambda.auth) that hlstudio does not provide"},
		{"tasks.create", "tasks.create is a slot of the reference runtime (magic.lambda.scheduler) that hlstudio does not provide"},
		{"strings.concatt", "no slot is named strings.concatt; did you mean strings.concat?"},
		{"get-vaule", "no slot is named get-vaule; did you mean get-value?"},
		{"math.ad", "no slot is named math.ad; did you mean math.add?"},
		{"strings.reverse", "no slot is named strings.reverse"},
		{"eg", "no slot is named eg"}, // too short to guess
		{"data.frobnicate", "no slot is named data.frobnicate"},
	} {
		if got := UnknownSlotReason(c.name, names); got != c.want {
			t.Errorf("%s: got %q\nwant %q", c.name, got, c.want)
		}
	}
}
