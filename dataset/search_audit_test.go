package dataset

import "testing"

// TestSearchFindsAWordAsStored: a word typed exactly as it is
// written in a stored prompt must find that snippet. The full-text index
// holds each of these words (a raw FTS5 query for it matches), but Search
// first lower-cases the text with Go's newer Unicode tables and splits it
// on what Go does not call a letter or digit, so the query asks SQLite's
// unicode61 tokenizer for characters it does not fold or does not know:
// Cherokee capitals, Georgian Mtavruli, Adlam, Roman numerals are never
// found.
func TestSearchFindsAWordAsStored(t *testing.T) {
	for _, word := range []string{
		"ᏣᎳᎩ", // Cherokee (Go lower-cases to U+AB70.., SQLite does not)
		"ᲐᲑᲒ", // Georgian Mtavruli capitals
		"Ꞔx",  // Latin capital C with palatal hook
		"𞤀𞤁",  // Adlam capitals
		"ⅷ",   // a Roman numeral: a number to SQLite, not a letter or digit to Go
	} {
		t.Run(word, func(t *testing.T) {
			s := openTemp(t)
			sn := mustAdd(t, s, Snippet{Prompt: "greet in " + word + " please", Code: "x:1\n"})
			var raw int
			if err := s.db.QueryRow(`SELECT count(*) FROM snippets_fts WHERE snippets_fts MATCH ?`, `"`+word+`"`).Scan(&raw); err != nil || raw != 1 {
				t.Fatalf("precondition: the index holds %q: %d, %v", word, raw, err)
			}
			for _, q := range []string{word, word + " "} {
				hits, err := s.Search(bg, Query{Text: q})
				if err != nil {
					t.Fatalf("Search(%q): %v", q, err)
				}
				if len(hits) != 1 || hits[0].ID != sn.ID {
					t.Errorf("Search(%q) found %d snippets, want the one whose prompt holds the word", q, len(hits))
				}
				if n, err := s.Count(bg, Query{Text: q}); err != nil || n != 1 {
					t.Errorf("Count(%q) = %d, %v; want 1", q, n, err)
				}
			}
		})
	}
}
