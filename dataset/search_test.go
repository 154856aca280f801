package dataset

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

func searchFixture(t *testing.T) (*Store, map[string]int64) {
	s := openTemp(t)
	ids := map[string]int64{}
	for _, sn := range []Snippet{
		{Prompt: "Create an endpoint that reads customers from the CRM database", Code: "data.connect:crm\n   data.read\n      table:customers", Status: StatusApproved, Tags: []string{"crud/read"}, Split: SplitTrain},
		{Prompt: "Delete a customer by id", Code: "data.connect:crm\n   data.delete\n      table:customers", Status: StatusApproved, Tags: []string{"crud/delete"}, Split: SplitValidation},
		{Prompt: "Concatenate two strings", Code: "strings.concat\n   .:foo\n   .:bar", Status: StatusDraft, Tags: []string{"strings"}},
		{Prompt: "concatenate TWO strings!", Code: "strings.concat\n   .:a\n   .:b", Status: StatusRejected, Tags: []string{"strings"}, Source: "/x/strings.hl"},
		{Prompt: "Join two texts", Code: "strings.concat\n   .:foo\n   .:bar", Status: StatusApproved, Source: "generated"},
		{Prompt: "Log the customers count", Code: "log.info:customers", Status: StatusApproved},
	} {
		out := mustAdd(t, s, sn)
		ids[sn.Prompt[:6]] = out.ID
	}
	return s, ids
}

func hitIDs(hits []Hit) []int64 {
	var out []int64
	for _, h := range hits {
		out = append(out, h.ID)
	}
	return out
}

func TestSearch(t *testing.T) {
	s, ids := searchFixture(t)
	read, del, concat, concat2, join, logc := ids["Create"], ids["Delete"], ids["Concat"], ids["concat"], ids["Join t"], ids["Log th"]
	for _, tc := range []struct {
		name string
		q    Query
		want []int64
	}{
		{"prompt word beats code word", Query{Text: "customers"}, []int64{logc, del, read}},
		{"all words must match", Query{Text: "customer delete"}, []int64{del}},
		{"last word is a prefix", Query{Text: "concat"}, []int64{concat, concat2, join}},
		{"finished word is not a prefix", Query{Text: "conca "}, nil},
		{"unfinished word is", Query{Text: "conca"}, []int64{concat, concat2, join}},
		{"code is searched", Query{Text: "data.read"}, []int64{read}},
		{"stemming", Query{Text: "reading customer"}, []int64{read}},
		{"status filter", Query{Text: "concat", Filter: Filter{Status: []Status{StatusApproved}}}, []int64{join}},
		{"two statuses", Query{Text: "concat", Filter: Filter{Status: []Status{StatusDraft, StatusRejected}}}, []int64{concat, concat2}},
		{"tag and its subtags", Query{Filter: Filter{Tags: []string{"crud"}}}, []int64{del, read}},
		{"exact subtag", Query{Filter: Filter{Tags: []string{"crud/read"}}}, []int64{read}},
		{"tag prefix is not a tag", Query{Filter: Filter{Tags: []string{"cru"}}}, nil},
		{"split", Query{Filter: Filter{Split: SplitValidation}}, []int64{del}},
		{"no stored split", Query{Filter: Filter{Split: SplitUnset}}, []int64{logc, join, concat2, concat}},
		{"no stored split, words", Query{Text: "concat", Filter: Filter{Split: SplitUnset, Status: []Status{StatusApproved}}}, []int64{join}},
		{"source prefix", Query{Filter: Filter{Source: "/x/"}}, []int64{concat2}},
		{"generated", Query{Text: "two", Filter: Filter{Source: SourceGenerated}}, []int64{join}},
		{"since", Query{Filter: Filter{Since: time.Now().Add(time.Hour)}}, nil},
		{"until", Query{Filter: Filter{Until: time.Now().Add(time.Hour)}, Limit: 2}, []int64{logc, join}},
		{"page", Query{Text: "customers", Limit: 1, Offset: 1}, []int64{del}},
		{"punctuation only", Query{Text: `"*:(`}, nil},
		{"fts syntax is text", Query{Text: `customers OR NOT "delete`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hits, err := s.Search(bg, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := hitIDs(hits); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			q := tc.q
			q.Limit, q.Offset = 0, 0
			all, _ := s.Search(bg, q)
			if n, err := s.Count(bg, tc.q); err != nil || n != len(all) {
				t.Errorf("count %d, %v; search found %d", n, err, len(all))
			}
		})
	}
}

func TestSearchRanksAndCountsDuplicates(t *testing.T) {
	s, ids := searchFixture(t)
	hits, _ := s.Search(bg, Query{Text: "concatenate strings"})
	if len(hits) != 2 || hits[0].Rank >= 0 || hits[0].Rank > hits[1].Rank {
		t.Fatalf("hits %+v", hits)
	}
	// "Concatenate two strings" shares its prompt with one snippet and its
	// tree with "Join two texts".
	for _, h := range hits {
		if h.ID == ids["Concat"] && h.Duplicates != 2 {
			t.Errorf("duplicates of %d: %d", h.ID, h.Duplicates)
		}
	}
	dups, _ := s.Duplicates(bg, ids["Concat"])
	var got []int64
	for _, d := range dups {
		got = append(got, d.ID)
	}
	if want := []int64{ids["concat"], ids["Join t"]}; !slices.Equal(got, want) {
		t.Errorf("duplicates %v, want %v", got, want)
	}
}

func TestSimilar(t *testing.T) {
	s, ids := searchFixture(t)
	got, err := s.Similar(bg, "How do I read the customers table of my CRM?", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != ids["Create"] {
		t.Fatalf("similar: %v", got)
	}
	for _, sn := range got {
		if sn.Status != StatusApproved {
			t.Errorf("similar returned a %s snippet", sn.Status)
		}
	}
	if got, _ := s.Similar(bg, "the a of", 3); len(got) != 0 {
		t.Errorf("only stop words: %v", got)
	}
}

func TestFTSQuery(t *testing.T) {
	for _, tc := range []struct {
		in   string
		any  bool
		want string
	}{
		{"Hello world", false, `"Hello" "world"*`}, // FTS5 folds the case
		{"Hello world ", false, `"Hello" "world"`},
		{`a "quoted" NEAR(x)`, false, `"a" "quoted" "NEAR" "x"*`},
		{"Hello hello", true, `"Hello"`},
		{"ⅷ Ꮳ", false, `"ⅷ" "Ꮳ"*`},
		{"How do I read the table", true, `"read" OR "table"`},
		{"dup dup", true, `"dup"`},
	} {
		if got := ftsQuery(tc.in, tc.any); got != tc.want {
			t.Errorf("ftsQuery(%q, %v) = %s, want %s", tc.in, tc.any, got, tc.want)
		}
	}
}

func ExampleStore_Similar() {
	s, _ := Open(fmt.Sprintf("%s/example.db", tempDirForExample()))
	defer s.Close()
	s.AddSnippet(bg, Snippet{Prompt: "Return the current date", Code: "date.now\nreturn:x:-", Status: StatusApproved})
	s.AddSnippet(bg, Snippet{Prompt: "Log a message", Code: "log.info:hello", Status: StatusApproved})
	few, _ := s.Similar(bg, "what is the date today?", 3)
	for _, sn := range few {
		fmt.Println(sn.Prompt)
	}
	// Output: Return the current date
}

// Every prefix of a word finds it, also where the stemmed index holds a
// shorter stem ("generate" as "gener", "running" as "run"), and a word
// typed in full still finds the other forms of it.
func TestSearchEveryPrefix(t *testing.T) {
	s := openTemp(t)
	gen := mustAdd(t, s, Snippet{Prompt: "Generate a report", Code: "log.info:report"}).ID
	run := mustAdd(t, s, Snippet{Prompt: "Keep the service running", Code: "log.info:running"}).ID
	data := mustAdd(t, s, Snippet{Prompt: "Lire les données", Code: "log.info:x"}).ID
	gening := mustAdd(t, s, Snippet{Prompt: "Generating numbers", Code: "math.add"}).ID
	for _, tc := range []struct {
		word string
		id   int64
	}{{"generate", gen}, {"running", run}, {"données", data}, {"donnees", data}} {
		for i := range []rune(tc.word) {
			prefix := string([]rune(tc.word)[:i+1])
			for _, text := range []string{prefix, "the " + prefix} {
				if text == "the "+prefix && tc.id != run {
					continue
				}
				hits, err := s.Search(bg, Query{Text: text})
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Contains(hitIDs(hits), tc.id) {
					t.Errorf("%q does not find %q: %v", text, tc.word, hitIDs(hits))
				}
				if n, _ := s.Count(bg, Query{Text: text}); n != len(hits) {
					t.Errorf("%q: count %d, %d hits", text, n, len(hits))
				}
			}
		}
	}
	// Stemming still applies to a word typed in full, and to finished words.
	for _, text := range []string{"generate", "generated ", "generating report"} {
		hits, _ := s.Search(bg, Query{Text: text})
		if text == "generating report" {
			if !slices.Equal(hitIDs(hits), []int64{gen}) {
				t.Errorf("%q: %v", text, hitIDs(hits))
			}
			continue
		}
		if !slices.Contains(hitIDs(hits), gening) || !slices.Contains(hitIDs(hits), gen) {
			t.Errorf("%q: %v, want both forms", text, hitIDs(hits))
		}
	}
	// A prompt match ranks above a code match.
	hits, _ := s.Search(bg, Query{Text: "runn"})
	if len(hits) != 1 || hits[0].ID != run {
		t.Errorf("runn: %v", hitIDs(hits))
	}
	rep := mustAdd(t, s, Snippet{Prompt: "Log something", Code: "log.info:report"}).ID
	hits, _ = s.Search(bg, Query{Text: "repo"})
	if !slices.Equal(hitIDs(hits), []int64{gen, rep}) {
		t.Errorf("repo: %v, want the prompt match first", hitIDs(hits))
	}
}
