// Package hyperlambda is the Hyperlambda language: the node model, the text
// format (Parse and the canonical Format, with or without comments), the
// typed values and lambda expressions. It knows nothing of slots, policies
// or the studio; it imports nothing of the project.
//
// Behaviour follows the 2025 reference implementation (polterguy/magic) as
// recorded in testdata/conformance, which the tests replay case by case.
// A tree is a synthetic root (name "", value nil) whose children are the
// top-level nodes; Format takes a list of nodes, usually root.Children().
//
// # Where this package deliberately differs from the reference
//
// Every deviation is either an error where the reference crashes or
// silently changes what was written, or quoting where the reference writes
// text that does not parse back. docs/differences.md lists them all with
// the reasoning; in short:
//
//   - An indented first line, or a line indented below a comment line that
//     has nothing to attach to, is a syntax error (ErrNoParent); the
//     reference crashes ("Sequence contains no elements").
//   - The stray-colon rule: `url:string:http://x` or an unquoted timestamp
//     after a type is an error (ErrStrayColon); the reference splits the
//     line into two nodes, the second a root-level node with an empty name.
//   - `foo:int:` at the very end of the input reads like `foo:int:` before a
//     line break (here: a conversion error; `foo:string:` is ""), where the
//     reference stores the type's name as a string value.
//   - Text after a quoted name other than spaces before the colon
//     (`"foo"bar`) is an error (ErrGarbage); the reference reads it as a
//     type or a value.
//   - `/*/` is an unterminated comment, not a crash.
//   - An empty `//` comment on an indented line followed by an unindented
//     node: the node is top-level (the reference makes it a child).
//   - In comment mode, "is this a comment?" is decided by how the node was
//     written, not by its name, so an ordinary node named ".." may have
//     children.
//   - Format quotes names that start with "//", "/*", "'" or a BOM, or that
//     hold a lone CR, and escapes backslashes inside quoted names; it quotes
//     values that start or end with any white space (the parser trims all of
//     it); it writes a ".." node as a comment only when the comment reads
//     back as the same text (an empty comment becomes `..:`). So canonical
//     text always parses back, and formatting it again changes nothing.
//   - Dates with an explicit offset become kind Local in DateZone (UTC by
//     default), not in the machine's zone, so canonical text does not depend
//     on the machine.
//   - Expressions: `#` on a non-node value and `-`/`+` on a parentless node
//     yield nothing instead of null entries that crash later; `[n]` with one
//     number is an error when the expression is parsed.
//
// Limits: ParseOptions.MaxSize bounds the input (ErrMaxSize) and
// ParseOptions.MaxDepth the nesting (ErrMaxDepth); every error is a
// *SyntaxError with a line and column (errors.As), never a panic.
package hyperlambda
