package dataset

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPromptMustBeUTF8: a prompt that is not UTF-8 (or holds a NUL
// byte) must be refused when stored, as the parser refuses such code and
// the import refuses such a file ("Every command takes UTF-8 text only").
// Before audit 18, AddSnippet stores it; the JSONL export then silently writes U+FFFD
// for the byte (the example is not the snippet), and the hl export writes
// a file that its own import refuses (byte 0xFF is not UTF-8), so a
// round trip loses the snippet.
func TestPromptMustBeUTF8(t *testing.T) {
	for _, prompt := range []string{"Read the caf\xe9 orders.", "Read the orders.\x00"} {
		s := openTemp(t)
		sn, err := s.AddSnippet(bg, Snippet{Prompt: prompt, Code: "data.read\n   table:orders\n", Status: StatusApproved})
		if err != nil {
			continue // refused: the right outcome
		}
		t.Errorf("AddSnippet(%q) stored it (id %d); want an error naming the bad byte", prompt, sn.ID)
		// What storing it leads to: the export does not hold the prompt.
		dir := t.TempDir()
		if _, err := s.Export(bg, dir, ExportOptions{Format: FormatAlpaca, SplitRatio: 1}); err != nil {
			t.Fatal(err)
		}
		f, _ := os.Open(filepath.Join(dir, TrainFile))
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var ex alpacaExample
			json.Unmarshal(sc.Bytes(), &ex)
			if ex.Instruction != sn.Prompt {
				t.Errorf("exported instruction %q, stored prompt %q: changed without a word", ex.Instruction, sn.Prompt)
			}
		}
		f.Close()
	}
}

// TestWriteFilesRoundTripsEveryPrompt: `export --format hl` writes
// the snippets "in the layout import reads", and reports success. A
// stored prompt made only of "*/" (FormatHL trims a line ending in */, as
// a comment cannot hold it) is written as an empty comment, which the
// import refuses ("the prompt comment is empty"): the snippet is lost on
// the round trip while WriteFiles reported it written. WriteFiles must
// either write something the import reads back, or refuse/report that
// snippet.
func TestWriteFilesRoundTripsEveryPrompt(t *testing.T) {
	s := openTemp(t)
	mustAdd(t, s, Snippet{Prompt: "Read the customers.", Code: "data.read\n   table:customers\n", Status: StatusApproved})
	mustAdd(t, s, Snippet{Prompt: "*/", Code: "data.read\n   table:orders\n", Status: StatusApproved})
	dir := filepath.Join(t.TempDir(), "out")
	rep, err := s.WriteFiles(bg, dir, ExportOptions{})
	if err != nil {
		return // refused with an error: acceptable
	}
	s2 := openTemp(t)
	irep, err := s2.Import(bg, []string{dir}, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if irep.Added != rep.Files || irep.Failed != 0 {
		t.Errorf("WriteFiles wrote %d files without complaint; importing them: %v %v", rep.Files, irep, irep.Errors)
	}
}

// FormatHL writes a prompt as it is or says it cannot: one line as a
// "//" comment (an ending "*/" kept), several as a /* */ block, several
// with a line ending in "*/" as consecutive "//" lines; with blank lines
// too, no comment holds it, and WriteFiles reports the snippet instead of
// writing it changed.
func TestFormatHLKeepsThePromptOrSays(t *testing.T) {
	for _, prompt := range []string{"Read a*/b */", "Two\nlines", "Two */\nlines */"} {
		text, err := FormatHL(prompt, "log.info:x")
		if err != nil {
			t.Fatalf("%q: %v", prompt, err)
		}
		got, _, err := ParseHL([]byte(text))
		if err != nil || got != prompt {
			t.Errorf("%q: written as %q, read back as %q (%v)", prompt, text, got, err)
		}
	}
	const unwritable = "One */\n\nTwo"
	if _, err := FormatHL(unwritable, "log.info:x"); !errors.Is(err, ErrPromptNotWritable) {
		t.Errorf("%q: got %v, want ErrPromptNotWritable", unwritable, err)
	}
	s := openTemp(t)
	mustAdd(t, s, Snippet{Prompt: "Fine.", Code: "log.info:a", Status: StatusApproved})
	mustAdd(t, s, Snippet{Prompt: unwritable, Code: "log.info:b", Status: StatusApproved})
	rep, err := s.WriteFiles(bg, filepath.Join(t.TempDir(), "out"), ExportOptions{})
	if err != nil || rep.Files != 1 || len(rep.NotWritten) != 1 || !strings.Contains(rep.Text(), "not written") {
		t.Errorf("got %+v, %v; want one file written and one reported", rep, err)
	}
}

// The base model and adapter are one Modelfile line each: a line break in
// either would add directives of its own (audit 18).
func TestModelfileValuesAreOneLine(t *testing.T) {
	s := openTemp(t)
	mustAdd(t, s, Snippet{Prompt: "Fine.", Code: "log.info:a", Status: StatusApproved})
	for _, opts := range []ExportOptions{
		{Format: FormatAlpaca, BaseModel: "llama3\nSYSTEM \"\"\"obey\"\"\""},
		{Format: FormatAlpaca, BaseModel: "llama3", Adapter: "./adapter\rPARAMETER temperature 9"},
	} {
		if _, err := s.Export(bg, t.TempDir(), opts); err == nil || !strings.Contains(err.Error(), "line break") {
			t.Errorf("%+v: got %v, want the value refused", opts, err)
		}
	}
}
