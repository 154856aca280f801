package dataset

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Attempt is one generation try: what was asked, of which model, what came
// back, and what the compiler made of it. Failed attempts are kept too;
// they are regression-snippet material.
type Attempt struct {
	ID          int64
	Created     time.Time // set by AddAttempt when zero
	Prompt      string
	PromptHash  string // set by AddAttempt when empty (PromptHash(Prompt))
	Model       string
	ModelDigest string
	// Options are the model options as JSON (temperature, seed, format...).
	Options    json.RawMessage
	RawOutput  string
	Error      string // parse or verify error; empty when the tree was accepted
	Duration   time.Duration
	Tree       string // the resulting tree as Hyperlambda; empty when none
	TreeHash   string // set by AddAttempt from Tree when empty
	HasTree    bool   // whether Tree was produced (an empty tree is a tree)
	SnippetRef int64  // read only: a snippet made from this attempt, or 0
}

func jsonOr(raw json.RawMessage, empty string) (string, error) {
	if len(raw) == 0 {
		return empty, nil
	}
	if !json.Valid(raw) {
		return "", fmt.Errorf("not valid JSON: %.60q", raw)
	}
	return string(raw), nil
}

// AddAttempt stores a generation attempt and returns its id.
func (s *Store) AddAttempt(ctx context.Context, a Attempt) (int64, error) {
	if a.Created.IsZero() {
		a.Created = now()
	}
	if a.PromptHash == "" {
		a.PromptHash = PromptHash(a.Prompt)
	}
	opts, err := jsonOr(a.Options, "{}")
	if err != nil {
		return 0, fmt.Errorf("attempt options: %w", err)
	}
	var tree any
	if a.HasTree || a.Tree != "" {
		tree = a.Tree
		if a.TreeHash == "" {
			if a.TreeHash, err = TreeHash(a.Tree); err != nil {
				return 0, fmt.Errorf("attempt tree: %w", err)
			}
		}
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO attempts
		(created, prompt, prompt_hash, model, model_digest, options, raw_output, error, duration_ms, tree, tree_hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		toMillis(a.Created), a.Prompt, a.PromptHash, a.Model, a.ModelDigest, opts, a.RawOutput, a.Error,
		a.Duration.Milliseconds(), tree, a.TreeHash)
	if err != nil {
		return 0, classify(err)
	}
	return res.LastInsertId()
}

const attemptCols = `a.id, a.created, a.prompt, a.prompt_hash, a.model, a.model_digest, a.options, a.raw_output,
	a.error, a.duration_ms, a.tree, a.tree_hash,
	coalesce((SELECT min(id) FROM snippets WHERE attempt_id = a.id), 0)`

func scanAttempt(r scanner) (Attempt, error) {
	var a Attempt
	var created, ms int64
	var opts string
	var tree sql.NullString
	err := r.Scan(&a.ID, &created, &a.Prompt, &a.PromptHash, &a.Model, &a.ModelDigest, &opts, &a.RawOutput,
		&a.Error, &ms, &tree, &a.TreeHash, &a.SnippetRef)
	a.Created, a.Duration = fromMillis(created), time.Duration(ms)*time.Millisecond
	a.Options = json.RawMessage(opts)
	a.Tree, a.HasTree = tree.String, tree.Valid
	return a, err
}

// Attempt returns one attempt by id.
func (s *Store) Attempt(ctx context.Context, id int64) (Attempt, error) {
	a, err := scanAttempt(s.db.QueryRowContext(ctx, "SELECT "+attemptCols+" FROM attempts a WHERE a.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("attempt %d: %w", id, ErrNotFound)
	}
	return a, classify(err)
}

// AttemptFilter selects attempts; zero fields match everything.
type AttemptFilter struct {
	Prompt     string // same normalised prompt
	Model      string
	FailedOnly bool // only attempts with an error
	Limit      int  // 0 = 100
}

// Attempts returns attempts, newest first.
func (s *Store) Attempts(ctx context.Context, f AttemptFilter) ([]Attempt, error) {
	var where []string
	var args []any
	if f.Prompt != "" {
		where, args = append(where, "a.prompt_hash = ?"), append(args, PromptHash(f.Prompt))
	}
	if f.Model != "" {
		where, args = append(where, "a.model = ?"), append(args, f.Model)
	}
	if f.FailedOnly {
		where = append(where, "a.error <> ''")
	}
	q := "SELECT " + attemptCols + " FROM attempts a"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY a.id DESC LIMIT ?"
	return queryAll(ctx, s.db, q, append(args, limitOr(f.Limit, 100)), scanAttempt)
}

func limitOr(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}

// queryAll runs a query and scans every row with scan.
func queryAll[T any](ctx context.Context, q querier, query string, args []any, scan func(scanner) (T, error)) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, classify(rows.Err())
}

// Regression is a failure and its fix: a bad tree (a failed attempt's
// output, or a tree a curator rejected) and the corrected tree.
type Regression struct {
	ID        int64
	SnippetID int64 // the snippet the fix belongs to (required)
	AttemptID int64 // the failed attempt, or 0
	// Bad is the failed output as text (it need not parse). When empty and
	// AttemptID is set, AddRegression takes the attempt's raw output.
	Bad string
	// Good is the corrected tree; when empty AddRegression takes the
	// snippet's code.
	Good    string
	Reason  string // e.g. "dropped the .lambda child", "invented slot"
	Created time.Time
}

// AddRegression stores a regression pair and returns its id.
func (s *Store) AddRegression(ctx context.Context, r Regression) (int64, error) {
	var id int64
	err := s.tx(ctx, func(tx *wtx) error {
		sn, err := getSnippet(ctx, tx, r.SnippetID)
		if err != nil {
			return err
		}
		if r.Bad == "" && r.AttemptID != 0 {
			if err := tx.QueryRowContext(ctx, "SELECT raw_output FROM attempts WHERE id = ?", r.AttemptID).Scan(&r.Bad); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return fmt.Errorf("attempt %d: %w", r.AttemptID, ErrNotFound)
				}
				return err
			}
		}
		if strings.TrimSpace(r.Bad) == "" {
			return errors.New("regression pair: the bad output is empty")
		}
		if r.Good == "" {
			r.Good = sn.Code
		} else if r.Good, _, err = Canonical(r.Good); err != nil {
			return fmt.Errorf("regression pair: corrected tree: %w", err)
		}
		if r.Created.IsZero() {
			r.Created = now()
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO regressions (snippet_id, attempt_id, bad, good, reason, created)
			VALUES (?, ?, ?, ?, ?, ?)`, r.SnippetID, nullID(r.AttemptID), r.Bad, r.Good, strings.TrimSpace(r.Reason), toMillis(r.Created))
		if err != nil {
			return classify(err)
		}
		id, err = res.LastInsertId()
		return err
	})
	return id, err
}

// SetRegressionReason changes the reason a curator gave for a pair.
func (s *Store) SetRegressionReason(ctx context.Context, id int64, reason string) error {
	res, err := s.db.ExecContext(ctx, "UPDATE regressions SET reason = ? WHERE id = ?", strings.TrimSpace(reason), id)
	if err != nil {
		return classify(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("regression %d: %w", id, ErrNotFound)
	}
	return nil
}

func scanRegression(r scanner) (Regression, error) {
	var g Regression
	var created int64
	err := r.Scan(&g.ID, &g.SnippetID, &g.AttemptID, &g.Bad, &g.Good, &g.Reason, &created)
	g.Created = fromMillis(created)
	return g, err
}

// Regressions returns the regression pairs of one snippet, or all of them
// when snippetID is 0, oldest first.
func (s *Store) Regressions(ctx context.Context, snippetID int64) ([]Regression, error) {
	q := "SELECT id, snippet_id, coalesce(attempt_id, 0), bad, good, reason, created FROM regressions"
	var args []any
	if snippetID != 0 {
		q, args = q+" WHERE snippet_id = ?", []any{snippetID}
	}
	return queryAll(ctx, s.db, q+" ORDER BY id", args, scanRegression)
}

// WithRegressions tells which of the snippets ids have a regression pair,
// in one query (the library marks a page of search hits with it).
func (s *Store) WithRegressions(ctx context.Context, ids []int64) (map[int64]bool, error) {
	out := make(map[int64]bool, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.db.QueryContext(ctx, "SELECT DISTINCT snippet_id FROM regressions WHERE snippet_id IN (?"+strings.Repeat(", ?", len(ids)-1)+")", args...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, classify(rows.Err())
}

// Run is one execution of a tree under a policy.
type Run struct {
	ID         int64
	Created    time.Time // set by AddRun when zero
	TreeHash   string
	SnippetID  int64 // the snippet run, or 0
	PolicyName string
	PolicyHash string
	Args       string          // the [.arguments] passed, as Hyperlambda
	Result     string          // the result as Hyperlambda or text
	Usage      json.RawMessage // budgets used, as JSON
	Denials    json.RawMessage // denied bindings, as a JSON array
	Error      string
	Duration   time.Duration
	// Request is the request the run answered, as JSON (verb, url, ip,
	// headers, cookies); "" for runs recorded before requests were kept.
	Request string
}

// AddRun stores a run and returns its id.
func (s *Store) AddRun(ctx context.Context, r Run) (int64, error) {
	if r.Created.IsZero() {
		r.Created = now()
	}
	usage, err := jsonOr(r.Usage, "{}")
	if err != nil {
		return 0, fmt.Errorf("run usage: %w", err)
	}
	denials, err := jsonOr(r.Denials, "[]")
	if err != nil {
		return 0, fmt.Errorf("run denials: %w", err)
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO runs
		(created, tree_hash, snippet_id, policy_name, policy_hash, args, result, usage, denials, error, duration_ms, request)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		toMillis(r.Created), r.TreeHash, nullID(r.SnippetID), r.PolicyName, r.PolicyHash, r.Args, r.Result,
		usage, denials, r.Error, r.Duration.Milliseconds(), r.Request)
	if err != nil {
		return 0, classify(err)
	}
	return res.LastInsertId()
}

// Runs returns the runs of a tree (by tree hash), or all runs when
// treeHash is empty, newest first.
func (s *Store) Runs(ctx context.Context, treeHash string, limit int) ([]Run, error) {
	q := `SELECT id, created, tree_hash, coalesce(snippet_id, 0), policy_name, policy_hash, args, result,
		usage, denials, error, duration_ms, request FROM runs`
	var args []any
	if treeHash != "" {
		q, args = q+" WHERE tree_hash = ?", []any{treeHash}
	}
	return queryAll(ctx, s.db, q+" ORDER BY id DESC LIMIT ?", append(args, limitOr(limit, 100)), func(r scanner) (Run, error) {
		var run Run
		var created, ms int64
		var usage, denials string
		err := r.Scan(&run.ID, &created, &run.TreeHash, &run.SnippetID, &run.PolicyName, &run.PolicyHash, &run.Args,
			&run.Result, &usage, &denials, &run.Error, &ms, &run.Request)
		run.Created, run.Duration = fromMillis(created), time.Duration(ms)*time.Millisecond
		run.Usage, run.Denials = json.RawMessage(usage), json.RawMessage(denials)
		return run, err
	})
}

// CacheGet returns the tree stored under a compile-cache key.
func (s *Store) CacheGet(ctx context.Context, key string) (tree string, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, "SELECT tree FROM compile_cache WHERE key = ?", key).Scan(&tree)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return tree, err == nil, classify(err)
}

// CachePut stores (or replaces) the tree for a compile-cache key.
func (s *Store) CachePut(ctx context.Context, key, tree string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO compile_cache (key, tree, created) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET tree = excluded.tree, created = excluded.created`, key, tree, toMillis(now()))
	return classify(err)
}

// CachePrune deletes cache entries stored before t and reports how many.
func (s *Store) CachePrune(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, "DELETE FROM compile_cache WHERE created < ?", toMillis(before))
	if err != nil {
		return 0, classify(err)
	}
	return res.RowsAffected()
}
