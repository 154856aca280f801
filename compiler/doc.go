// Package compiler turns a person's prompt into a Hyperlambda tree.
//
// It talks to a local Ollama server (list and pull models, stream chat
// completions), assembles the prompt (system prompt with the active policy's
// vocabulary, few-shot examples retrieved from approved dataset snippets, the
// user's request), decodes the answer in text or grammar-constrained tree
// mode, and verifies it: a tree that does not parse, names an unknown slot or
// binds outside the policy is sent back with the error for repair. Every
// attempt is recorded, and a compile cache returns a known tree without
// calling the model.
//
// The model is an untrusted compiler frontend: nothing here widens a policy.
// This package never imports ui.
package compiler
