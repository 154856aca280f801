package dataset

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenStore imports testdata/golden/input and adds a regression pair.
func goldenStore(t *testing.T) *Store {
	s := openTemp(t)
	rep, err := s.Import(bg, []string{filepath.Join("testdata", "golden", "input")}, ImportOptions{})
	if err != nil || rep.Added != 5 {
		t.Fatalf("import: %s %v %v", rep, err, rep.Errors)
	}
	hits, _ := s.Search(bg, Query{Text: "lower case"})
	if _, err := s.AddRegression(bg, Regression{SnippetID: hits[0].ID, Bad: "strings.lower:HeLLo", Reason: "invented slot"}); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestExportGolden(t *testing.T) {
	s := goldenStore(t)
	for _, f := range []Format{FormatOpenAI, FormatShareGPT, FormatAlpaca} {
		t.Run(string(f), func(t *testing.T) {
			dir := t.TempDir()
			rep, err := s.Export(bg, dir, ExportOptions{Format: f, Filter: Filter{Status: []Status{StatusApproved}}, BaseModel: "qwen2.5-coder:1.5b"})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Train.Examples != 4 || rep.Validation.Examples != 1 || rep.Regressions != 1 || len(rep.Problems) != 0 {
				t.Errorf("report %+v", rep)
			}
			for _, name := range []string{TrainFile, ValidationFile, RegressionsFile, ModelfileName, ReportFile} {
				got, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join("testdata", "golden", string(f), name)
				if *update {
					os.MkdirAll(filepath.Dir(golden), 0o755)
					os.WriteFile(golden, got, 0o644)
					continue
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -update to write it)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from %s:\n%s", name, golden, got)
				}
			}
			checkLines(t, f, filepath.Join(dir, TrainFile), 4)
			checkLines(t, f, filepath.Join(dir, ValidationFile), 1)
		})
	}
}

// checkLines decodes every line of an exported file into the format's
// structure and runs the validator on it.
func checkLines(t *testing.T, f Format, path string, want int) {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	sc.Buffer(nil, 1<<24)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Bytes()
		var prompt, answer string
		switch f {
		case FormatOpenAI:
			var ex struct {
				Messages []struct{ Role, Content string }
			}
			if err := json.Unmarshal(line, &ex); err != nil || len(ex.Messages) != 3 || ex.Messages[0].Role != "system" {
				t.Fatalf("%s:%d: %v %+v", path, n, err, ex)
			}
			prompt, answer = ex.Messages[1].Content, ex.Messages[2].Content
		case FormatShareGPT:
			var ex struct {
				Conversations []struct{ From, Value string }
			}
			if err := json.Unmarshal(line, &ex); err != nil || len(ex.Conversations) != 3 || ex.Conversations[2].From != "gpt" {
				t.Fatalf("%s:%d: %v %+v", path, n, err, ex)
			}
			prompt, answer = ex.Conversations[1].Value, ex.Conversations[2].Value
		case FormatAlpaca:
			var ex struct{ Instruction, Input, Output string }
			if err := json.Unmarshal(line, &ex); err != nil {
				t.Fatalf("%s:%d: %v", path, n, err)
			}
			prompt, answer = ex.Instruction, ex.Output
		}
		if prompt == "" {
			t.Errorf("%s:%d: empty prompt", path, n)
		}
		if _, _, err := Canonical(answer); err != nil {
			t.Errorf("%s:%d: the answer is not Hyperlambda: %v", path, n, err)
		}
		if _, problems := (validator{format: f}).check(line); len(problems) > 0 {
			t.Errorf("%s:%d: %v", path, n, problems)
		}
	}
	if n != want {
		t.Errorf("%s: %d lines, want %d", path, n, want)
	}
}

func TestValidator(t *testing.T) {
	for _, tc := range []struct {
		format Format
		line   string
		want   []string
	}{
		{FormatOpenAI, `{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"a"}]}`, nil},
		{FormatOpenAI, `[1]`, []string{"not a JSON object"}},
		{FormatOpenAI, `{"msgs":[]}`, []string{"missing messages list"}},
		{FormatOpenAI, `{"messages":[]}`, []string{"messages is not a non-empty list"}},
		{FormatOpenAI, `{"messages":[{"role":"user","content":"hi"},{"role":"bot","content":"a"}]}`, []string{`messages[1]: unknown role "bot"`, "no assistant turn"}},
		{FormatOpenAI, `{"messages":[{"role":"user","content":" "},{"role":"assistant","content":"a","extra":1}]}`, []string{"messages[0]: missing or empty content", `messages[1]: unknown key "extra"`}},
		{FormatOpenAI, `{"messages":[{"role":"assistant","content":"a"}]}`, []string{"no user turn"}},
		{FormatShareGPT, `{"conversations":[{"from":"human","value":"q"},{"from":"gpt","value":""}]}`, []string{"conversations[1]: missing or empty value"}},
		{FormatShareGPT, `{"conversations":[{"from":"user","value":"q"},{"from":"gpt","value":"a"}]}`, []string{`unknown from "user"`, "no human turn"}},
		{FormatAlpaca, `{"instruction":"q","input":"","output":"a"}`, nil},
		{FormatAlpaca, `{"instruction":"q","output":"","system":"x"}`, []string{"unknown key system", "missing or empty output"}},
	} {
		_, got := (validator{format: tc.format}).check([]byte(tc.line))
		if len(got) != len(tc.want) {
			t.Errorf("%s %s: %q, want %q", tc.format, tc.line, got, tc.want)
			continue
		}
		for _, w := range tc.want {
			if !slices.ContainsFunc(got, func(g string) bool { return strings.Contains(g, w) }) {
				t.Errorf("%s %s: %q, want %q", tc.format, tc.line, got, tc.want)
			}
		}
	}
}

func TestExportRefusesInvalidExamples(t *testing.T) {
	s := goldenStore(t)
	// Only a damaged file (or a bug) can hold an empty answer: the store
	// refuses one. The export must not write it either.
	s.db.Exec("UPDATE snippets SET code = '  ' WHERE id = 2")
	dir := t.TempDir()
	rep, err := s.Export(bg, dir, ExportOptions{Format: FormatOpenAI})
	if !errors.Is(err, ErrInvalidExport) || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], "(snippet 2): messages[2]: missing or empty content") {
		t.Fatalf("%v %q", err, rep.Problems)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != ReportFile {
		t.Errorf("files left: %v", entries)
	}
	text, _ := os.ReadFile(filepath.Join(dir, ReportFile))
	if !strings.Contains(string(text), "ERROR") || !strings.Contains(string(text), "Nothing written.") {
		t.Errorf("report:\n%s", text)
	}
}

func TestExportWarningsAndSplit(t *testing.T) {
	s := openTemp(t)
	// Snippets without a split are split by hash, the same way each time.
	for i := 0; i < 200; i++ {
		mustAdd(t, s, Snippet{Prompt: "Prompt number " + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26)), Code: "log.info:" + string(rune('a'+i%26)) + string(rune('a'+i/26)), Status: StatusApproved})
	}
	long := mustAdd(t, s, Snippet{Prompt: "Long", Code: "log.info:" + strings.Repeat("word ", 400), Status: StatusApproved})
	_ = long
	dup := mustAdd(t, s, Snippet{Prompt: "Prompt number aa", Code: "log.info:aa", Status: StatusApproved, Tags: []string{"dup"}})
	_ = dup
	dir := t.TempDir()
	rep, err := s.Export(bg, dir, ExportOptions{Format: FormatOpenAI, SplitRatio: 0.8, MaxTokens: 300})
	if err != nil {
		t.Fatal(err)
	}
	if rep.HashSplit != 202 || rep.Validation.Examples < 20 || rep.Validation.Examples > 65 {
		t.Errorf("hash split: %d, validation %d", rep.HashSplit, rep.Validation.Examples)
	}
	if rep.Duplicates != 1 || rep.Train.OverLimit+rep.Validation.OverLimit != 1 {
		t.Errorf("duplicates %d, over limit %d+%d", rep.Duplicates, rep.Train.OverLimit, rep.Validation.OverLimit)
	}
	text := rep.Text(true)
	for _, want := range []string{"same prompt and code as snippet 1", "over the limit of 300", "No problems found"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ModelfileName)); err == nil {
		t.Error("a Modelfile without a base model")
	}
	// The same split again, and a small set is warned about.
	rep2, _ := s.Export(bg, t.TempDir(), ExportOptions{Format: FormatOpenAI, SplitRatio: 0.8, MaxTokens: 300})
	if rep2.Validation.Examples != rep.Validation.Examples {
		t.Errorf("hash split changed: %d then %d", rep.Validation.Examples, rep2.Validation.Examples)
	}
	small, _ := s.Export(bg, t.TempDir(), ExportOptions{Format: FormatAlpaca, Filter: Filter{Tags: []string{"dup"}}})
	if !strings.Contains(small.Text(true), "fine-tuning needs at least 10") {
		t.Errorf("small set not warned about:\n%s", small.Text(true))
	}
	if _, err := s.Export(bg, t.TempDir(), ExportOptions{Format: "csv"}); err == nil {
		t.Error("unknown format accepted")
	}
	if _, err := s.Export(bg, t.TempDir(), ExportOptions{Format: FormatOpenAI, SplitRatio: 1.5}); err == nil {
		t.Error("split ratio 1.5 accepted")
	}
	if _, err := s.Export(bg, t.TempDir(), ExportOptions{Format: FormatOpenAI, BaseModel: "m", SystemPrompt: `say """`}); err == nil {
		t.Error(`""" in a Modelfile SYSTEM accepted`)
	}
}

func TestEstimateTokens(t *testing.T) {
	for _, tc := range []struct {
		s        string
		min, max int
	}{
		{"", 0, 0},
		{"hello", 1, 2},
		{"Create an endpoint that returns customers", 6, 12},
		{"data.read\r\n   table:customers\r\n", 7, 14},
	} {
		if n := EstimateTokens(tc.s); n < tc.min || n > tc.max {
			t.Errorf("EstimateTokens(%q) = %d, want %d..%d", tc.s, n, tc.min, tc.max)
		}
	}
}

// The system prompt loses a byte order mark and CRLF line ends; files are
// written 0644 less the umask, as report.txt is.
func TestExportSystemPromptAndModes(t *testing.T) {
	s := goldenStore(t)
	dir := t.TempDir()
	_, err := s.Export(bg, dir, ExportOptions{Format: FormatOpenAI, SystemPrompt: "\uFEFFBe brief.\r\nAnswer in code.\r\n", BaseModel: "m"})
	if err != nil {
		t.Fatal(err)
	}
	train, _ := os.ReadFile(filepath.Join(dir, TrainFile))
	if !bytes.Contains(train, []byte(`{"role":"system","content":"Be brief.\nAnswer in code."}`)) || bytes.Contains(train, []byte("\uFEFF")) {
		t.Errorf("train.jsonl: %s", train)
	}
	mf, _ := os.ReadFile(filepath.Join(dir, ModelfileName))
	if !bytes.Contains(mf, []byte("SYSTEM \"\"\"Be brief.\nAnswer in code.\"\"\"\n")) {
		t.Errorf("Modelfile: %s", mf)
	}
	report, _ := os.Stat(filepath.Join(dir, ReportFile))
	for _, name := range []string{TrainFile, ValidationFile, RegressionsFile, ModelfileName} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != report.Mode().Perm() || fi.Mode().Perm()&0o044 == 0 {
			t.Errorf("%s: mode %v, report.txt %v", name, fi.Mode().Perm(), report.Mode().Perm())
		}
	}
	if got := CleanSystemPrompt("\uFEFF  \r\n"); got != "" {
		t.Errorf("only a BOM: %q", got)
	}
}

// Nothing matching is an error, and nothing is written, not even the
// folder.
func TestExportNothing(t *testing.T) {
	s := goldenStore(t)
	dir := filepath.Join(t.TempDir(), "out")
	rep, err := s.Export(bg, dir, ExportOptions{Format: FormatOpenAI, Filter: Filter{Status: []Status{StatusRejected}}})
	if !errors.Is(err, ErrNothingToExport) || rep != nil {
		t.Fatalf("%v %v", rep, err)
	}
	if err.Error() != "nothing to export: no snippet matches the filters" {
		t.Errorf("message %q", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the folder was made: %v", err)
	}
}
