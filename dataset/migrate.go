package dataset

import (
	"context"
	"database/sql"
	"fmt"
)

// A migration moves the schema from version i to i+1 (its index plus one).
// Versions are kept in PRAGMA user_version. Migrations are append-only:
// once released, a step is never edited, so every older file upgrades
// through the same steps a new file is created with.
type migration struct {
	name string
	up   func(ctx context.Context, tx *sql.Tx) error
}

func sqlStep(stmts ...string) func(context.Context, *sql.Tx) error {
	return func(ctx context.Context, tx *sql.Tx) error {
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return err
			}
		}
		return nil
	}
}

var migrations = []migration{
	{"snippets, versions, attempts, regressions, runs", sqlStep(`
CREATE TABLE attempts (
	id           INTEGER PRIMARY KEY,
	created      INTEGER NOT NULL,
	prompt       TEXT NOT NULL,
	prompt_hash  TEXT NOT NULL,
	model        TEXT NOT NULL DEFAULT '',
	model_digest TEXT NOT NULL DEFAULT '',
	options      TEXT NOT NULL DEFAULT '{}',
	raw_output   TEXT NOT NULL DEFAULT '',
	error        TEXT NOT NULL DEFAULT '',
	duration_ms  INTEGER NOT NULL DEFAULT 0,
	tree         TEXT,
	tree_hash    TEXT NOT NULL DEFAULT ''
)`, `
CREATE INDEX attempts_prompt_hash ON attempts(prompt_hash)`, `
CREATE TABLE snippets (
	id         INTEGER PRIMARY KEY,
	prompt     TEXT NOT NULL,
	code       TEXT NOT NULL,
	tree_hash  TEXT NOT NULL,
	status     TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved', 'rejected')),
	split      TEXT NOT NULL DEFAULT '' CHECK (split IN ('', 'train', 'validation')),
	source     TEXT NOT NULL DEFAULT '',
	attempt_id INTEGER REFERENCES attempts(id) ON DELETE SET NULL,
	notes      TEXT NOT NULL DEFAULT '',
	version    INTEGER NOT NULL DEFAULT 1,
	created    INTEGER NOT NULL,
	updated    INTEGER NOT NULL
)`, `
CREATE INDEX snippets_tree_hash ON snippets(tree_hash)`, `
CREATE INDEX snippets_source ON snippets(source)`, `
CREATE INDEX snippets_updated ON snippets(updated)`, `
CREATE TABLE snippet_tags (
	snippet_id INTEGER NOT NULL REFERENCES snippets(id) ON DELETE CASCADE,
	tag        TEXT NOT NULL,
	PRIMARY KEY (snippet_id, tag)
) WITHOUT ROWID`, `
CREATE INDEX snippet_tags_tag ON snippet_tags(tag)`, `
CREATE TABLE snippet_versions (
	snippet_id INTEGER NOT NULL REFERENCES snippets(id) ON DELETE CASCADE,
	version    INTEGER NOT NULL,
	prompt     TEXT NOT NULL,
	code       TEXT NOT NULL,
	tree_hash  TEXT NOT NULL,
	status     TEXT NOT NULL,
	split      TEXT NOT NULL,
	tags       TEXT NOT NULL,
	notes      TEXT NOT NULL,
	saved      INTEGER NOT NULL,
	PRIMARY KEY (snippet_id, version)
)`, `
CREATE TABLE regressions (
	id         INTEGER PRIMARY KEY,
	snippet_id INTEGER NOT NULL REFERENCES snippets(id) ON DELETE CASCADE,
	attempt_id INTEGER REFERENCES attempts(id) ON DELETE SET NULL,
	bad        TEXT NOT NULL,
	good       TEXT NOT NULL,
	reason     TEXT NOT NULL DEFAULT '',
	created    INTEGER NOT NULL
)`, `
CREATE INDEX regressions_snippet ON regressions(snippet_id)`, `
CREATE TABLE runs (
	id          INTEGER PRIMARY KEY,
	created     INTEGER NOT NULL,
	tree_hash   TEXT NOT NULL,
	snippet_id  INTEGER REFERENCES snippets(id) ON DELETE SET NULL,
	policy_name TEXT NOT NULL,
	policy_hash TEXT NOT NULL,
	args        TEXT NOT NULL DEFAULT '',
	result      TEXT NOT NULL DEFAULT '',
	usage       TEXT NOT NULL DEFAULT '{}',
	denials     TEXT NOT NULL DEFAULT '[]',
	error       TEXT NOT NULL DEFAULT '',
	duration_ms INTEGER NOT NULL DEFAULT 0
)`, `
CREATE INDEX runs_tree_hash ON runs(tree_hash)`)},

	{"full-text search over prompts and code", sqlStep(`
CREATE VIRTUAL TABLE snippets_fts USING fts5(
	prompt, code,
	content = 'snippets', content_rowid = 'id',
	tokenize = 'porter unicode61 remove_diacritics 2'
)`, `
INSERT INTO snippets_fts(snippets_fts) VALUES ('rebuild')`, `
CREATE TRIGGER snippets_fts_insert AFTER INSERT ON snippets BEGIN
	INSERT INTO snippets_fts(rowid, prompt, code) VALUES (new.id, new.prompt, new.code);
END`, `
CREATE TRIGGER snippets_fts_delete AFTER DELETE ON snippets BEGIN
	INSERT INTO snippets_fts(snippets_fts, rowid, prompt, code) VALUES ('delete', old.id, old.prompt, old.code);
END`, `
CREATE TRIGGER snippets_fts_update AFTER UPDATE OF prompt, code ON snippets BEGIN
	INSERT INTO snippets_fts(snippets_fts, rowid, prompt, code) VALUES ('delete', old.id, old.prompt, old.code);
	INSERT INTO snippets_fts(rowid, prompt, code) VALUES (new.id, new.prompt, new.code);
END`)},

	{"near-duplicate prompts, source file hashes, compile cache, watched folders", func(ctx context.Context, tx *sql.Tx) error {
		if err := sqlStep(
			`ALTER TABLE snippets ADD COLUMN prompt_norm TEXT NOT NULL DEFAULT ''`,
			`ALTER TABLE snippets ADD COLUMN source_hash TEXT NOT NULL DEFAULT ''`,
			`CREATE TABLE compile_cache (
	key     TEXT PRIMARY KEY,
	tree    TEXT NOT NULL,
	created INTEGER NOT NULL
) WITHOUT ROWID`,
			`CREATE TABLE watched_folders (
	path           TEXT PRIMARY KEY,
	validation_dir TEXT NOT NULL DEFAULT 'validation',
	added          INTEGER NOT NULL
) WITHOUT ROWID`,
		)(ctx, tx); err != nil {
			return err
		}
		// The normal form is computed in Go, so existing rows are filled in
		// here rather than in SQL.
		rows, err := tx.QueryContext(ctx, "SELECT id, prompt FROM snippets")
		if err != nil {
			return err
		}
		type row struct {
			id     int64
			prompt string
		}
		var all []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.prompt); err != nil {
				rows.Close()
				return err
			}
			all = append(all, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range all {
			if _, err := tx.ExecContext(ctx, "UPDATE snippets SET prompt_norm = ? WHERE id = ?", NormalizePrompt(r.prompt), r.id); err != nil {
				return err
			}
		}
		return sqlStep(`CREATE INDEX snippets_prompt_norm ON snippets(prompt_norm)`)(ctx, tx)
	}},

	// The porter index stems words as it stores them ("generate" is kept
	// as "gener", "running" as "run"), so a word being typed stops
	// matching once it is longer than its stem ("genera", "runn"). This
	// index keeps the words as written; search matches the word being
	// typed against both. It is filled from the existing rows here. (FTS5's
	// prefix indexes, prefix = '2 3', would make the first keys typed about
	// 15% faster to search, for a quarter more import time and a quarter
	// more file: not worth it.)
	{"unstemmed full-text index, so that every prefix of a word finds it", sqlStep(`
CREATE VIRTUAL TABLE snippets_words USING fts5(
	prompt, code,
	content = 'snippets', content_rowid = 'id',
	tokenize = 'unicode61 remove_diacritics 2'
)`, `
INSERT INTO snippets_words(snippets_words) VALUES ('rebuild')`, `
CREATE TRIGGER snippets_words_insert AFTER INSERT ON snippets BEGIN
	INSERT INTO snippets_words(rowid, prompt, code) VALUES (new.id, new.prompt, new.code);
END`, `
CREATE TRIGGER snippets_words_delete AFTER DELETE ON snippets BEGIN
	INSERT INTO snippets_words(snippets_words, rowid, prompt, code) VALUES ('delete', old.id, old.prompt, old.code);
END`, `
CREATE TRIGGER snippets_words_update AFTER UPDATE OF prompt, code ON snippets BEGIN
	INSERT INTO snippets_words(snippets_words, rowid, prompt, code) VALUES ('delete', old.id, old.prompt, old.code);
	INSERT INTO snippets_words(rowid, prompt, code) VALUES (new.id, new.prompt, new.code);
END`)},

	// A run of an endpoint answers a request (verb, URL, client address,
	// headers, cookies) that request.* slots read: without it a recorded
	// run cannot be told apart from, or replayed as, the one it was.
	{"runs keep the request they answered", sqlStep(`
ALTER TABLE runs ADD COLUMN request TEXT NOT NULL DEFAULT ''`)},
}

// migrate brings the schema to version target (len(migrations) in
// production; tests stop earlier to build old files). All steps run in one
// transaction, so a failure leaves the file as it was.
func migrate(ctx context.Context, db *sql.DB, target int) error {
	var have int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return err
	}
	if have > len(migrations) {
		return fmt.Errorf("the file has schema version %d, %w (this one knows versions up to %d); update hlstudio or use another --db", have, ErrNewerSchema, len(migrations))
	}
	if have >= target {
		return nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Another process may have migrated while this one waited for the lock.
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return err
	}
	for v := have; v < target; v++ {
		if err := migrations[v].up(ctx, tx); err != nil {
			return fmt.Errorf("upgrading the schema to version %d (%s): %w", v+1, migrations[v].name, err)
		}
	}
	// PRAGMA takes no parameters; target is an int, so formatting is safe.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", target)); err != nil {
		return err
	}
	return tx.Commit()
}
