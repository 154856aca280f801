// Package tinymodel writes a tiny llama-architecture GGUF model (2 layers,
// 64 dimensions, a 354-token byte-fallback SentencePiece vocabulary, F32
// weights, about 520 KB) so tests can run a real Ollama server with no
// downloads. The weights are random except where they are shaped to keep the
// server streaming: the output is gibberish, but JSON-schema constrained
// output is valid JSON that closes quickly.
//
// The file is generated at test time (a few milliseconds) instead of being
// committed, and is byte-for-byte the same for the same seed, so its digest
// is stable.
package tinymodel

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
)

// Shape of the network.
const (
	nEmbd  = 64
	nHead  = 4
	nFF    = 128
	nLayer = 2
	nCtx   = 2048
)

// DefaultSeed is the seed the tests' model is generated with.
const DefaultSeed = 42

// Template is the Ollama prompt template: plain "role: content" lines, enough
// for the tokenizer to see every message.
const Template = `{{- if .System }}system: {{ .System }}
{{ end }}{{- range .Messages }}{{ .Role }}: {{ .Content }}
{{ end }}assistant: `

// Parameters are the model's default options. One thread because on a small
// busy machine llama.cpp threads fight each other: about 4,000 tokens/s with
// one thread against 5-34 with the default.
func Parameters() map[string]any {
	return map[string]any{"num_ctx": nCtx, "num_thread": 1}
}

// Modelfile is the Modelfile equivalent of Template and Parameters for the
// GGUF at path, for `ollama create -f`.
func Modelfile(path string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "FROM %s\nTEMPLATE \"\"\"%s\"\"\"\n", path, Template)
	fmt.Fprintf(&b, "PARAMETER num_ctx %d\nPARAMETER num_thread 1\n", nCtx)
	return b.String()
}

// token types of tokenizer.ggml.token_type
const (
	tokNormal  = 1
	tokUnknown = 2
	tokControl = 3
	tokByte    = 6
)

// vocabulary is <unk>, <s>, </s>, the 256 byte tokens, "▁" and printable
// ASCII: every string can be tokenized (byte fallback) and most JSON
// characters are single tokens.
func vocabulary() (tokens []string, types []int32, scores []float32) {
	tokens = []string{"<unk>", "<s>", "</s>"}
	types = []int32{tokUnknown, tokControl, tokControl}
	for b := 0; b < 256; b++ {
		tokens = append(tokens, fmt.Sprintf("<0x%02X>", b))
		types = append(types, tokByte)
	}
	tokens = append(tokens, "\u2581")
	types = append(types, tokNormal)
	for c := 0x21; c <= 0x7e; c++ {
		tokens = append(tokens, string(rune(c)))
		types = append(types, tokNormal)
	}
	scores = make([]float32, len(tokens))
	for i := range scores {
		scores[i] = -float32(i)
	}
	return tokens, types, scores
}

// Residual dimensions no layer writes to, so they stay the embedding's:
// a constant 1 that turns the output weights' column 0 into a per-token
// bias, and flags of the current token that turn columns 1-3 into bonuses
// for the next one: a tiny hand-made bigram model under the random noise.
const (
	dimBias = iota
	dimLetter
	dimQuote
	dimDot
	nFixed
)

// outputWeights shapes what follows what. Plain random weights make greedy
// decoding repeat one token, and Ollama ends a stream that repeats a token
// more than 30 times with no done message. Here a quote is followed by a
// dot, a dot by a letter, a letter by a quote: unconstrained output reads
// `".x".y"...`; spaces, byte and control tokens (EOS too) are pushed far
// down. Under a JSON grammar the same preferences make strings like ".x"
// (a Hyperlambda data node name), an empty string where a dot cannot start
// one (a type enum), depth 0 (the favoured digit), and ']' and '}' over ','
// so arrays and objects close at once: tree-mode output is a valid data-only
// tree at temperature 0.
func outputWeights(s string, typ int32) (w [nFixed]float32) {
	switch {
	case isLetter(s):
		w[dimBias] = 3
	case s == `"`:
		w[dimBias], w[dimLetter], w[dimQuote] = 2, 3, 2
	case s == ".":
		w[dimBias], w[dimQuote], w[dimDot] = 0, 5, -5
	case s == "0":
		w[dimBias] = 1.5
	case len(s) == 1 && s[0] >= '1' && s[0] <= '9':
		w[dimBias] = -6
	case s == "]" || s == "}":
		w[dimBias] = 1
	case s == ",":
		w[dimBias] = 0
	case s == "\u2581" || typ != tokNormal:
		w[dimBias] = -10
	default:
		w[dimBias] = -2
	}
	return w
}

func flag(b bool) float32 {
	if b {
		return 1
	}
	return 0
}

func isLetter(s string) bool { return len(s) == 1 && s[0] >= 'a' && s[0] <= 'z' }

// Write writes the model to w. The same seed gives the same bytes.
func Write(w io.Writer, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 1))
	randn := func(n int, std float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64() * std)
		}
		return v
	}
	ones := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = 1
		}
		return v
	}
	// Layers' output rows for the fixed dimensions are zero.
	keepFixed := func(w []float32, in int) []float32 {
		clear(w[:nFixed*in])
		return w
	}

	tokens, types, scores := vocabulary()
	nVocab := len(tokens)
	emb := randn(nVocab*nEmbd, 1)
	out := randn(nVocab*nEmbd, 0.03)
	for t, s := range tokens {
		row := t * nEmbd
		flags := [nFixed]float32{dimBias: 1}
		flags[dimLetter] = flag(isLetter(s))
		flags[dimQuote] = flag(s == `"`)
		flags[dimDot] = flag(s == ".")
		copy(emb[row:], flags[:])
		w := outputWeights(s, types[t])
		copy(out[row:], w[:])
	}
	e, v := uint64(nEmbd), uint64(nVocab)
	ts := []tensor{
		{"token_embd.weight", []uint64{e, v}, emb},
		{"output_norm.weight", []uint64{e}, ones(nEmbd)},
		{"output.weight", []uint64{e, v}, out},
	}
	for l := 0; l < nLayer; l++ {
		p := fmt.Sprintf("blk.%d.", l)
		ts = append(ts,
			tensor{p + "attn_norm.weight", []uint64{e}, ones(nEmbd)},
			tensor{p + "attn_q.weight", []uint64{e, e}, randn(nEmbd*nEmbd, 0.02)},
			tensor{p + "attn_k.weight", []uint64{e, e}, randn(nEmbd*nEmbd, 0.02)},
			tensor{p + "attn_v.weight", []uint64{e, e}, randn(nEmbd*nEmbd, 0.02)},
			tensor{p + "attn_output.weight", []uint64{e, e}, keepFixed(randn(nEmbd*nEmbd, 0.02), nEmbd)},
			tensor{p + "ffn_norm.weight", []uint64{e}, ones(nEmbd)},
			tensor{p + "ffn_gate.weight", []uint64{e, nFF}, randn(nEmbd*nFF, 0.02)},
			tensor{p + "ffn_up.weight", []uint64{e, nFF}, randn(nEmbd*nFF, 0.02)},
			tensor{p + "ffn_down.weight", []uint64{nFF, e}, keepFixed(randn(nFF*nEmbd, 0.02), nFF)},
		)
	}
	head := uint32(nEmbd / nHead)
	kvs := []kv{
		{"general.alignment", uint32(32)},
		{"general.architecture", "llama"},
		{"general.file_type", uint32(0)}, // all F32
		{"general.name", "tiny-random-llama"},
		{"llama.attention.head_count", uint32(nHead)},
		{"llama.attention.head_count_kv", uint32(nHead)},
		{"llama.attention.key_length", head},
		// The loader refuses a llama model without it.
		{"llama.attention.layer_norm_rms_epsilon", float32(1e-5)},
		{"llama.attention.value_length", head},
		{"llama.block_count", uint32(nLayer)},
		{"llama.context_length", uint32(nCtx)},
		{"llama.embedding_length", uint32(nEmbd)},
		{"llama.feed_forward_length", uint32(nFF)},
		{"llama.rope.dimension_count", head},
		{"llama.rope.freq_base", float32(10000)},
		{"llama.vocab_size", uint32(nVocab)},
		{"tokenizer.ggml.add_bos_token", true},
		{"tokenizer.ggml.add_eos_token", false},
		{"tokenizer.ggml.bos_token_id", uint32(1)},
		{"tokenizer.ggml.eos_token_id", uint32(2)},
		{"tokenizer.ggml.model", "llama"},
		{"tokenizer.ggml.pre", "default"},
		{"tokenizer.ggml.scores", scores},
		{"tokenizer.ggml.token_type", types},
		{"tokenizer.ggml.tokens", tokens},
		{"tokenizer.ggml.unknown_token_id", uint32(0)},
	}
	return writeGGUF(w, kvs, ts, 32)
}

// WriteFile writes the model generated from seed to path.
func WriteFile(path string, seed uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := Write(f, seed); err != nil {
		f.Close()
		return fmt.Errorf("tinymodel: %s: %w", path, err)
	}
	return f.Close()
}
