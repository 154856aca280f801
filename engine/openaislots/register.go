// Package openaislots is the reference's magic.lambda.openai without the
// network: openai.tokenize, the number of GPT-2/GPT-3 tokens in a text,
// and floatArray2bytes (magic.lambda's), which packs an embedding's
// numbers as the bytes a database column keeps.
// The reference counts with its own port of OpenAI's GPT-2 encoder
// (encoder.json and vocab.bpe, the splitting regex 's|'t|...|\s+), which is
// the encoding tiktoken names r50k_base; here tiktoken-go counts with
// r50k_base's ranks, embedded from r50k_base.tiktoken (see NOTICE), so no
// file is downloaded, ever. Unlike the reference, a letter or digit beyond
// U+FFFF is a letter or digit (as in OpenAI's encoder), not punctuation
// (.NET's regex sees two UTF-16 halves), and the work is charged to the
// run's step budget, so a huge text ends the run at the budget instead of
// keeping the host busy.
package openaislots

import (
	"bufio"
	"bytes"
	_ "embed" // the r50k_base ranks
	"encoding/base64"
	"fmt"
	"strconv"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/pkoukk/tiktoken-go"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// r50kFile is r50k_base.tiktoken as OpenAI publishes it (sha256 306cd27f...,
// the hash tiktoken checks): one "base64(token) rank" line per token.
//
//go:embed r50k_base.tiktoken
var r50kFile []byte

// r50kTokens is how many ordinary tokens r50k_base has (256 bytes and
// 50,000 merges; <|endoftext|>, 50256, is special and never counted here).
const r50kTokens = 50256

// r50kPattern splits text into the pieces BPE runs on. It is the
// reference's pattern, and r50k_base's, character for character.
const r50kPattern = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`

// Charging: a step of the run's budget stands for about 5 µs of work, as
// elsewhere (1,000,000 steps against a 5 s deadline). Measured with Go
// 1.26 on amd64: the encoder splits the text with a backtracking regular
// expression, about 0.25 µs a byte and 0.75 µs a piece (a word with the
// space before it, a number, a run of punctuation or of white space),
// then merges each piece's bytes pair by pair. Each merge scans and
// shifts the piece's remaining parts (about 1 ns each, and 100 ns more),
// so a piece of m bytes with M merges takes about M·m ns: quadratic in a
// long run of one kind of character. A merge joins two bytes that end up
// in one token, so M is at most the number of the piece's adjacent byte
// pairs that occur side by side in some token of the vocabulary: that
// bound, M̂, is what a run is charged for. A run the vocabulary joins
// everywhere ("aaaa", "====", "\n\n\n") costs about its square; one it
// rarely joins (most CJK text, whose characters are rarely tokens, or
// spaces) costs far less. Charged: a step per 16 bytes (0.31 µs) before
// anything, then for each chunk before it is counted 1.5 µs a piece and,
// for each run of 16 bytes or more, M̂·(1.5 ns·m + 150 ns): at least the
// work measured for every kind of text tried, at most about twice it for
// text (CJK included) and three times for a run of one ASCII character
// repeated (see TestChargesCoverMeasuredWork).
const (
	bytesPerStep     = 16
	nsPerStep        = 5000
	nsPerPiece       = 1500
	mergeNsPerPart10 = 15 // tenths of a ns
	mergeNsPerMerge  = 150
	mergedRunBytes   = 16
	chunkTargetBytes = 8 << 10
)

var (
	r50kOnce  sync.Once
	r50k      *tiktoken.Tiktoken
	r50kPairs *bytePairs
	r50kErr   error
)

// bytePairs tells, for each pair of bytes, whether they occur side by
// side in some token.
type bytePairs [1 << 16]bool

func (p *bytePairs) joined(a, b byte) bool { return p[int(a)<<8|int(b)] }

// encoding loads r50k_base once per process (about 30 ms, 6 MB), on first
// use rather than at start, so a studio that never counts tokens never
// pays.
func encoding() (*tiktoken.Tiktoken, *bytePairs, error) {
	r50kOnce.Do(func() { r50k, r50kPairs, r50kErr = loadR50k() })
	return r50k, r50kPairs, r50kErr
}

// loadR50k builds the encoder straight from the embedded ranks. It does not
// go through tiktoken.GetEncoding: that would fetch the file over HTTP
// unless a process-wide loader had been set, and it would make the
// <|endoftext|> text special, which the reference counts as ordinary text.
func loadR50k() (*tiktoken.Tiktoken, *bytePairs, error) {
	ranks, err := parseRanks(r50kFile)
	if err != nil {
		return nil, nil, fmt.Errorf("r50k_base ranks: %w", err)
	}
	pairs := new(bytePairs)
	for token := range ranks {
		for i := 1; i < len(token); i++ {
			pairs[int(token[i-1])<<8|int(token[i])] = true
		}
	}
	core, err := tiktoken.NewCoreBPE(ranks, nil, r50kPattern)
	if err != nil {
		return nil, nil, err
	}
	enc := &tiktoken.Encoding{Name: "r50k_base", PatStr: r50kPattern, MergeableRanks: ranks}
	return tiktoken.NewTiktoken(core, enc, nil), pairs, nil
}

// parseRanks reads a .tiktoken file, checking that ranks are 0, 1, 2, ...
// in order and that every token is distinct, so a damaged file is an
// error rather than wrong counts.
func parseRanks(file []byte) (map[string]int, error) {
	ranks := make(map[string]int, r50kTokens)
	sc := bufio.NewScanner(bytes.NewReader(file))
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		token64, rankText, ok := bytes.Cut(line, []byte{' '})
		if !ok {
			return nil, fmt.Errorf("line %d has no rank", len(ranks)+1)
		}
		token, err := base64.StdEncoding.DecodeString(string(token64))
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", len(ranks)+1, err)
		}
		rank, err := strconv.Atoi(string(rankText))
		if err != nil || rank != len(ranks) {
			return nil, fmt.Errorf("line %d: rank %q, want %d", len(ranks)+1, rankText, len(ranks))
		}
		if _, dup := ranks[string(token)]; dup {
			return nil, fmt.Errorf("line %d: token %q repeats", len(ranks)+1, token)
		}
		ranks[string(token)] = rank
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(ranks) != r50kTokens {
		return nil, fmt.Errorf("%d tokens, want %d", len(ranks), r50kTokens)
	}
	return ranks, nil
}

// Register adds the family to e.
func Register(e *engine.Engine) error {
	return e.RegisterAll(floatArray2bytesSlot, engine.Slot{Sig: whitelist.Signature{Name: "openai.tokenize",
		Doc:   "the number of GPT-3 (r50k_base) tokens in its value's text (0 for null or empty text)",
		Value: whitelist.ValueSpec{Expr: true, Doc: "the text; other values count as their text (bool as True)"}}, Fn: tokenize})
}

func tokenize(r *engine.Run, n *hyperlambda.Node) error {
	v, err := hyperlambda.Value(n)
	if err != nil {
		return err
	}
	// As the reference's GetEx<string>: any value counts as its text.
	count, err := countTokens(r, hyperlambda.StringOf(v))
	if err != nil {
		return err
	}
	n.Value = int32(count) // the reference's List.Count, a .NET int
	return nil
}

// countTokens charges the text's length to the step budget first, so a
// huge text ends the run before any work, then counts it chunk by chunk,
// charging each chunk's pieces and long runs before counting it, so the
// encoder never runs long past the budget or the deadline.
func countTokens(r *engine.Run, text string) (int, error) {
	if text == "" {
		return 0, nil
	}
	if err := r.Charge(1 + int64(len(text))/bytesPerStep); err != nil {
		return 0, err
	}
	enc, pairs, err := encoding()
	if err != nil {
		return 0, err
	}
	count := 0
	for text != "" {
		chunk, steps := nextChunk(text, chunkTargetBytes, pairs)
		text = text[len(chunk):]
		if err := r.Charge(steps); err != nil {
			return 0, err
		}
		count += len(enc.EncodeOrdinary(chunk))
	}
	return count, nil
}

// Character classes as the pattern sees them. regexp2, which tiktoken-go
// runs the pattern with, takes \p{L} and \p{N} from Go's unicode tables and
// \s from unicode.IsSpace, so these are exactly the pattern's classes.
const (
	classSpace = iota
	classLetter
	classNumber
	classOther
)

func classOf(c rune) int {
	switch {
	case unicode.IsSpace(c):
		return classSpace
	case unicode.IsLetter(c):
		return classLetter
	case unicode.IsNumber(c):
		return classNumber
	}
	return classOther
}

// nextChunk returns the start of text up to the first safe cut at or
// after target bytes (all of text when there is none), and the steps its
// pieces and long runs cost beyond the charge for its bytes.
//
// A cut between characters a and b is safe (counting the two sides apart
// gives the pieces that counting them together does) when a is not white
// space, a and b are of different classes, and a is not an apostrophe
// before a letter: the only alternatives of the pattern that match across
// two classes are the contractions ('s), the optional space before a run,
// and runs of white space; and the pattern's one look-ahead, (?!\S), only
// ends a run of white space, which a is not.
//
// Each run of one class is a piece, except a single space before a run,
// which is part of that run's piece (and a run of white space is at most
// two pieces: counting it as one is covered by the charge per piece).
func nextChunk(text string, target int, pairs *bytePairs) (chunk string, steps int64) {
	var ns int64
	runStart, runClass, prev := 0, -1, rune(-1)
	for i := 0; i < len(text); {
		c, size := utf8.DecodeRuneInString(text[i:])
		if class := classOf(c); class != runClass {
			if runClass >= 0 {
				ns += runCost(text, runStart, i, runClass, pairs)
				safe := runClass != classSpace && !(prev == '\'' && class == classLetter)
				if safe && i >= target {
					return text[:i], ns / nsPerStep
				}
			}
			runStart, runClass = i, class
		}
		prev = c
		i += size
	}
	ns += runCost(text, runStart, len(text), runClass, pairs)
	return text, ns / nsPerStep
}

// runCost is the work, in ns, of the run text[start:end] beyond its bytes:
// a piece, and for a long run its merges, at most one for each adjacent
// pair of its bytes the vocabulary joins, each costing a scan and a shift
// of the piece's parts.
func runCost(text string, start, end, class int, pairs *bytePairs) int64 {
	if class == classSpace && end-start == 1 && text[start] == ' ' && end < len(text) {
		return 0 // the space begins the next run's piece
	}
	ns := int64(nsPerPiece)
	if end-start < mergedRunBytes {
		return ns // a word: covered by the charges per byte and per piece
	}
	merges := int64(0)
	for i := start + 1; i < end; i++ {
		if pairs.joined(text[i-1], text[i]) {
			merges++
		}
	}
	parts := int64(end - start + 1) // with a space before it
	return ns + merges*(parts*mergeNsPerPart10/10+mergeNsPerMerge)
}
