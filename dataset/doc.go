// Package dataset is the studio's SQLite store of prompt/tree pairs.
//
// It keeps snippets (prompt, canonical Hyperlambda, tree hash, status,
// tags, train/validation split), every edited version, generation attempts,
// regression pairs (a failed output and its corrected tree) and runs, in one
// WAL-mode database file with full-text search over prompts and code (built
// with the sqlite_fts5 tag). It imports folders of .hl files and exports
// fine-tuning JSONL (OpenAI chat, ShareGPT, Alpaca) with a deterministic
// split, validation of the file and an Ollama Modelfile.
//
// This package never imports ui; the studio reaches it through interfaces.
package dataset

// The SQLite driver is pinned here until the store is written.
import _ "github.com/mattn/go-sqlite3"
