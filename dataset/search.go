package dataset

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Filter selects snippets; zero fields match everything.
type Filter struct {
	Status []Status // any of these
	// Tags must all match; a tag matches itself and the tags below it
	// ("crud" matches "crud/read").
	Tags []string
	// Split is train or validation; SplitUnset selects the snippets
	// without a stored split, and SplitNone matches any.
	Split  Split
	Source string // a prefix of Source, e.g. a folder path or "generated"
	Since  time.Time
	Until  time.Time // updated before
}

// where returns the SQL conditions (on alias s) and their arguments.
// Prefixes are compared in characters, as SQLite's substr counts them
// (length(?) of the text, not Go's byte length: "données" is 7
// characters and 8 bytes).
func (f Filter) where() ([]string, []any) {
	var conds []string
	var args []any
	if len(f.Status) > 0 {
		conds = append(conds, "s.status IN (?"+strings.Repeat(", ?", len(f.Status)-1)+")")
		for _, st := range f.Status {
			args = append(args, string(st))
		}
	}
	for _, tag := range CleanTags(f.Tags) {
		conds = append(conds, "EXISTS (SELECT 1 FROM snippet_tags t WHERE t.snippet_id = s.id AND (t.tag = ? OR substr(t.tag, 1, length(?)) = ?))")
		args = append(args, tag, tag+"/", tag+"/")
	}
	switch f.Split {
	case SplitNone:
	case SplitUnset:
		conds = append(conds, "s.split = ''")
	default:
		conds, args = append(conds, "s.split = ?"), append(args, string(f.Split))
	}
	if f.Source != "" {
		conds, args = append(conds, "substr(s.source, 1, length(?)) = ?"), append(args, f.Source, f.Source)
	}
	if !f.Since.IsZero() {
		conds, args = append(conds, "s.updated >= ?"), append(args, toMillis(f.Since))
	}
	if !f.Until.IsZero() {
		conds, args = append(conds, "s.updated < ?"), append(args, toMillis(f.Until))
	}
	return conds, args
}

// Query is a library search: words to find in prompts and code (ranked),
// a filter, and a page.
type Query struct {
	// Text is matched word by word: every word must occur in the prompt or
	// the code, the last one as a prefix (search as you type). Empty text
	// lists the filtered snippets, most recently updated first.
	Text   string
	Filter Filter
	Limit  int // 0 = 50
	Offset int
}

// Hit is one search result.
type Hit struct {
	Snippet
	// Rank is SQLite's bm25 score: lower is better; 0 without Text.
	Rank float64
	// Duplicates counts other snippets with the same tree hash or the same
	// normalised prompt (see Store.Duplicates).
	Duplicates int
}

// Prompt words count three times as much as code words in the ranking:
// people search for what a snippet does.
const rankExpr = "bm25(snippets_fts, 3.0, 1.0)"

// wordsRankExpr ranks matches in the index of words as written alike.
const wordsRankExpr = "bm25(snippets_words, 3.0, 1.0)"

const dupExpr = `(SELECT count(*) FROM snippets d WHERE d.id <> s.id AND (d.tree_hash = s.tree_hash OR (d.prompt_norm = s.prompt_norm AND s.prompt_norm <> '')))`

// Search returns the snippets matching q, best first.
func (s *Store) Search(ctx context.Context, q Query) ([]Hit, error) {
	conds, args := q.Filter.where()
	tq := parseText(q.Text)
	if strings.TrimSpace(q.Text) != "" && tq.empty() {
		return nil, nil // only punctuation: nothing can match
	}
	// The page is chosen first from ids and ranks alone; the columns (tags,
	// duplicate counts) are then read for that page only, not for every
	// match the ranking had to sort.
	var page string
	if !tq.empty() {
		m, margs := tq.matches(true)
		page = "SELECT s.id, m.rank AS rank FROM (" + m + ") m JOIN snippets s ON s.id = m.id"
		args = append(margs, args...)
		if len(conds) > 0 {
			page += " WHERE " + strings.Join(conds, " AND ")
		}
		page += " ORDER BY rank, s.id"
	} else {
		page = "SELECT s.id, 0.0 AS rank FROM snippets s"
		if len(conds) > 0 {
			page += " WHERE " + strings.Join(conds, " AND ")
		}
		page += " ORDER BY s.updated DESC, s.id DESC"
	}
	page += " LIMIT ? OFFSET ?"
	args = append(args, limitOr(q.Limit, 50), max(q.Offset, 0))
	query := "SELECT " + snippetCols + ", p.rank, " + dupExpr + " FROM (" + page + ") p JOIN snippets s ON s.id = p.id"
	if !tq.empty() {
		query += " ORDER BY p.rank, s.id"
	} else {
		query += " ORDER BY s.updated DESC, s.id DESC"
	}
	return queryAll(ctx, s.db, query, args, func(r scanner) (Hit, error) {
		var h Hit
		var err error
		h.Snippet, err = scanSnippet(r, &h.Rank, &h.Duplicates)
		return h, err
	})
}

// Count returns how many snippets match q (ignoring its page).
func (s *Store) Count(ctx context.Context, q Query) (int, error) {
	conds, args := q.Filter.where()
	tq := parseText(q.Text)
	sql := "SELECT count(*) FROM snippets s"
	if !tq.empty() {
		m, margs := tq.matches(false)
		sql = "SELECT count(*) FROM (" + m + ") m JOIN snippets s ON s.id = m.id"
		args = append(margs, args...)
	} else if strings.TrimSpace(q.Text) != "" {
		return 0, nil
	}
	if len(conds) > 0 {
		sql += " WHERE " + strings.Join(conds, " AND ")
	}
	var n int
	err := s.db.QueryRowContext(ctx, sql, args...).Scan(&n)
	return n, classify(err)
}

// textQuery is the text of a search split for the two full-text indexes:
// the finished words are matched against the stemmed index (so "reading"
// finds "reads"), the word being typed, a prefix, against the index of
// words as written, where every prefix of a word finds it ("genera" finds
// "generate", which the stemmed index holds as "gener", and "runn" finds
// "running", held as "run"). A prefix of stemPrefixLen characters or more
// is also matched stemmed, as a finished word is, so that "generate"
// still finds "generating".
type textQuery struct {
	words  []string // quoted FTS5 strings
	prefix string   // quoted, without the *; "" when the text ends in a space
}

// stemPrefixLen: below four letters, a prefix stemmed adds nothing the
// words as written do not find, and matching it twice would double the
// cost of the first keys typed, which match the most rows.
const stemPrefixLen = 4

func parseText(text string) textQuery {
	var tq textQuery
	for _, t := range ftsTerms(text, false) {
		if p, ok := strings.CutSuffix(t, "*"); ok {
			tq.prefix = p
		} else {
			tq.words = append(tq.words, t)
		}
	}
	return tq
}

func (tq textQuery) empty() bool { return len(tq.words) == 0 && tq.prefix == "" }

// matches returns a query of the ids of the snippets matching tq, with
// their rank (bm25: lower is better) when ranked, and its arguments.
// Matched stemmed, the finished words and the prefix are one query, ranked
// as before there was a second index. The matches found only through the
// words as written are ranked by their finished words (or, for a prefix
// alone, by the prefix in that index): ranking the prefix there too would
// mean ranking every snippet it matches, most of the set for a prefix of
// a letter or two, to order a few. A snippet matched both ways takes the
// better rank, which is the stemmed one, counting the prefix too.
func (tq textQuery) matches(ranked bool) (string, []any) {
	stemRank, wordRank := "0.0", "0.0"
	if ranked {
		stemRank, wordRank = rankExpr, wordsRankExpr
	}
	stemmed := "SELECT rowid AS id, " + stemRank + " AS rank FROM snippets_fts WHERE snippets_fts MATCH ?"
	words := strings.Join(tq.words, " ")
	if tq.prefix == "" {
		return stemmed, []any{words}
	}
	prefix := tq.prefix + "*"
	q := "SELECT rowid AS id, " + wordRank + " AS rank FROM snippets_words WHERE snippets_words MATCH ?"
	args := []any{prefix}
	if len(tq.words) > 0 {
		// The prefix's matches are read once (MATERIALIZED): otherwise
		// SQLite runs its full-text query again for every row.
		q = "WITH p AS MATERIALIZED (SELECT rowid AS id FROM snippets_words WHERE snippets_words MATCH ?)" +
			" SELECT w.id, w.rank FROM (" + stemmed + ") w WHERE +w.id IN p"
		args = []any{prefix, words}
	}
	if utf8.RuneCountInString(tq.prefix)-2 < stemPrefixLen {
		return q, args
	}
	return "SELECT id, min(rank) AS rank FROM (" + stemmed + " UNION ALL SELECT id, rank FROM (" + q + ")) GROUP BY id",
		append([]any{strings.TrimSpace(words + " " + prefix)}, args...)
}

// Similar returns up to k approved snippets whose prompts best match
// prompt, for few-shot examples and for offline suggestions. Any
// shared word counts (the ranking sorts them out); very common words are
// left out of the query.
func (s *Store) Similar(ctx context.Context, prompt string, k int) ([]Snippet, error) {
	if k <= 0 {
		return nil, nil
	}
	terms, err := s.distinctiveTerms(ctx, ftsTerms(prompt, true))
	if err != nil || len(terms) == 0 {
		return nil, err
	}
	// Prompts are matched against prompts: that is what a few-shot example
	// is chosen by.
	match := "{prompt} : (" + strings.Join(terms, " OR ") + ")"
	// The best-ranked prompts first, from the index alone (FTS5 keeps the
	// top of the ranking without joining every match); the status filter
	// then applies to a short list. Only when too few of those are
	// approved does the full ranking run.
	const shortList = 64
	hits, err := queryAll(ctx, s.db, "SELECT "+snippetCols+" FROM (SELECT rowid AS id, rank FROM snippets_fts"+
		" WHERE snippets_fts MATCH ? ORDER BY rank LIMIT ?) p"+
		" JOIN snippets s ON s.id = p.id WHERE s.status = 'approved' ORDER BY p.rank, s.id LIMIT ?",
		[]any{match, shortList, k}, func(r scanner) (Snippet, error) { return scanSnippet(r) })
	if err != nil || len(hits) == k {
		return hits, err
	}
	return queryAll(ctx, s.db, "SELECT "+snippetCols+" FROM (SELECT s.id, "+rankExpr+" AS rank"+
		" FROM snippets_fts JOIN snippets s ON s.id = snippets_fts.rowid"+
		" WHERE snippets_fts MATCH ? AND s.status = 'approved' ORDER BY rank, s.id LIMIT ?) p"+
		" JOIN snippets s ON s.id = p.id ORDER BY p.rank, s.id",
		[]any{match, k}, func(r scanner) (Snippet, error) { return scanSnippet(r) })
}

// Duplicates returns the other snippets that look like the same example as
// snippet id: the same tree hash, or the same normalised prompt.
func (s *Store) Duplicates(ctx context.Context, id int64) ([]Snippet, error) {
	return queryAll(ctx, s.db, "SELECT "+snippetCols+` FROM snippets s, snippets o
		WHERE o.id = ? AND s.id <> o.id AND (s.tree_hash = o.tree_hash OR (s.prompt_norm = o.prompt_norm AND o.prompt_norm <> ''))
		ORDER BY s.id`, []any{id}, func(r scanner) (Snippet, error) { return scanSnippet(r) })
}

// Each calls fn for every snippet matching f, in id order, reading one row
// at a time so memory stays flat however many there are. fn's error stops
// the walk and is returned.
func (s *Store) Each(ctx context.Context, f Filter, fn func(*Snippet) error) error {
	conds, args := f.where()
	sql := "SELECT " + snippetCols + " FROM snippets s"
	if len(conds) > 0 {
		sql += " WHERE " + strings.Join(conds, " AND ")
	}
	rows, err := s.db.QueryContext(ctx, sql+" ORDER BY s.id", args...)
	if err != nil {
		return classify(err)
	}
	defer rows.Close()
	for rows.Next() {
		sn, err := scanSnippet(rows)
		if err != nil {
			return err
		}
		if err := fn(&sn); err != nil {
			return err
		}
	}
	return classify(rows.Err())
}

// stopWords are left out of Similar's query: they match nearly every
// prompt and only slow the ranking down.
var stopWords = map[string]bool{
	"a": true, "an": true, "and": true, "are": true, "as": true, "at": true, "be": true, "by": true,
	"do": true, "for": true, "from": true, "how": true, "i": true, "in": true, "is": true, "it": true,
	"me": true, "my": true, "of": true, "on": true, "or": true, "that": true, "the": true, "this": true,
	"to": true, "with": true, "you": true, "can": true, "please": true, "write": true, "show": true,
}

// ftsQuery turns free text into an FTS5 query that cannot be a syntax
// error: each word becomes a quoted string. With any, words are joined by
// OR (best overlap); otherwise all must match and the last is a prefix.
func ftsQuery(text string, any bool) string {
	if any {
		return strings.Join(ftsTerms(text, true), " OR ")
	}
	return strings.Join(ftsTerms(text, false), " ")
}

// ftsTerms returns the words of text as quoted FTS5 strings, each once;
// with any, stop words are left out, otherwise the last word is a prefix.
func ftsTerms(text string, any bool) []string {
	// Words are cut at what is not a letter or digit, but keep their case
	// and characters: FTS5 folds and splits each quoted word with the
	// tokenizer that indexed the text, while Go's newer Unicode lowercased
	// or split some words (Cherokee, Georgian capitals) into what was
	// never indexed (audit 18).
	words := strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.IsMark(r)
	})
	seen := map[string]bool{}
	var parts []string
	for i, w := range words {
		key := strings.ToLower(w)
		if seen[key] || (any && stopWords[key]) {
			continue
		}
		seen[key] = true
		p := `"` + w + `"`
		if !any && i == len(words)-1 && !endsInSpace(text) {
			p += "*"
		}
		parts = append(parts, p)
		if len(parts) == 32 { // long prompts: the first words carry enough
			break
		}
	}
	return parts
}

// distinctiveTerms drops the terms found in more than a quarter of the
// prompts, keeping at least the two rarest: bm25 gives such terms almost
// no weight, yet ranking every prompt they match is what makes an OR
// query slow on a large set. Counting a term's prompts is cheap.
func (s *Store) distinctiveTerms(ctx context.Context, terms []string) ([]string, error) {
	if len(terms) <= 2 {
		return terms, nil
	}
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM snippets").Scan(&total); err != nil {
		return nil, classify(err)
	}
	if total < 2000 { // small sets rank fast; every term helps recall there
		return terms, nil
	}
	type counted struct {
		term string
		n    int
	}
	var cs []counted
	for _, t := range terms {
		var n int
		if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM snippets_fts WHERE snippets_fts MATCH ?", "{prompt} : "+t).Scan(&n); err != nil {
			return nil, classify(err)
		}
		if n > 0 {
			cs = append(cs, counted{t, n})
		}
	}
	slices.SortStableFunc(cs, func(a, b counted) int { return a.n - b.n })
	var out []string
	for i, c := range cs {
		if i < 2 || c.n <= total/4 {
			out = append(out, c.term)
		}
	}
	return out, nil
}

// endsInSpace: a finished word is not a prefix ("data " wants "data").
func endsInSpace(s string) bool {
	return s != "" && unicode.IsSpace(rune(s[len(s)-1]))
}
