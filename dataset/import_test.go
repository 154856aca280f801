package dataset

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
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
		{"prompt over // lines", "// Create an endpoint\n// that lists the orders\n//   of a customer.\nlog.info:hi\n", "Create an endpoint\nthat lists the orders\nof a customer.", "log.info:hi\r\n", ""},
		{"prompt over // lines, CRLF", "// One\r\n// two\r\nlog.info:hi\r\n", "One\ntwo", "log.info:hi\r\n", ""},
		{"code comment after a blank line", "// Prompt\n// more\n\n// about the code\nlog.info:hi\n", "Prompt\nmore", "\r\n// about the code\r\nlog.info:hi\r\n", ""},
		{"block then line comment", "/*\n * Prompt\n * two\n */\n// code\nlog.info:hi\n", "Prompt\ntwo", "\r\n// code\r\nlog.info:hi\r\n", ""},
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
		"crud/read/copy.hl":                   hl("Read customers", "", "// a comment does not make it new", "data.read", "   table:customers"),
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
	rep, err := s.WriteFiles(bg, out, ExportOptions{})
	if err != nil || rep.Files != 8 || len(rep.Stale) != 0 {
		t.Fatalf("wrote %+v, %v", rep, err)
	}
	for _, rel := range []string{"strings/concat.hl", "strings/validation/trim.hl", "crud/read/deep/validation/orders.hl", "top.hl", "snippet-8.hl"} {
		fi, err := os.Stat(filepath.Join(out, filepath.FromSlash(rel)))
		if err != nil {
			t.Errorf("not written: %s", rel)
		} else if fi.Mode().Perm()&0o044 == 0 {
			t.Errorf("%s: mode %v, want 0644 less the umask", rel, fi.Mode().Perm())
		}
	}
	back := openTemp(t)
	irep, err := back.Import(bg, []string{out}, ImportOptions{})
	if err != nil || irep.Added != 8 || irep.Failed != 0 {
		t.Fatalf("re-import of written files: %s %v %v", irep, err, irep.Errors)
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
		if got, ok := b[k]; !ok || got != want {
			t.Errorf("%q: %q after the round trip (found %v), want %q", k.prompt, got, ok, want)
		}
	}
}

// A snippet without a stored split is written where the JSONL export puts
// it (the hash split), so that exporting, importing the files and
// exporting JSONL gives every example the split it had.
func TestWriteFilesKeepsTheHashSplit(t *testing.T) {
	s := openTemp(t)
	dir := t.TempDir()
	files := map[string]string{}
	for i := range 40 {
		files[fmt.Sprintf("f%02d.hl", i)] = hl(fmt.Sprintf("Log the number %d", i), fmt.Sprintf("log.info:%d", i))
	}
	writeTree(t, dir, files) // no validation folder: no stored split
	if _, err := s.Import(bg, []string{dir}, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	splits := func(st *Store) map[string]string {
		out := t.TempDir()
		rep, err := st.Export(bg, out, ExportOptions{Format: FormatAlpaca})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Validation.Examples == 0 || rep.Train.Examples == 0 {
			t.Fatalf("want both splits: %+v", rep)
		}
		m := map[string]string{}
		for _, name := range []string{TrainFile, ValidationFile} {
			data, _ := os.ReadFile(filepath.Join(out, name))
			for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
				var ex alpacaExample
				json.Unmarshal([]byte(line), &ex)
				m[ex.Instruction] = name
			}
		}
		return m
	}
	before := splits(s)
	out := filepath.Join(t.TempDir(), "hl")
	rep, err := s.WriteFiles(bg, out, ExportOptions{})
	if err != nil || rep.Files != 40 || rep.HashSplit != 40 || rep.Validation == 0 {
		t.Fatalf("%+v %v", rep, err)
	}
	back := openTemp(t)
	if _, err := back.Import(bg, []string{out}, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if after := splits(back); !maps.Equal(before, after) {
		t.Errorf("splits changed by the round trip:\nbefore %v\nafter  %v", before, after)
	}
}

// Writing again into the folder of an earlier export deletes nothing and
// lists the files it did not write; a folder of someone's own files is
// refused; nothing to export is an error that writes nothing.
func TestWriteFilesFolder(t *testing.T) {
	s := openTemp(t)
	a := mustAdd(t, s, Snippet{Prompt: "A", Code: "log.info:a", Status: StatusApproved, Tags: []string{"x"}, Split: SplitTrain})
	mustAdd(t, s, Snippet{Prompt: "B", Code: "log.info:b", Status: StatusApproved, Split: SplitTrain})
	out := filepath.Join(t.TempDir(), "out")
	if rep, err := s.WriteFiles(bg, out, ExportOptions{}); err != nil || rep.Files != 2 || len(rep.Stale) != 0 {
		t.Fatalf("%+v %v", rep, err)
	}
	s.DeleteSnippet(bg, a.ID)
	rep, err := s.WriteFiles(bg, out, ExportOptions{})
	if err != nil || rep.Files != 1 || !slices.Equal(rep.Stale, []string{fmt.Sprintf("x/snippet-%d.hl", a.ID)}) {
		t.Fatalf("second export: %+v %v", rep, err)
	}
	if _, err := os.Stat(filepath.Join(out, "x", fmt.Sprintf("snippet-%d.hl", a.ID))); err != nil {
		t.Errorf("a file of an earlier export was deleted: %v", err)
	}
	if !strings.Contains(rep.Text(), "1 other .hl file in") || !strings.Contains(rep.Text(), "x/snippet-") {
		t.Errorf("report %q", rep.Text())
	}

	mine := t.TempDir()
	writeTree(t, mine, map[string]string{"notes.hl": hl("mine", "log.info:mine")})
	if _, err := s.WriteFiles(bg, mine, ExportOptions{}); !errors.Is(err, ErrFolderNotExport) {
		t.Errorf("a folder of other files: %v", err)
	}
	if data, _ := os.ReadFile(filepath.Join(mine, "notes.hl")); string(data) != hl("mine", "log.info:mine") {
		t.Errorf("a file of the user's was changed")
	}

	empty := filepath.Join(t.TempDir(), "empty")
	if _, err := s.WriteFiles(bg, empty, ExportOptions{Filter: Filter{Status: []Status{StatusRejected}}}); !errors.Is(err, ErrNothingToExport) {
		t.Errorf("nothing to export: %v", err)
	}
	if _, err := os.Stat(empty); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("nothing to export made the folder: %v", err)
	}
}

// A file renamed or moved (here from t/ to validation/) keeps its
// snippet: id, status, notes, versions and regression pairs, with the new
// source, split and folder tag; pruning afterwards deletes nothing.
func TestImportMovedFileKeepsItsSnippet(t *testing.T) {
	for _, prune := range []bool{false, true} {
		t.Run(fmt.Sprintf("prune=%v", prune), func(t *testing.T) {
			s := openTemp(t)
			dir := t.TempDir()
			writeTree(t, dir, map[string]string{
				"t/strings/concat.hl": hl("Concatenate", "strings.concat", "   .:a", "   .:b"),
				"validation/trim.hl":  hl("Trim", "strings.trim:x"),
			})
			if _, err := s.Import(bg, []string{dir}, ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			hits, _ := s.Search(bg, Query{Text: "concatenate"})
			if len(hits) != 1 || hits[0].Split != SplitTrain || !slices.Equal(hits[0].Tags, []string{"t/strings"}) {
				t.Fatalf("before: %+v", hits)
			}
			id := hits[0].ID
			if _, err := s.edit(bg, id, func(sn *Snippet) {
				sn.Status, sn.Notes, sn.Tags = StatusRejected, "too easy", append(sn.Tags, "reviewed")
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.AddRegression(bg, Regression{SnippetID: id, Bad: "strings.concat:x", Reason: "wrong"}); err != nil {
				t.Fatal(err)
			}

			from := filepath.Join(dir, "t", "strings", "concat.hl")
			to := filepath.Join(dir, "validation", "joined.hl")
			if err := os.Rename(from, to); err != nil {
				t.Fatal(err)
			}
			rep, err := s.Import(bg, []string{dir}, ImportOptions{Prune: prune})
			if err != nil || rep.Moved != 1 || rep.Skipped != 0 || rep.Added != 0 || rep.Deleted != 0 || rep.Unchanged != 1 {
				t.Fatalf("import after the move: %s %v", rep, err)
			}
			if len(rep.Moves) != 1 || rep.Moves[0].SnippetID != id || rep.Moves[0].File != to || rep.Moves[0].From != filepath.ToSlash(from) {
				t.Errorf("moves %+v", rep.Moves)
			}
			if !strings.Contains(rep.String(), "1 moved") {
				t.Errorf("report %q", rep)
			}
			sn, err := s.Snippet(bg, id)
			if err != nil {
				t.Fatal(err)
			}
			if sn.Source != filepath.ToSlash(to) || sn.Split != SplitValidation || sn.Status != StatusRejected || sn.Notes != "too easy" ||
				!slices.Equal(sn.Tags, []string{"reviewed"}) {
				t.Errorf("after the move: %+v", sn)
			}
			if regs, _ := s.Regressions(bg, id); len(regs) != 1 {
				t.Errorf("regression pairs %v", regs)
			}
			if vs, _ := s.Versions(bg, id); len(vs) != 2 {
				t.Errorf("versions %d, want the edit and the move", len(vs))
			}
			if n, _ := s.Count(bg, Query{}); n != 2 {
				t.Errorf("%d snippets", n)
			}
			// Again: nothing to do.
			again, err := s.Import(bg, []string{dir}, ImportOptions{Prune: true})
			if err != nil || again.Unchanged != 2 || again.Moved+again.Deleted+again.Added != 0 {
				t.Errorf("again: %s %v", again, err)
			}
		})
	}
}

// A file moved from one folder given to another is moved, not deleted by
// the prune of the first folder; a copy whose original still exists is a
// duplicate, and takes over once the original is gone.
func TestImportMoveBetweenPathsAndCopies(t *testing.T) {
	s := openTemp(t)
	one, two := t.TempDir(), t.TempDir()
	writeTree(t, one, map[string]string{"a.hl": hl("A", "log.info:a")})
	if _, err := s.Import(bg, []string{one, two}, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	a, _ := s.Search(bg, Query{Text: "a"})
	s.SetStatus(bg, a[0].ID, StatusDraft)
	os.Rename(filepath.Join(one, "a.hl"), filepath.Join(two, "a.hl"))
	rep, err := s.Import(bg, []string{one, two}, ImportOptions{Prune: true})
	if err != nil || rep.Moved != 1 || rep.Deleted != 0 {
		t.Fatalf("%s %v", rep, err)
	}
	// The same through Prune after importing path by path, as the command does.
	os.Rename(filepath.Join(two, "a.hl"), filepath.Join(one, "b.hl"))
	for _, p := range []string{two, one} {
		if _, err := s.Import(bg, []string{p}, ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.Prune(bg, []string{two, one}, ImportOptions{}); err != nil || n != 0 {
		t.Fatalf("prune deleted %d, %v", n, err)
	}
	writeTree(t, one, map[string]string{"copy.hl": hl("A", "log.info:a")})
	rep, _ = s.Import(bg, []string{one}, ImportOptions{})
	if rep.Skipped != 1 || rep.Moved != 0 {
		t.Errorf("a copy of an existing file: %s", rep)
	}
	os.Remove(filepath.Join(one, "b.hl"))
	rep, _ = s.Import(bg, []string{one}, ImportOptions{Prune: true})
	if rep.Moved != 1 || rep.Deleted != 0 {
		t.Errorf("the copy left: %s", rep)
	}
	sn, _ := s.Snippet(bg, a[0].ID)
	if sn.Status != StatusDraft || sn.Source != filepath.ToSlash(filepath.Join(one, "copy.hl")) {
		t.Errorf("snippet %+v", sn)
	}
}

// A folder imported that is itself a validation folder gives validation,
// as a file named alone inside one does.
func TestImportValidationFolderAsRoot(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"validation/v1.hl": hl("V1", "log.info:v1"), "validation/sub/v2.hl": hl("V2", "log.info:v2")})
	for _, paths := range [][]string{
		{filepath.Join(dir, "validation")},
		{filepath.Join(dir, "validation") + string(filepath.Separator)},
		{filepath.Join(dir, "validation", "v1.hl"), filepath.Join(dir, "validation", "sub")},
	} {
		s := openTemp(t)
		if _, err := s.Import(bg, paths, ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		s.Each(bg, Filter{}, func(sn *Snippet) error {
			if sn.Split != SplitValidation {
				t.Errorf("import %v: %s in split %q", paths, sn.Prompt, sn.Split)
			}
			return nil
		})
	}
}

// Tags and folders with characters of more than one byte filter and
// prune as others do.
func TestNonASCIIPathsAndTags(t *testing.T) {
	s := openTemp(t)
	dir := filepath.Join(t.TempDir(), "données")
	writeTree(t, dir, map[string]string{
		"données/a.hl":        hl("A", "log.info:a"),
		"données/réseau/b.hl": hl("B", "log.info:b"),
		"autres/c.hl":         hl("C", "log.info:c"),
	})
	if _, err := s.Import(bg, []string{dir}, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	count := func(f Filter) int { n, _ := s.Count(bg, Query{Filter: f}); return n }
	if n := count(Filter{Tags: []string{"données"}}); n != 2 {
		t.Errorf("--tag données: %d, want 2", n)
	}
	if n := count(Filter{Source: filepath.ToSlash(filepath.Join(dir, "données")) + "/"}); n != 2 {
		t.Errorf("--source …/données/: %d, want 2", n)
	}
	if n := count(Filter{Source: filepath.ToSlash(dir) + "/"}); n != 3 {
		t.Errorf("--source of the root: %d, want 3", n)
	}
	os.Remove(filepath.Join(dir, "données", "réseau", "b.hl"))
	rep, err := s.Import(bg, []string{filepath.Join(dir, "données")}, ImportOptions{Prune: true})
	if err != nil || rep.Deleted != 1 {
		t.Errorf("prune under données: %s %v", rep, err)
	}
}

// Symbolic links are followed: the folder imported, files and folders
// inside; a link that leads nowhere or back up the tree is reported.
func TestImportFollowsLinks(t *testing.T) {
	base := t.TempDir()
	writeTree(t, base, map[string]string{
		"real/a.hl":     hl("A", "log.info:a"),
		"real/sub/b.hl": hl("B", "log.info:b"),
		"elsewhere.hl":  hl("Elsewhere", "log.info:e"),
		"shared/c.hl":   hl("C", "log.info:c"),
	})
	for _, l := range [][2]string{
		{filepath.Join(base, "real"), filepath.Join(base, "link")},
		{filepath.Join(base, "elsewhere.hl"), filepath.Join(base, "real", "e.hl")},
		{filepath.Join(base, "shared"), filepath.Join(base, "real", "shared")},
		{"..", filepath.Join(base, "real", "sub", "up")},
		{"nowhere.hl", filepath.Join(base, "real", "broken.hl")},
	} {
		if err := os.Symlink(l[0], l[1]); err != nil {
			t.Skip("no symbolic links here:", err)
		}
	}
	s := openTemp(t)
	link := filepath.Join(base, "link")
	rep, err := s.Import(bg, []string{link}, ImportOptions{})
	if err != nil || rep.Added != 4 || rep.Failed != 0 {
		t.Fatalf("%s %v", rep, err)
	}
	var ignored []string
	for _, ig := range rep.Ignored {
		rel, _ := filepath.Rel(link, ig.Path)
		ignored = append(ignored, filepath.ToSlash(rel)+": "+ig.Reason)
	}
	want := []string{
		"broken.hl: not followed: a link to nowhere.hl, which does not exist",
		"sub/up: not followed: the same folder as " + link + ", imported already",
	}
	if !slices.Equal(ignored, want) {
		t.Errorf("ignored:\n%s\nwant:\n%s", strings.Join(ignored, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(rep.String(), "2 links not followed") {
		t.Errorf("report %q", rep)
	}
	srcs := map[string]bool{}
	s.Each(bg, Filter{}, func(sn *Snippet) error { srcs[sn.Source] = true; return nil })
	for _, rel := range []string{"a.hl", "sub/b.hl", "e.hl", "shared/c.hl"} {
		if !srcs[filepath.ToSlash(filepath.Join(link, rel))] {
			t.Errorf("%s not imported under the link's path: %v", rel, srcs)
		}
	}
	// Pruning through the link deletes nothing that is there.
	if rep, err := s.Import(bg, []string{link}, ImportOptions{Prune: true}); err != nil || rep.Deleted != 0 || rep.Unchanged != 4 {
		t.Errorf("again with prune: %s %v", rep, err)
	}
}

// A file renamed and edited in one step keeps its snippet (curation,
// regression pairs, history) when its prompt is the one a file that no
// longer exists had, and only one such file did; with two gone files of
// the same prompt it is imported as new.
func TestImportMovedAndEditedFile(t *testing.T) {
	s := openTemp(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"concat.hl": hl("Concatenate two texts", "strings.concat", "   .:a", "   .:b"),
		"twin1.hl":  hl("Twin prompt", "log.info:one"),
		"twin2.hl":  hl("Twin prompt", "log.info:two"),
	})
	if _, err := s.Import(bg, []string{dir}, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	hits, _ := s.Search(bg, Query{Text: "concatenate"})
	if len(hits) != 1 {
		t.Fatalf("before: %+v", hits)
	}
	id := hits[0].ID
	if _, err := s.SetStatus(bg, id, StatusRejected); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddRegression(bg, Regression{SnippetID: id, Bad: "strings.concat:x", Reason: "wrong"}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"concat.hl", "twin1.hl", "twin2.hl"} {
		os.Remove(filepath.Join(dir, f))
	}
	writeTree(t, dir, map[string]string{
		"texts/join.hl": hl("Concatenate two texts", "strings.concat", "   .:a", "   .:b", "   .:c"),
		"twin.hl":       hl("Twin prompt", "log.info:three"),
	})
	rep, err := s.Import(bg, []string{dir}, ImportOptions{Prune: true})
	if err != nil || rep.Moved != 1 || rep.Added != 1 || rep.Deleted != 2 {
		t.Fatalf("import after move and edit: %s %v", rep, err)
	}
	sn, err := s.Snippet(bg, id)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sn.Code, ".:c") || sn.Status != StatusRejected || sn.Source != filepath.ToSlash(filepath.Join(dir, "texts", "join.hl")) {
		t.Errorf("after move and edit: %+v", sn)
	}
	if regs, _ := s.Regressions(bg, id); len(regs) != 1 {
		t.Errorf("regression pairs %v", regs)
	}
	if vs, _ := s.Versions(bg, id); len(vs) != 2 {
		t.Errorf("versions %d, want the import and the move", len(vs))
	}
	if n, _ := s.Count(bg, Query{}); n != 2 {
		t.Errorf("%d snippets, want join and twin", n)
	}
}

// The report reads as English for one file or link as for many.
func TestImportReportText(t *testing.T) {
	for _, c := range []struct {
		rep  ImportReport
		want string
	}{
		{ImportReport{Files: 1, Failed: 1}, "1 file: 0 added, 0 updated, 0 unchanged, 0 skipped as duplicates, 1 failed"},
		{ImportReport{Files: 2, Added: 2}, "2 files: 2 added, 0 updated, 0 unchanged, 0 skipped as duplicates, 0 failed"},
		{ImportReport{Ignored: make([]Ignored, 1)}, "0 files: 0 added, 0 updated, 0 unchanged, 0 skipped as duplicates, 0 failed, 1 link not followed"},
		{ImportReport{Files: 3, Moved: 1, Updated: 1, Deleted: 2}, "3 files: 0 added, 1 updated, 0 unchanged, 0 skipped as duplicates, 0 failed, 1 moved, 2 deleted"},
	} {
		if got := c.rep.String(); got != c.want {
			t.Errorf("got  %q\nwant %q", got, c.want)
		}
	}
}
