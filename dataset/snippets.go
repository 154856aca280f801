package dataset

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Status is a snippet's curation state.
type Status string

const (
	StatusDraft    Status = "draft"
	StatusApproved Status = "approved"
	StatusRejected Status = "rejected"
)

// ParseStatus checks a status given by a person (flag, form).
func ParseStatus(s string) (Status, error) {
	switch st := Status(strings.ToLower(strings.TrimSpace(s))); st {
	case StatusDraft, StatusApproved, StatusRejected:
		return st, nil
	}
	return "", fmt.Errorf("unknown status %q: want draft, approved or rejected", s)
}

// Split is the fine-tuning split a snippet belongs to. SplitNone means
// "not chosen": export assigns it by a deterministic hash.
type Split string

const (
	SplitNone       Split = ""
	SplitTrain      Split = "train"
	SplitValidation Split = "validation"
	// SplitUnset is for a Filter only: the snippets without a stored split
	// (in a Filter, SplitNone matches any split). A snippet given it is
	// stored without a split.
	SplitUnset Split = "none"
)

// ParseSplit checks a split given by a person: "" is SplitNone (for a
// filter, any split) and "none" SplitUnset (for a filter, only the
// snippets without a split; for a snippet, no split either).
func ParseSplit(s string) (Split, error) {
	switch sp := Split(strings.ToLower(strings.TrimSpace(s))); sp {
	case SplitNone, SplitTrain, SplitValidation, SplitUnset:
		return sp, nil
	}
	return "", fmt.Errorf("unknown split %q: want train, validation or none", s)
}

// SourceGenerated is the Source of a snippet made from a generation
// attempt (AttemptID says which).
const SourceGenerated = "generated"

// Snippet is one prompt/tree pair.
type Snippet struct {
	ID     int64  `json:"id"`
	Prompt string `json:"prompt"`
	// Code is canonical Hyperlambda (hyperlambda.Format with comments);
	// AddSnippet and UpdateSnippet canonicalise what they are given.
	Code string `json:"code"`
	// TreeHash identifies the tree regardless of comments (see TreeHash).
	TreeHash string `json:"tree_hash"`
	Status   Status `json:"status"`
	Split    Split  `json:"split"`
	// Tags are sorted and unique. A folder tag like "crud/read" is matched
	// by filters for "crud/read" and "crud".
	Tags []string `json:"tags"`
	// Source is an imported file's absolute path (with forward slashes),
	// SourceGenerated, or empty for a snippet typed in the studio.
	Source    string `json:"source"`
	AttemptID int64  `json:"attempt_id"` // the generation attempt it came from, or 0
	Notes     string `json:"notes"`
	// Version counts edits: 1 when created, +1 each time UpdateSnippet
	// changes it. Earlier versions are listed by Versions.
	Version int       `json:"version"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// Version is an earlier state of a snippet, kept when it was edited.
type Version struct {
	SnippetID int64
	Version   int
	Prompt    string
	Code      string
	TreeHash  string
	Status    Status
	Split     Split
	Tags      []string
	Notes     string
	Saved     time.Time // when this version was replaced
}

// tagSep joins tags in one column; it cannot occur in a cleaned tag.
const tagSep = "\x1f"

// snippetCols must match scanSnippet.
const snippetCols = `s.id, s.prompt, s.code, s.tree_hash, s.status, s.split, s.source,
	coalesce(s.attempt_id, 0), s.notes, s.version, s.created, s.updated,
	coalesce((SELECT group_concat(tag, char(31)) FROM snippet_tags t WHERE t.snippet_id = s.id), '')`

type scanner interface{ Scan(...any) error }

func scanSnippet(r scanner, extra ...any) (Snippet, error) {
	var sn Snippet
	var status, split, tags string
	var created, updated int64
	dest := append([]any{&sn.ID, &sn.Prompt, &sn.Code, &sn.TreeHash, &status, &split, &sn.Source,
		&sn.AttemptID, &sn.Notes, &sn.Version, &created, &updated, &tags}, extra...)
	if err := r.Scan(dest...); err != nil {
		return sn, err
	}
	sn.Status, sn.Split = Status(status), Split(split)
	sn.Created, sn.Updated = fromMillis(created), fromMillis(updated)
	sn.Tags = splitTags(tags)
	return sn, nil
}

func splitTags(s string) []string {
	if s == "" {
		return nil
	}
	t := strings.Split(s, tagSep)
	slices.Sort(t)
	return t
}

// CleanTags trims, drops empty and repeated tags, turns backslashes and
// control characters into "/" and " ", and sorts.
func CleanTags(tags []string) []string {
	var out []string
	for _, t := range tags {
		t = strings.Map(func(r rune) rune {
			switch {
			case r == '\\':
				return '/'
			case r < ' ' || r == 0x7f:
				return ' '
			}
			return r
		}, t)
		t = strings.Trim(strings.TrimSpace(t), "/")
		if t != "" {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// prepare checks and canonicalises a snippet before it is written.
// plainText refuses text that is not UTF-8 or holds a NUL byte, naming
// what and where.
func plainText(what, s string) error {
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			return fmt.Errorf("%s is not UTF-8 text: byte 0x%02X at offset %d", what, s[i], i)
		case r == 0:
			return fmt.Errorf("%s holds a NUL byte at offset %d", what, i)
		}
	}
	return nil
}

func prepare(sn *Snippet) error {
	sn.Prompt = strings.TrimSpace(strings.ReplaceAll(sn.Prompt, "\r\n", "\n"))
	if sn.Prompt == "" {
		return errors.New("the prompt is empty")
	}
	// Text only, as the parser and the import take: a stored byte that is
	// not UTF-8 is exported as U+FFFD, and a file holding it is refused
	// by the import (audit 18).
	if err := plainText("the prompt", sn.Prompt); err != nil {
		return err
	}
	if err := plainText("the notes", sn.Notes); err != nil {
		return err
	}
	code, hash, err := Canonical(sn.Code)
	if err != nil {
		return fmt.Errorf("code: %w", err)
	}
	if strings.TrimSpace(code) == "" {
		return errors.New("the code is empty")
	}
	sn.Code, sn.TreeHash = code, hash
	if sn.Status == "" {
		sn.Status = StatusDraft
	}
	if _, err := ParseStatus(string(sn.Status)); err != nil {
		return err
	}
	split, err := ParseSplit(string(sn.Split))
	if err != nil {
		return err
	}
	if split == SplitUnset {
		split = SplitNone
	}
	sn.Split = split
	sn.Tags = CleanTags(sn.Tags)
	return nil
}

// AddSnippet stores a new snippet and returns it as stored (id, canonical
// code, tree hash, times). A missing status is draft.
func (s *Store) AddSnippet(ctx context.Context, sn Snippet) (Snippet, error) {
	if err := prepare(&sn); err != nil {
		return sn, err
	}
	err := s.tx(ctx, func(tx *wtx) error { return insertSnippet(ctx, tx, &sn, "") })
	return sn, err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// insertSnippet writes a prepared snippet; sourceHash is the imported
// file's content hash, if any.
func insertSnippet(ctx context.Context, tx *wtx, sn *Snippet, sourceHash string) error {
	t := now()
	sn.Created, sn.Updated, sn.Version = t, t, 1
	res, err := tx.ExecContext(ctx, `INSERT INTO snippets
		(prompt, prompt_norm, code, tree_hash, status, split, source, source_hash, attempt_id, notes, version, created, updated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
		sn.Prompt, NormalizePrompt(sn.Prompt), sn.Code, sn.TreeHash, sn.Status, sn.Split, sn.Source, sourceHash,
		nullID(sn.AttemptID), sn.Notes, toMillis(t), toMillis(t))
	if err != nil {
		return classify(err)
	}
	if sn.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	return writeTags(ctx, tx, sn.ID, sn.Tags)
}

func writeTags(ctx context.Context, tx *wtx, id int64, tags []string) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM snippet_tags WHERE snippet_id = ?", id); err != nil {
		return err
	}
	for _, tag := range tags {
		if _, err := tx.ExecContext(ctx, "INSERT INTO snippet_tags (snippet_id, tag) VALUES (?, ?)", id, tag); err != nil {
			return err
		}
	}
	return nil
}

// Snippet returns the snippet with the given id, or ErrNotFound.
func (s *Store) Snippet(ctx context.Context, id int64) (Snippet, error) {
	return getSnippet(ctx, s.db, id)
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func getSnippet(ctx context.Context, q querier, id int64) (Snippet, error) {
	sn, err := scanSnippet(q.QueryRowContext(ctx, "SELECT "+snippetCols+" FROM snippets s WHERE s.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return sn, fmt.Errorf("snippet %d: %w", id, ErrNotFound)
	}
	return sn, classify(err)
}

// UpdateSnippet saves an edited snippet (matched by ID). The state it
// replaces is kept as a Version first. Saving an unchanged snippet does
// nothing. It returns the snippet as stored.
func (s *Store) UpdateSnippet(ctx context.Context, sn Snippet) (Snippet, error) {
	if err := prepare(&sn); err != nil {
		return sn, err
	}
	var out Snippet
	err := s.tx(ctx, func(tx *wtx) error {
		old, err := getSnippet(ctx, tx, sn.ID)
		if err != nil {
			return err
		}
		out, _, err = updateSnippet(ctx, tx, old, sn, "")
		return err
	})
	return out, err
}

// sameContent reports whether an update would change nothing a person
// edits (times, version and id aside).
func sameContent(a, b Snippet) bool {
	return a.Prompt == b.Prompt && a.Code == b.Code && a.Status == b.Status && a.Split == b.Split &&
		slices.Equal(a.Tags, b.Tags) && a.Source == b.Source && a.AttemptID == b.AttemptID && a.Notes == b.Notes
}

// updateSnippet writes new over old (both prepared), keeping old as a
// version. It reports whether anything changed.
func updateSnippet(ctx context.Context, tx *wtx, old, sn Snippet, sourceHash string) (Snippet, bool, error) {
	if sameContent(old, sn) {
		if sourceHash != "" {
			if _, err := tx.ExecContext(ctx, "UPDATE snippets SET source_hash = ? WHERE id = ?", sourceHash, old.ID); err != nil {
				return old, false, err
			}
		}
		return old, false, nil
	}
	t := now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO snippet_versions
		(snippet_id, version, prompt, code, tree_hash, status, split, tags, notes, saved)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		old.ID, old.Version, old.Prompt, old.Code, old.TreeHash, old.Status, old.Split,
		strings.Join(old.Tags, tagSep), old.Notes, toMillis(t)); err != nil {
		return old, false, classify(err)
	}
	sn.ID, sn.Created, sn.Updated, sn.Version = old.ID, old.Created, t, old.Version+1
	if _, err := tx.ExecContext(ctx, `UPDATE snippets SET prompt = ?, prompt_norm = ?, code = ?, tree_hash = ?,
		status = ?, split = ?, source = ?, source_hash = coalesce(nullif(?, ''), source_hash), attempt_id = ?, notes = ?, version = ?, updated = ?
		WHERE id = ?`,
		sn.Prompt, NormalizePrompt(sn.Prompt), sn.Code, sn.TreeHash, sn.Status, sn.Split, sn.Source, sourceHash,
		nullID(sn.AttemptID), sn.Notes, sn.Version, toMillis(t), sn.ID); err != nil {
		return old, false, classify(err)
	}
	if !slices.Equal(old.Tags, sn.Tags) {
		if err := writeTags(ctx, tx, sn.ID, sn.Tags); err != nil {
			return old, false, err
		}
	}
	return sn, true, nil
}

// SetStatus changes a snippet's status (an edit: the previous state is
// kept as a version).
func (s *Store) SetStatus(ctx context.Context, id int64, status Status) (Snippet, error) {
	return s.edit(ctx, id, func(sn *Snippet) { sn.Status = status })
}

// edit applies fn to the stored snippet and saves the result.
func (s *Store) edit(ctx context.Context, id int64, fn func(*Snippet)) (Snippet, error) {
	var out Snippet
	err := s.tx(ctx, func(tx *wtx) error {
		old, err := getSnippet(ctx, tx, id)
		if err != nil {
			return err
		}
		sn := old
		sn.Tags = slices.Clone(old.Tags)
		fn(&sn)
		if err := prepare(&sn); err != nil {
			return err
		}
		out, _, err = updateSnippet(ctx, tx, old, sn, "")
		return err
	})
	return out, err
}

// DeleteSnippet removes a snippet with its versions, tags and regression
// pairs; attempts and runs that point at it are kept, unlinked.
func (s *Store) DeleteSnippet(ctx context.Context, id int64) error {
	return s.tx(ctx, func(tx *wtx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM snippets WHERE id = ?", id)
		if err != nil {
			return classify(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("snippet %d: %w", id, ErrNotFound)
		}
		return nil
	})
}

// Versions returns the earlier versions of a snippet, newest first. The
// current state is the snippet itself, not listed here.
func (s *Store) Versions(ctx context.Context, id int64) ([]Version, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT snippet_id, version, prompt, code, tree_hash, status, split, tags, notes, saved
		FROM snippet_versions WHERE snippet_id = ? ORDER BY version DESC`, id)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
		var status, split, tags string
		var saved int64
		if err := rows.Scan(&v.SnippetID, &v.Version, &v.Prompt, &v.Code, &v.TreeHash, &status, &split, &tags, &v.Notes, &saved); err != nil {
			return nil, err
		}
		v.Status, v.Split, v.Tags, v.Saved = Status(status), Split(split), splitTags(tags), fromMillis(saved)
		out = append(out, v)
	}
	return out, classify(rows.Err())
}

// RestoreVersion makes an earlier version current again. It is an edit
// like any other: the state it replaces is kept, so a restore can be
// undone by restoring that one.
func (s *Store) RestoreVersion(ctx context.Context, id int64, version int) (Snippet, error) {
	var v Version
	var status, split, tags string
	err := s.db.QueryRowContext(ctx, `SELECT prompt, code, status, split, tags, notes FROM snippet_versions
		WHERE snippet_id = ? AND version = ?`, id, version).Scan(&v.Prompt, &v.Code, &status, &split, &tags, &v.Notes)
	if errors.Is(err, sql.ErrNoRows) {
		return Snippet{}, fmt.Errorf("snippet %d has no version %d: %w", id, version, ErrNotFound)
	}
	if err != nil {
		return Snippet{}, classify(err)
	}
	return s.edit(ctx, id, func(sn *Snippet) {
		sn.Prompt, sn.Code, sn.Status, sn.Split, sn.Tags, sn.Notes = v.Prompt, v.Code, Status(status), Split(split), splitTags(tags), v.Notes
	})
}
