// Package dataset is the studio's SQLite store of prompt/tree pairs.
//
// It keeps snippets (prompt, canonical Hyperlambda, tree hash, status,
// tags, train/validation split), every edited version, generation attempts,
// regression pairs (a failed output and its corrected tree), runs and the
// compiler's cache, in one WAL-mode database file with full-text search
// over prompts and code (built with the sqlite_fts5 tag). It imports
// folders of .hl files, watches them, writes snippets back as .hl files,
// and exports fine-tuning JSONL (OpenAI chat, ShareGPT, Alpaca) with a
// deterministic split, validation of the file and an Ollama Modelfile.
//
// All SQL of the project lives here: the compiler and the studio use the
// typed methods of Store. This package never imports ui.
package dataset
