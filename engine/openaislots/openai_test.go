package openaislots

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/pkoukk/tiktoken-go"

	"hlstudio/engine"
	"hlstudio/engine/enginetest"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// Token ids from outside this code: "hello world" and "Hello, world!" are
// the GPT-2 examples of tiktoken's and Hugging Face's documentation; the
// rest were computed with the npm package gpt-3-encoder 1.1.4, the
// JavaScript port of OpenAI's GPT-2 encoder that the reference's C# code
// ports in turn (same regex, byte table, encoder.json and vocab.bpe, and it
// merges by the rank of the pair, where tiktoken merges by the rank of the
// result).
var known = []struct {
	text string
	ids  []int
}{
	{"hello world", []int{31373, 995}},
	{"Hello, world!", []int{15496, 11, 995, 0}},
	{"I'm sure you'll see they've done it", []int{40, 1101, 1654, 345, 1183, 766, 484, 1053, 1760, 340}},
	{"don't", []int{9099, 470}},
	{"DON'T", []int{41173, 6, 51}}, // the contractions are lower case only
	{"<|endoftext|>", []int{27, 91, 437, 1659, 5239, 91, 29}},
	{"  two leading spaces", []int{220, 734, 3756, 9029}},
	{"tabs\tand\nnew lines\n\n\nend", []int{8658, 82, 197, 392, 198, 3605, 3951, 628, 198, 437}},
	{"ünïcödé", []int{9116, 77, 26884, 66, 9101, 67, 2634}},
	{"日本語のテキスト", []int{33768, 98, 17312, 105, 45739, 252, 5641, 24336, 25084, 43302}},
	{"😀👍🏽", []int{47249, 222, 41840, 235, 8582, 237, 121}},
	{"12345678901234567890", []int{10163, 2231, 3134, 4531, 486, 1954, 2231, 30924, 3829}},
	{strings.Repeat("=", 100), []int{23926, 10052, 1421}},
	{"x\u00a0y", []int{87, 1849, 88}},
	{"get-value:x:@.arguments/*/prompt", []int{1136, 12, 8367, 25, 87, 25, 31, 13, 853, 2886, 15211, 14, 16963, 457}},
}

func TestKnownTokens(t *testing.T) {
	enc, _, err := encoding()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range known {
		ids := enc.EncodeOrdinary(k.text)
		if !slices.Equal(ids, k.ids) {
			t.Errorf("%q: %v, want %v", k.text, ids, k.ids)
		}
		if back := enc.Decode(ids); back != k.text {
			t.Errorf("%q decodes back to %q", k.text, back)
		}
	}
	// The benchmark's prompt, 241 tokens by gpt-3-encoder too.
	if got := len(enc.EncodeOrdinary(typicalPrompt)); got != 241 {
		t.Errorf("the typical prompt: %d tokens, want 241", got)
	}
	// Empty text is 0 without loading anything (no run needed).
	if n, err := countTokens(nil, ""); n != 0 || err != nil {
		t.Fatalf("empty text: %d, %v", n, err)
	}
}

// The embedded file is the one tiktoken checks for r50k_base.
func TestEmbeddedRanksAreR50k(t *testing.T) {
	sum := sha256.Sum256(r50kFile)
	if got := hex.EncodeToString(sum[:]); got != "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930" {
		t.Fatalf("r50k_base.tiktoken sha256 %s", got)
	}
}

func TestDamagedRanksAreRefused(t *testing.T) {
	good := "IQ== 0\nIg== 1\n"
	for name, file := range map[string]string{
		"rank out of order": "IQ== 0\nIg== 2\n",
		"repeated token":    "IQ== 0\nIQ== 1\n",
		"bad base64":        "IQ== 0\n!!! 1\n",
		"no rank":           "IQ==\n",
		"too few tokens":    good,
	} {
		if _, err := parseRanks([]byte(file)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

type noDownloads struct{ t *testing.T }

func (l noDownloads) LoadTiktokenBpe(file string) (map[string]int, error) {
	l.t.Errorf("tiktoken's loader was asked for %s", file)
	return nil, os.ErrNotExist
}

// Loading never goes through tiktoken's loader (which downloads into a
// cache directory): with the loader replaced by one that fails the test,
// an empty cache and proxies that lead nowhere, counting still works and
// the cache stays empty.
func TestLoadNeverDownloads(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("TIKTOKEN_CACHE_DIR", cache)
	t.Setenv("DATA_GYM_CACHE_DIR", cache)
	for _, v := range []string{"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"} {
		t.Setenv(v, "http://127.0.0.1:1")
	}
	tiktoken.SetBpeLoader(noDownloads{t})
	defer tiktoken.SetBpeLoader(tiktoken.NewDefaultBpeLoader())
	enc, _, err := loadR50k()
	if err != nil {
		t.Fatal(err)
	}
	if got := len(enc.EncodeOrdinary("hello world")); got != 2 {
		t.Fatalf("hello world: %d tokens", got)
	}
	if entries, _ := os.ReadDir(cache); len(entries) != 0 {
		t.Fatalf("the cache got %d files", len(entries))
	}
}

// Counting chunk by chunk gives the count of the whole text, even with a
// cut at every safe place (target 1): the rule in nextChunk is exact.
func TestChunksCountAsTheWhole(t *testing.T) {
	enc, pairs, err := encoding()
	if err != nil {
		t.Fatal(err)
	}
	// Every kind of boundary the pattern has: contractions, apostrophes
	// of both kinds, each white space class (including U+0085 and U+2028,
	// which are \s, and U+FEFF and U+200B, which are not), digits of other
	// scripts, combining marks, letters and symbols beyond U+FFFF, and an
	// invalid byte.
	alphabet := []string{"'", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "s", "t", "re", "ll",
		" ", "  ", "\n", "\r\n", "\t", "\v", "\f", "\u0085", "\u00a0", "\u2028", "\u3000", "\ufeff", "\u200b",
		"a", "Zeta", "7", "٣", "½", "!", "?!", "=", "-", "é", "e\u0301", "я", "中", "，",
		"😀", "𝐀", "𝟏", "\xff", "<|endoftext|>"}
	rng := rand.New(rand.NewPCG(1, 2))
	var texts []string
	for range 1000 {
		var b strings.Builder
		for range 1 + rng.IntN(60) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		texts = append(texts, b.String())
	}
	for _, k := range known {
		texts = append(texts, k.text)
	}
	texts = append(texts, typicalPrompt)
	for _, text := range texts {
		whole := len(enc.EncodeOrdinary(text))
		for _, target := range []int{1, 5, 64} {
			sum, chunks := 0, 0
			for rest := text; rest != ""; chunks++ {
				chunk, _ := nextChunk(rest, target, pairs)
				if chunk == "" {
					t.Fatalf("%q: empty chunk", rest)
				}
				rest = rest[len(chunk):]
				sum += len(enc.EncodeOrdinary(chunk))
			}
			if sum != whole {
				t.Fatalf("%q in chunks of %d: %d tokens in %d chunks, whole %d", text, target, sum, chunks, whole)
			}
		}
	}
	// Prose is cut into many chunks, so the deadline is checked often.
	if chunk, _ := nextChunk(typicalPrompt, 100, pairs); len(chunk) > 120 {
		t.Fatalf("a chunk of %d bytes", len(chunk))
	}
}

func TestLongRunsCostMore(t *testing.T) {
	_, pairs, err := encoding()
	if err != nil {
		t.Fatal(err)
	}
	// Words cost their pieces, a step per five: their merges are covered.
	if _, extra := nextChunk(strings.Repeat("word ", 12800), 1<<30, pairs); extra != 12800*nsPerPiece/nsPerStep {
		t.Fatalf("12,800 words cost %d steps more", extra)
	}
	// One long run merges quadratically: 64,000 letters take about 2.5 s,
	// and must cost more than the whole default budget of 1,000,000 steps.
	if _, extra := nextChunk(strings.Repeat("a", 64000), chunkTargetBytes, pairs); extra < 1_000_000 {
		t.Fatalf("a run of 64,000 letters costs %d steps more", extra)
	}
}

// A huge text ends the run at the step budget at once, before any
// counting; a long run of one character too, though it is short.
func TestHugeTextEndsAtTheBudget(t *testing.T) {
	e := engine.New()
	if err := Register(e); err != nil {
		t.Fatal(err)
	}
	pure := enginetest.LoadPolicy(t, "pure")
	for _, text := range []string{strings.Repeat(typicalPrompt+"\n", 16<<20/len(typicalPrompt)), strings.Repeat("=", 100_000)} {
		lambda := hyperlambda.New("", nil)
		lambda.Add(hyperlambda.New("openai.tokenize", text))
		_, err := e.Execute(context.Background(), lambda, pure)
		var be *engine.BudgetError
		if !errors.As(err, &be) || be.Budget != "steps" {
			t.Fatalf("%d bytes: %v, want the step budget", len(text), err)
		}
	}
	// Under the same step budget a 1 MB text is counted. (Not under pure's
	// 5 s: with -race on a busy machine the count has taken longer.)
	untimed, err := whitelist.Parse("untimed.hl", fmt.Appendf(nil, "name:untimed\r\nallow\r\n   effects:pure\r\nbudgets\r\n   steps:long:%d\r\n   time-ms:int:600000\r\n", pure.Budgets.Steps))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Repeat(typicalPrompt+"\n", 1<<20/len(typicalPrompt))
	lambda := hyperlambda.New("", nil)
	lambda.Add(hyperlambda.New("openai.tokenize", text))
	if _, err := e.Execute(context.Background(), lambda, untimed); err != nil {
		t.Fatal(err)
	}
	enc, _, err := encoding()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := lambda.Child(0).Value, int32(len(enc.EncodeOrdinary(text))); got != want {
		t.Fatalf("1 MB of prompts: %v tokens, want %v", got, want)
	}
}

func FuzzChunksCountAsTheWhole(f *testing.F) {
	for _, k := range known {
		f.Add(k.text)
	}
	enc, pairs, err := encoding()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		sum := 0
		for rest := text; rest != ""; {
			chunk, _ := nextChunk(rest, 1, pairs)
			rest = rest[len(chunk):]
			sum += len(enc.EncodeOrdinary(chunk))
		}
		if whole := len(enc.EncodeOrdinary(text)); sum != whole {
			t.Fatalf("%q: %d in chunks, %d whole", text, sum, whole)
		}
	})
}

// calibrationTexts are the kinds of text the charges were measured on:
// long runs the vocabulary joins everywhere (one character repeated),
// runs it rarely joins (CJK text, whose characters are rarely tokens,
// Hangul, spaces), and text of many small pieces (prose, a piece per
// byte, contractions).
func calibrationTexts() map[string]string {
	rng := rand.New(rand.NewPCG(3, 4))
	random := func(lo, hi rune, chars int) string {
		var b strings.Builder
		for range chars {
			b.WriteRune(lo + rune(rng.IntN(int(hi-lo+1))))
		}
		return b.String()
	}
	const n = 36 << 10
	mix := []rune("a1.,;: \n!?'\"()-")
	var punct strings.Builder
	for punct.Len() < 32<<10 {
		punct.WriteRune(mix[rng.IntN(len(mix))])
	}
	return map[string]string{
		"cjk":         random(0x4E00, 0x5BB7, n/3), // the first 3,000 CJK ideographs
		"cjk-one":     strings.Repeat("的", n/3),
		"hangul":      random(0xAC00, 0xB3D0, n/3),
		"a":           strings.Repeat("a", n),
		"equals":      strings.Repeat("=", n),
		"digits":      strings.Repeat("1", n),
		"newlines":    strings.Repeat("\n", n),
		"spaces":      strings.Repeat(" ", n),
		"ideographic": strings.Repeat("\u3000", n/3),
		"emoji":       strings.Repeat("😀", n/4),
		"prose":       strings.Repeat(typicalPrompt+"\n", n/len(typicalPrompt)),
		"lines":       strings.Repeat("\na", n/2),
		"punctuation": punct.String(),
		"quotes":      strings.Repeat("'s'", n/3),
	}
}

// charged is what countTokens charges for text, in steps.
func charged(t testing.TB, text string) int64 {
	_, pairs, err := encoding()
	if err != nil {
		t.Fatal(err)
	}
	steps := 1 + int64(len(text))/bytesPerStep
	for rest := text; rest != ""; {
		chunk, extra := nextChunk(rest, chunkTargetBytes, pairs)
		rest = rest[len(chunk):]
		steps += extra
	}
	return steps
}

// The charge for every kind of text is at least the work measured (the
// median, Go 1.26 on amd64, at 5 µs a step) and at most about twice it,
// three times for runs the vocabulary joins only in part ("aaa" merges
// three bytes in four). Before, CJK text was charged five times its work
// and a line break between letters half of it.
func TestChargesCoverMeasuredWork(t *testing.T) {
	measuredMs := map[string]float64{
		"cjk": 339.7, "cjk-one": 838.1, "hangul": 38.9, "a": 917.0, "equals": 975.3, "digits": 888.1,
		"newlines": 740.4, "spaces": 3.4, "ideographic": 527.8, "emoji": 682.0, "prose": 18.6,
		"lines": 42.5, "punctuation": 25.7, "quotes": 26.1,
	}
	most := map[string]float64{"cjk": 2, "cjk-one": 2, "prose": 2.5, "lines": 2, "punctuation": 2, "ideographic": 2, "emoji": 2}
	for name, text := range calibrationTexts() {
		steps := charged(t, text)
		ratio := float64(steps) * 0.005 / measuredMs[name]
		limit, ok := most[name]
		if !ok {
			limit = 3
		}
		if name == "spaces" || name == "hangul" {
			limit = 6 // little work: the charge per byte is most of it
		}
		if ratio < 1 || ratio > limit {
			t.Errorf("%s (%d bytes): charged %d steps, %.2f times the %.2f ms measured (want 1 to %.1f)", name, len(text), steps, ratio, measuredMs[name], limit)
		}
	}
}
