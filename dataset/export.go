package dataset

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"hlstudio/internal/english"
)

// Format is a fine-tuning file format.
type Format string

const (
	FormatOpenAI   Format = "openai"   // {"messages":[{"role","content"}...]}
	FormatShareGPT Format = "sharegpt" // {"conversations":[{"from","value"}...]}
	FormatAlpaca   Format = "alpaca"   // {"instruction","input","output"}
)

// ParseFormat checks a format name given by a person.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case FormatOpenAI, FormatShareGPT, FormatAlpaca:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q: want openai, sharegpt or alpaca", s)
}

// DefaultSystemPrompt is used when ExportOptions.SystemPrompt is empty.
const DefaultSystemPrompt = "You write Hyperlambda. Answer with Hyperlambda code only, no explanations and no code fences."

// DefaultMaxTokens is the per-example token limit checked when
// ExportOptions.MaxTokens is 0: the context of OpenAI's smallest
// fine-tunable chat models, past which an example is truncated.
const DefaultMaxTokens = 16385

// ExportOptions control Export.
type ExportOptions struct {
	Format Format
	Filter Filter
	// SystemPrompt is the system message of every example (OpenAI and
	// ShareGPT) and the Modelfile's SYSTEM; DefaultSystemPrompt when empty.
	SystemPrompt string
	// SplitRatio is the share of snippets without a stored split that go
	// to train, by a hash of prompt and tree (0 = 0.9).
	SplitRatio float64
	// BaseModel is the Modelfile's FROM; without it no Modelfile is written.
	BaseModel string
	// Adapter is the Modelfile's ADAPTER path; empty writes it commented.
	Adapter string
	// MaxTokens is the per-example limit checked (0 = DefaultMaxTokens).
	MaxTokens int
	// Progress, when set, is called every 256 examples and at the end.
	Progress func(done int)
}

// SplitStats sums up the examples of one output file.
type SplitStats struct {
	File      string
	Examples  int
	Tokens    int // estimated, the whole file
	MaxTokens int // the longest example
	MinTokens int
	OverLimit int // examples longer than the limit (truncated by trainers)
}

// ExportReport says what Export wrote and what it found wrong. Problems
// are format errors (nothing is written when there is one); Warnings do
// not stop the export but a trainer should read them.
type ExportReport struct {
	Dir         string
	Format      Format
	Train       SplitStats
	Validation  SplitStats
	HashSplit   int    // examples whose split was chosen by hash
	Duplicates  int    // examples with the same prompt and code as an earlier one
	Regressions int    // pairs written to regressions.jsonl
	Modelfile   string // its text, when written
	baseModel   string
	Problems    []string
	Warnings    []string
	Files       []string // written, relative to Dir
}

// File names Export writes in its folder.
const (
	TrainFile       = "train.jsonl"
	ValidationFile  = "validation.jsonl"
	RegressionsFile = "regressions.jsonl"
	ReportFile      = "report.txt"
	ModelfileName   = "Modelfile"
)

// ErrInvalidExport is wrapped by Export's error when the examples failed
// validation; the report lists why.
var ErrInvalidExport = errors.New("the examples failed validation; nothing was written")

// ErrNothingToExport is the error of Export and WriteFiles when no snippet
// matches the filter; nothing is written.
var ErrNothingToExport = errors.New("nothing to export: no snippet matches the filters")

// CleanSystemPrompt is a system prompt as the export writes it: without
// the UTF-8 byte order mark an editor may have put at the start of the
// file it came from, with LF line ends (as prompts are stored), trimmed.
func CleanSystemPrompt(s string) string {
	s = strings.TrimPrefix(s, "\uFEFF")
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

// anyMatch reports whether a snippet matches f.
func (s *Store) anyMatch(ctx context.Context, f Filter) (bool, error) {
	conds, args := f.where()
	q := "SELECT 1 FROM snippets s"
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	var ok bool
	err := s.db.QueryRowContext(ctx, "SELECT EXISTS ("+q+")", args...).Scan(&ok)
	return ok, classify(err)
}

// Export writes the snippets matching opts.Filter as fine-tuning files in
// dir: train.jsonl and validation.jsonl (the stored split, or a hash split
// for snippets without one), regressions.jsonl when there are regression
// pairs, an Ollama Modelfile when a base model is given, and report.txt.
// Every line is checked as it is produced, the way OpenAI's cookbook
// checks a training file; files appear in dir only when all passed. Rows
// are streamed, so memory stays flat however large the set. With no
// snippet matching, the error is ErrNothingToExport and nothing is written.
func (s *Store) Export(ctx context.Context, dir string, opts ExportOptions) (*ExportReport, error) {
	if _, err := ParseFormat(string(opts.Format)); err != nil {
		return nil, err
	}
	if opts.SystemPrompt = CleanSystemPrompt(opts.SystemPrompt); opts.SystemPrompt == "" {
		opts.SystemPrompt = DefaultSystemPrompt
	}
	if opts.SplitRatio == 0 {
		opts.SplitRatio = 0.9
	}
	if opts.SplitRatio < 0 || opts.SplitRatio > 1 {
		return nil, fmt.Errorf("split ratio %v: want a number between 0 and 1", opts.SplitRatio)
	}
	if opts.MaxTokens <= 0 {
		opts.MaxTokens = DefaultMaxTokens
	}
	if opts.BaseModel != "" && strings.Contains(opts.SystemPrompt, `"""`) {
		return nil, errors.New(`the system prompt contains """, which a Modelfile cannot hold`)
	}
	// One line each in the Modelfile: a line break would add directives
	// of its own (audit 18).
	for what, v := range map[string]string{"base model": opts.BaseModel, "adapter": opts.Adapter} {
		if strings.ContainsFunc(v, unicode.IsControl) {
			return nil, fmt.Errorf("the %s %q holds a line break or another control character, which a Modelfile line cannot hold", what, v)
		}
	}
	if ok, err := s.anyMatch(ctx, opts.Filter); err != nil {
		return nil, err
	} else if !ok {
		return nil, ErrNothingToExport
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	rep := &ExportReport{Dir: dir, Format: opts.Format}
	rep.Train.File, rep.Validation.File = TrainFile, ValidationFile

	out := newStaging(dir)
	defer out.abort()
	train, err := out.create(TrainFile)
	if err != nil {
		return nil, err
	}
	valid, err := out.create(ValidationFile)
	if err != nil {
		return nil, err
	}
	seen := map[uint64]int{} // 8 bytes an example: flat enough for any real set
	v := validator{format: opts.Format, maxTokens: opts.MaxTokens}
	done := 0
	err = s.Each(ctx, opts.Filter, func(sn *Snippet) error {
		split := sn.Split
		if split == SplitNone {
			split = HashSplit(sn.Prompt, sn.TreeHash, opts.SplitRatio)
			rep.HashSplit++
		}
		w, stats := train, &rep.Train
		if split == SplitValidation {
			w, stats = valid, &rep.Validation
		}
		line, err := encodeExample(opts.Format, opts.SystemPrompt, sn.Prompt, sn.Code)
		if err != nil {
			return err
		}
		stats.Examples++
		where := fmt.Sprintf("%s:%d (snippet %d)", stats.File, stats.Examples, sn.ID)
		tokens, problems := v.check(line)
		for _, p := range problems {
			rep.Problems = append(rep.Problems, where+": "+p)
		}
		stats.Tokens += tokens
		stats.MaxTokens = max(stats.MaxTokens, tokens)
		if stats.MinTokens == 0 || tokens < stats.MinTokens {
			stats.MinTokens = tokens
		}
		if tokens > opts.MaxTokens {
			stats.OverLimit++
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s: about %d tokens, over the limit of %d; it will be truncated", where, tokens, opts.MaxTokens))
		}
		h := fnv.New64a()
		h.Write([]byte(sn.Prompt))
		h.Write([]byte{0})
		h.Write([]byte(sn.Code))
		if first, dup := seen[h.Sum64()]; dup {
			rep.Duplicates++
			if rep.Duplicates <= 20 {
				rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s: same prompt and code as snippet %d", where, first))
			}
		} else {
			seen[h.Sum64()] = int(sn.ID)
		}
		if _, err := w.Write(line); err != nil {
			return err
		}
		done++
		if opts.Progress != nil && done%256 == 0 {
			opts.Progress(done)
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	if opts.Progress != nil {
		opts.Progress(done)
	}
	if done == 0 { // the snippets went between the check and the walk
		out.abort()
		return rep, ErrNothingToExport
	}
	if rep.Duplicates > 20 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d more duplicates not listed", rep.Duplicates-20))
	}
	if rep.Train.Examples < 10 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s has %d examples; fine-tuning needs at least 10", TrainFile, rep.Train.Examples))
	}
	if rep.Validation.Examples == 0 {
		rep.Warnings = append(rep.Warnings, ValidationFile+" is empty: no validation loss can be computed")
	}
	if len(rep.Problems) > 0 {
		out.abort()
		writeReport(dir, rep, false)
		return rep, fmt.Errorf("%s in the examples, %w (see %s)", english.Count(len(rep.Problems), "problem", "problems"), ErrInvalidExport, filepath.Join(dir, ReportFile))
	}
	if err := s.exportRegressions(ctx, out, opts.Filter, rep); err != nil {
		return rep, err
	}
	if opts.BaseModel != "" {
		rep.baseModel = opts.BaseModel
		rep.Modelfile = modelfile(opts, max(rep.Train.MaxTokens, rep.Validation.MaxTokens))
		mf, err := out.create(ModelfileName)
		if err != nil {
			return rep, err
		}
		mf.WriteString(rep.Modelfile)
	}
	if rep.Files, err = out.commit(); err != nil {
		return rep, err
	}
	// Optional files of an earlier export into the same folder would
	// otherwise pass for part of this one.
	for _, name := range []string{RegressionsFile, ModelfileName} {
		if !slices.Contains(rep.Files, name) {
			os.Remove(filepath.Join(dir, name))
		}
	}
	return rep, writeReport(dir, rep, true)
}

// HashSplit is the split export gives a snippet without a stored one: a
// hash of its normalised prompt and tree decides, so the choice is the
// same on every machine and for every export, whatever the row ids.
func HashSplit(prompt, treeHash string, ratio float64) Split {
	sum := sha256.Sum256([]byte(NormalizePrompt(prompt) + "\x00" + treeHash))
	if float64(binary.BigEndian.Uint64(sum[:8]))/(1<<64) < ratio {
		return SplitTrain
	}
	return SplitValidation
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type shareGPTTurn struct {
	From  string `json:"from"`
	Value string `json:"value"`
}

type alpacaExample struct {
	Instruction string `json:"instruction"`
	Input       string `json:"input"`
	Output      string `json:"output"`
}

// encodeExample returns one JSONL line (with its newline).
func encodeExample(f Format, system, prompt, code string) ([]byte, error) {
	var v any
	switch f {
	case FormatOpenAI:
		v = struct {
			Messages []chatMessage `json:"messages"`
		}{[]chatMessage{{"system", system}, {"user", prompt}, {"assistant", code}}}
	case FormatShareGPT:
		v = struct {
			Conversations []shareGPTTurn `json:"conversations"`
		}{[]shareGPTTurn{{"system", system}, {"human", prompt}, {"gpt", code}}}
	case FormatAlpaca:
		v = alpacaExample{Instruction: prompt, Output: code}
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // code holds < > &; escaping them only bloats the file
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

// validator checks lines the way OpenAI's cookbook checks a fine-tuning
// file: the line is decoded again (so what is checked is what is written),
// keys and roles are known, content is present and not empty, the model
// has something to learn from, and the length is estimated.
type validator struct {
	format    Format
	maxTokens int
}

var (
	chatRoles     = map[string]bool{"system": true, "user": true, "assistant": true, "tool": true}
	chatKeys      = map[string]bool{"role": true, "content": true, "name": true, "weight": true, "tool_calls": true, "tool_call_id": true}
	shareGPTFroms = map[string]bool{"system": true, "human": true, "gpt": true}
)

func (v validator) check(line []byte) (tokens int, problems []string) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(line, &raw); err != nil {
		return 0, []string{"not a JSON object: " + err.Error()}
	}
	switch v.format {
	case FormatOpenAI:
		return checkTurns(raw, "messages", "role", "content", chatRoles, chatKeys, "assistant", "user")
	case FormatShareGPT:
		return checkTurns(raw, "conversations", "from", "value", shareGPTFroms, map[string]bool{"from": true, "value": true}, "gpt", "human")
	}
	var ex map[string]any
	json.Unmarshal(line, &ex)
	for k := range ex {
		if k != "instruction" && k != "input" && k != "output" {
			problems = append(problems, "unknown key "+k)
		}
	}
	for _, k := range []string{"instruction", "output"} {
		if s, ok := ex[k].(string); !ok || strings.TrimSpace(s) == "" {
			problems = append(problems, "missing or empty "+k)
		}
	}
	in, _ := ex["input"].(string)
	ins, _ := ex["instruction"].(string)
	outs, _ := ex["output"].(string)
	return EstimateTokens(ins) + EstimateTokens(in) + EstimateTokens(outs) + 3, problems
}

// checkTurns checks a list of conversation turns under key listKey, whose
// role is in roleKey and text in textKey.
func checkTurns(raw map[string]json.RawMessage, listKey, roleKey, textKey string, roles, keys map[string]bool, answer, question string) (int, []string) {
	var problems []string
	list, ok := raw[listKey]
	if !ok {
		return 0, []string{"missing " + listKey + " list"}
	}
	var turns []map[string]any
	if err := json.Unmarshal(list, &turns); err != nil || len(turns) == 0 {
		return 0, []string{listKey + " is not a non-empty list of objects"}
	}
	tokens := 3 // every reply is primed with a few tokens
	seen := map[string]bool{}
	for i, t := range turns {
		for k := range t {
			if !keys[k] {
				problems = append(problems, fmt.Sprintf("%s[%d]: unknown key %q", listKey, i, k))
			}
		}
		role, _ := t[roleKey].(string)
		if !roles[role] {
			problems = append(problems, fmt.Sprintf("%s[%d]: unknown %s %q", listKey, i, roleKey, role))
		}
		seen[role] = true
		text, ok := t[textKey].(string)
		if !ok || strings.TrimSpace(text) == "" {
			problems = append(problems, fmt.Sprintf("%s[%d]: missing or empty %s", listKey, i, textKey))
		}
		tokens += 3 + EstimateTokens(text) + EstimateTokens(role)
	}
	if !seen[answer] {
		problems = append(problems, fmt.Sprintf("no %s turn: nothing to learn", answer))
	}
	if !seen[question] {
		problems = append(problems, fmt.Sprintf("no %s turn", question))
	}
	return tokens, problems
}

// EstimateTokens estimates the tokens of s for a BPE tokenizer like
// cl100k without its vocabulary: about four characters of a word make a
// token, and punctuation and line breaks are mostly tokens of their own.
// It errs high on code, which is the side a limit check wants.
func EstimateTokens(s string) int {
	n, run := 0, 0
	flush := func() {
		n += (run + 3) / 4
		run = 0
	}
	spaces := 0
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t':
			flush()
			spaces++
			continue
		case r == '\r':
			flush()
			continue
		case r == '\n':
			flush()
			n++
		case r < 128 && !isWordByte(byte(r)):
			flush()
			n++
		case r >= 128:
			run += 2 // non-ASCII letters take more tokens
		default:
			run++
		}
		if spaces > 1 { // indentation: a few spaces make a token
			n += (spaces - 1 + 3) / 4
		}
		spaces = 0
	}
	flush()
	return n
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// exportRegressions writes the regression pairs of the exported snippets
// as regressions.jsonl, for evaluation: prompt, the bad output, the
// corrected tree and the reason.
func (s *Store) exportRegressions(ctx context.Context, out *staging, f Filter, rep *ExportReport) error {
	conds, args := f.where()
	q := `SELECT r.id, r.snippet_id, s.prompt, r.bad, r.good, r.reason FROM regressions r JOIN snippets s ON s.id = r.snippet_id`
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	rows, err := s.db.QueryContext(ctx, q+" ORDER BY r.id", args...)
	if err != nil {
		return classify(err)
	}
	defer rows.Close()
	var w *bufio.Writer
	for rows.Next() {
		var rec struct {
			ID        int64  `json:"id"`
			SnippetID int64  `json:"snippet_id"`
			Prompt    string `json:"prompt"`
			Bad       string `json:"bad"`
			Good      string `json:"good"`
			Reason    string `json:"reason,omitempty"`
		}
		if err := rows.Scan(&rec.ID, &rec.SnippetID, &rec.Prompt, &rec.Bad, &rec.Good, &rec.Reason); err != nil {
			return err
		}
		if w == nil {
			if w, err = out.create(RegressionsFile); err != nil {
				return err
			}
		}
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rec); err != nil {
			return err
		}
		rep.Regressions++
	}
	return classify(rows.Err())
}

// modelfile returns an Ollama Modelfile for a model fine-tuned on the
// export: the base model, the adapter, the system prompt the examples
// carry, and parameters that suit a compiler (no sampling; a context that
// holds the longest example).
func modelfile(opts ExportOptions, longest int) string {
	var b strings.Builder
	b.WriteString("# Written by hlstudio export. Put the trained adapter where ADAPTER says, then:\n")
	b.WriteString("#   ollama create NAME -f Modelfile\n")
	fmt.Fprintf(&b, "FROM %s\n", opts.BaseModel)
	if opts.Adapter != "" {
		fmt.Fprintf(&b, "ADAPTER %s\n", opts.Adapter)
	} else {
		b.WriteString("# ADAPTER ./adapter\n")
	}
	fmt.Fprintf(&b, "SYSTEM \"\"\"%s\"\"\"\n", opts.SystemPrompt)
	b.WriteString("PARAMETER temperature 0\n")
	ctx := 2048
	for ctx < 2*longest && ctx < 131072 {
		ctx *= 2
	}
	fmt.Fprintf(&b, "PARAMETER num_ctx %d\n", ctx)
	return b.String()
}

// writeReport writes report.txt; ok tells whether the files were written.
func writeReport(dir string, rep *ExportReport, ok bool) error {
	return os.WriteFile(filepath.Join(dir, ReportFile), []byte(rep.Text(ok)), 0o644)
}

// Text is the report as printed and written beside the files.
func (rep *ExportReport) Text(written bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "hlstudio export, format %s\n\n", rep.Format)
	for _, st := range []SplitStats{rep.Train, rep.Validation} {
		mean := 0
		if st.Examples > 0 {
			mean = st.Tokens / st.Examples
		}
		fmt.Fprintf(&b, "%-17s %6d %s, about %d tokens (per example: min %d, mean %d, max %d), %d over the limit\n",
			st.File, st.Examples, examples(st.Examples), st.Tokens, st.MinTokens, mean, st.MaxTokens, st.OverLimit)
	}
	fmt.Fprintf(&b, "%-17s %6d %s without a stored split\n", "split by hash", rep.HashSplit, examples(rep.HashSplit))
	fmt.Fprintf(&b, "%-17s %6d %s with the prompt and code of an earlier one\n", "duplicates", rep.Duplicates, examples(rep.Duplicates))
	if rep.Regressions > 0 {
		fmt.Fprintf(&b, "%-17s %6d regression %s\n", RegressionsFile, rep.Regressions, english.Noun(rep.Regressions, "pair", "pairs"))
	}
	if rep.Modelfile != "" {
		fmt.Fprintf(&b, "%-17s written (FROM %s)\n", ModelfileName, rep.baseModel)
	}
	if len(rep.Problems) > 0 {
		fmt.Fprintf(&b, "\n%s:\n", english.Count(len(rep.Problems), "problem", "problems"))
		for _, p := range rep.Problems {
			fmt.Fprintf(&b, "  ERROR %s\n", p)
		}
	}
	if len(rep.Warnings) > 0 {
		fmt.Fprintf(&b, "\n%s:\n", english.Count(len(rep.Warnings), "warning", "warnings"))
		for _, w := range rep.Warnings {
			fmt.Fprintf(&b, "  WARNING %s\n", w)
		}
	}
	if written {
		b.WriteString("\nNo problems found; files written.\n")
	} else {
		b.WriteString("\nNothing written.\n")
	}
	return b.String()
}

// examples is the noun of the report's columns of counts.
func examples(n int) string { return english.Noun(n, "example", "examples") }

// staging writes files under temporary names in the output folder and
// renames them into place only when the whole export succeeded, so a
// failed or invalid export never leaves half a data set behind.
type staging struct {
	dir   string
	files []*stagedFile
}

type stagedFile struct {
	name string
	f    *os.File
	w    *bufio.Writer
}

func newStaging(dir string) *staging { return &staging{dir: dir} }

func (st *staging) create(name string) (*bufio.Writer, error) {
	f, err := createTemp(st.dir, "."+name+".*.tmp")
	if err != nil {
		return nil, err
	}
	sf := &stagedFile{name: name, f: f, w: bufio.NewWriterSize(f, 256<<10)}
	st.files = append(st.files, sf)
	return sf.w, nil
}

func (st *staging) commit() ([]string, error) {
	var names []string
	for _, sf := range st.files {
		if err := sf.w.Flush(); err != nil {
			return nil, err
		}
		if err := sf.f.Close(); err != nil {
			return nil, err
		}
	}
	for _, sf := range st.files {
		if err := os.Rename(sf.f.Name(), filepath.Join(st.dir, sf.name)); err != nil {
			return nil, err
		}
		names = append(names, sf.name)
	}
	st.files = nil
	return names, nil
}

func (st *staging) abort() {
	for _, sf := range st.files {
		sf.f.Close()
		os.Remove(sf.f.Name())
	}
	st.files = nil
}

// createTemp creates a new file in dir as os.CreateTemp does (the last
// "*" in pattern replaced by a random string), but with the mode
// os.WriteFile gives, 0644 less the umask, rather than 0600: exported
// files are renamed into place, to be read by trainers, other accounts
// and containers as report.txt is.
func createTemp(dir, pattern string) (*os.File, error) {
	prefix, suffix := pattern, ""
	if i := strings.LastIndex(pattern, "*"); i >= 0 {
		prefix, suffix = pattern[:i], pattern[i+1:]
	}
	for try := 0; ; try++ {
		name := filepath.Join(dir, prefix+strconv.FormatUint(rand.Uint64(), 36)+suffix)
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) && try < 100 {
			continue
		}
		return f, err
	}
}
