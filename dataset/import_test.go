package dataset

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseHL(t *testing.T) {
	for _, tc := range []struct {
		name, src    string
		prompt, code string
		err          string
	}{
		{"line comment", "// Say hi\nlog.info:hi\n", "Say hi", "log.info:hi\r\n", ""},
		{"block comment", "/*\n * Add numbers.\n * Two of them.\n */\nmath.add\n   .:int:1\n", "Add numbers.\nTwo of them.", "math.add\r\n   .:int:1\r\n", ""},
		{"CRLF", "// Say hi\r\nlog.info:hi\r\n", "Say hi", "log.info:hi\r\n", ""},
		{"BOM", "\uFEFF// Say hi\nlog.info:hi", "Say hi", "log.info:hi\r\n", ""},
		{"inner comments kept", "// p\n.x:1\n// then log\nlog.info:x:@.x\n", "p", ".x:1\r\n\r\n// then log\r\nlog.info:x:@.x\r\n", ""},
		{"no prompt", "log.info:hi\n", "", "", "1:1: the file does not start with a comment"},
		{"empty", "", "", "", "1:1: the file is empty"},
		{"comment only", "// p\n// q\n", "", "", "1:1: there is no code after the prompt comment"},
		{"syntax error", "// p\nfoo\n  bar\n", "", "", "3:3: indentation of 2 spaces"},
		{"latin-1", "// Caf\xe9\nlog.info:hi\n", "", "", "1:7: byte 0xE9 is not UTF-8"},
		{"latin-1 after BOM", "\uFEFF// x\n.a:\xff\n", "", "", "2:4: byte 0xFF is not UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prompt, code, err := ParseHL([]byte(tc.src))
			if tc.err != "" {
				var fe *FileError
				if !errors.As(err, &fe) || !strings.HasPrefix(strings.TrimPrefix(err.Error(), ":"), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || prompt != tc.prompt || code != tc.code {
				t.Fatalf("got %q %q %v", prompt, code, err)
			}
			// FormatHL writes what ParseHL reads.
			text, err := FormatHL(prompt, code)
			if err != nil {
				t.Fatal(err)
			}
			p2, c2, err := ParseHL([]byte(text))
			if err != nil || p2 != prompt || c2 != code {
				t.Errorf("round trip of %q: %q %q %v", text, p2, c2, err)
			}
		})
	}
}

// trainingTree is a folder in the fine-tune-hyperlambda layout with every
// kind of file an import meets.
func trainingTree(t *testing.T) string {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"strings/concat.hl":                   hl("Concatenate two strings", "strings.concat", "   .:a", "   .:b"),
		"strings/crlf.hl":                     strings.ReplaceAll(hl("Lower case a text", "strings.to-lower:ABC"), "\n", "\r\n"),
		"strings/bom.hl":                      "\uFEFF" + hl("Upper case a text", "strings.to-upper:abc"),
		"strings/validation/trim.hl":          hl("Trim a text", "strings.trim:\" a \""),
		"crud/read/customers.hl":              hl("Read customers", "data.read", "   table:customers"),
		"crud/read/validation/deep/orders.hl": hl("Read orders", "data.read", "   table:orders"),
		"crud/read/copy.hl":                   hl("Read customers", "// a comment does not make it new", "data.read", "   table:customers"),
		"broken/indent.hl":                    hl("Broken", "foo", "  bar"),
		"broken/latin1.hl":                    "// Caf\xe9\nlog.info:hi\n",
		"broken/noprompt.hl":                  "log.info:hi\n",
		"top.hl":                              hl("At the top", "log.info:top"),
		"notes.txt":                           "not a training file",
		".git/HEAD.hl":                        hl("hidden", "log.info:hidden"),
	})
	return dir
}

func TestImportTrainingTree(t *testing.T) {
	s := openTemp(t)
	dir := trainingTree(t)
	var progress []Progress
	rep, err := s.Import(bg, []string{dir}, ImportOptions{BatchSize: 4, Progress: func(p Progress) { progress = append(progress, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != 11 || rep.Added != 7 || rep.Skipped != 1 || rep.Failed != 3 || rep.Updated != 0 {
		t.Fatalf("report: %s", rep)
	}
	var errs []string
	for _, e := range rep.Errors {
		errs = append(errs, strings.TrimPrefix(filepath.ToSlash(e.Error()), filepath.ToSlash(dir)+"/"))
	}
	want := []string{
		"broken/indent.hl:3:3: indentation of 2 spaces is not a multiple of 3 (one level is three spaces)",
		"broken/latin1.hl:1:7: byte 0xE9 is not UTF-8; save the file as UTF-8",
		"broken/noprompt.hl:1:1: the file does not start with a comment; the first comment is the prompt",
	}
	if !slices.Equal(errs, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(errs, "\n"), strings.Join(want, "\n"))
	}
	if len(rep.Skips) != 1 || !strings.HasSuffix(rep.Skips[0].Source, "crud/read/copy.hl") {
		// Files import in path order: copy.hl comes before customers.hl.
		if len(rep.Skips) != 1 || !strings.HasSuffix(rep.Skips[0].File, "customers.hl") {
			t.Errorf("skips %+v", rep.Skips)
		}
	}
	last := progress[len(progress)-1]
	if last.Done != 11 || last.Total != 11 || last.Committed != 11 {
		t.Errorf("last progress %+v", last)
	}

	type row struct {
		split Split
		tags  []string
	}
	got := map[string]row{}
	s.Each(bg, Filter{}, func(sn *Snippet) error {
		got[sn.Prompt] = row{sn.Split, sn.Tags}
		if sn.Status != StatusApproved || !strings.HasPrefix(sn.Source, filepath.ToSlash(dir)) {
			t.Errorf("%q: status %s, source %s", sn.Prompt, sn.Status, sn.Source)
		}
		return nil
	})
	for prompt, w := range map[string]row{
		"Concatenate two strings": {SplitTrain, []string{"strings"}},
		"Lower case a text":       {SplitTrain, []string{"strings"}},
		"Upper case a text":       {SplitTrain, []string{"strings"}},
		"Trim a text":             {SplitValidation, []string{"strings"}},
		"Read customers":          {SplitTrain, []string{"crud/read"}},
		"Read orders":             {SplitValidation, []string{"crud/read/deep"}},
		"At the top":              {SplitTrain, nil},
	} {
		if g, ok := got[prompt]; !ok || g.split != w.split || !slices.Equal(g.tags, w.tags) {
			t.Errorf("%q: got %+v (found %v), want %+v", prompt, g, ok, w)
		}
	}
	if len(got) != 7 {
		t.Errorf("%d snippets: %v", len(got), got)
	}

	// Importing again changes nothing.
	again, err := s.Import(bg, []string{dir}, ImportOptions{})
	if err != nil || again.Unchanged != 7 || again.Added+again.Updated != 0 || again.Skipped != 1 || again.Failed != 3 {
		t.Fatalf("re-import: %s %v", again, err)
	}

	// A curated snippet keeps its status and notes when its file changes,
	// and the previous content is kept as a version.
	var id int64
	s.Each(bg, Filter{}, func(sn *Snippet) error {
		if sn.Prompt == "Trim a text" {
			id = sn.ID
		}
		return nil
	})
	s.edit(bg, id, func(sn *Snippet) { sn.Status, sn.Notes = StatusRejected, "too easy" })
	writeTree(t, dir, map[string]string{
		"strings/validation/trim.hl": hl("Trim a text on both ends", "strings.trim:\" a \""),
		"broken/indent.hl":           hl("Fixed now", "foo", "   bar"),
	})
	third, err := s.Import(bg, []string{dir}, ImportOptions{})
	if err != nil || third.Updated != 1 || third.Added != 1 || third.Failed != 2 || third.Unchanged != 6 {
		t.Fatalf("after edits: %s %v", third, err)
	}
	sn, _ := s.Snippet(bg, id)
	if sn.Prompt != "Trim a text on both ends" || sn.Status != StatusRejected || sn.Notes != "too easy" {
		t.Errorf("updated snippet %+v", sn)
	}
	if vs, _ := s.Versions(bg, id); len(vs) != 2 {
		t.Errorf("versions %+v", vs)
	}

	// Prune drops snippets whose files are gone.
	os.Remove(filepath.Join(dir, "top.hl"))
	pruned, err := s.Import(bg, []string{dir}, ImportOptions{Prune: true})
	if err != nil || pruned.Deleted != 1 {
		t.Errorf("prune: %s %v", pruned, err)
	}
}

func TestImportWithoutValidationFolderLeavesSplitToExport(t *testing.T) {
	s := openTemp(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.hl": hl("A", "a"), "holdout/b.hl": hl("B", "b")})
	if _, err := s.Import(bg, []string{dir}, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	s.Each(bg, Filter{}, func(sn *Snippet) error {
		if sn.Split != SplitNone {
			t.Errorf("%s: split %q", sn.Prompt, sn.Split)
		}
		return nil
	})
	// --validation-dir names another folder.
	s2 := openTemp(t)
	rep, _ := s2.Import(bg, []string{dir}, ImportOptions{ValidationDir: "holdout", Status: StatusDraft})
	n, _ := s2.Count(bg, Query{Filter: Filter{Split: SplitValidation, Status: []Status{StatusDraft}}})
	if rep.Added != 2 || n != 1 {
		t.Errorf("holdout: %s, %d in validation", rep, n)
	}
}

func TestImportSingleFilesAndMissingPath(t *testing.T) {
	s := openTemp(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"validation/v.hl": hl("V", "v"), "t.hl": hl("T", "t")})
	rep, err := s.Import(bg, []string{filepath.Join(dir, "validation", "v.hl"), filepath.Join(dir, "t.hl")}, ImportOptions{})
	if err != nil || rep.Added != 2 {
		t.Fatalf("%s %v", rep, err)
	}
	if n, _ := s.Count(bg, Query{Filter: Filter{Split: SplitValidation}}); n != 1 {
		t.Errorf("a file under validation/ named alone: %d in validation", n)
	}
	_, err = s.Import(bg, []string{filepath.Join(dir, "nope")}, ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("missing path: %v", err)
	}
}

func TestImportCancelled(t *testing.T) {
	s := openTemp(t)
	dir := trainingTree(t)
	ctx, cancel := context.WithCancel(bg)
	rep, err := s.Import(ctx, []string{dir}, ImportOptions{BatchSize: 2, Progress: func(p Progress) {
		if p.Committed >= 2 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) || rep.Files == 0 || rep.Files >= 11 {
		t.Errorf("cancelled import: %s %v", rep, err)
	}
}

func TestWriteFilesRoundTrip(t *testing.T) {
	s := openTemp(t)
	if _, err := s.Import(bg, []string{trainingTree(t)}, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	mustAdd(t, s, Snippet{Prompt: "Typed in the studio\nover two lines */", Code: "log.info:typed", Status: StatusApproved})
	out := t.TempDir()
	n, err := s.WriteFiles(bg, Filter{}, out)
	if err != nil || n != 8 {
		t.Fatalf("wrote %d, %v", n, err)
	}
	for _, rel := range []string{"strings/concat.hl", "strings/validation/trim.hl", "crud/read/deep/validation/orders.hl", "top.hl", "snippet-8.hl"} {
		if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(rel))); err != nil {
			t.Errorf("not written: %s", rel)
		}
	}
	back := openTemp(t)
	rep, err := back.Import(bg, []string{out}, ImportOptions{})
	if err != nil || rep.Added != 8 || rep.Failed != 0 {
		t.Fatalf("re-import of written files: %s %v %v", rep, err, rep.Errors)
	}
	type key struct{ prompt, code string }
	set := func(st *Store) map[key]Split {
		m := map[key]Split{}
		st.Each(bg, Filter{}, func(sn *Snippet) error { m[key{sn.Prompt, sn.Code}] = sn.Split; return nil })
		return m
	}
	a, b := set(s), set(back)
	for k, split := range a {
		want := split
		if want == SplitNone {
			want = SplitTrain // the written tree has validation folders
		}
		if strings.HasSuffix(k.prompt, "*/") {
			k.prompt = "Typed in the studio\nover two lines"
		}
		if got, ok := b[k]; !ok || got != want {
			t.Errorf("%q: %q after the round trip (found %v), want %q", k.prompt, got, ok, want)
		}
	}
}
