package compiler

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"hlstudio/assets"
	"hlstudio/dataset"
	"hlstudio/whitelist"
)

// Prompt is the assembled conversation sent to the model, kept whole so
// the person can see exactly what the model was told.
type Prompt struct {
	System   string    // primer, the policy's vocabulary and the mode's output rules
	Examples []Example // retrieved approved snippets, as few-shot turns
	User     string    // the person's request
	// SystemHash identifies System: part of the compile cache key, so a
	// changed primer, vocabulary or mode never returns a stale tree.
	SystemHash string
	// Hash identifies the whole assembled prompt; stored with every attempt.
	Hash string
}

// Example is one retrieved snippet shown to the model.
type Example struct {
	SnippetID int64
	Prompt    string
	Code      string
}

// Messages is the prompt as chat messages, ending with the request.
func (p *Prompt) Messages(mode Mode) []Message {
	msgs := []Message{{Role: "system", Content: p.System}}
	for _, e := range p.Examples {
		answer := e.Code
		if mode == ModeTree {
			answer = RowsJSON(e.Code)
		}
		msgs = append(msgs, Message{Role: "user", Content: e.Prompt}, Message{Role: "assistant", Content: answer})
	}
	return append(msgs, Message{Role: "user", Content: p.User})
}

// String is the prompt as a person reads it.
func (p *Prompt) String() string {
	var b strings.Builder
	b.WriteString("## system\n\n" + p.System + "\n")
	for _, e := range p.Examples {
		fmt.Fprintf(&b, "\n## example (snippet %d)\n\nuser: %s\n\nassistant:\n%s\n", e.SnippetID, e.Prompt, e.Code)
	}
	b.WriteString("\n## request\n\n" + p.User + "\n")
	return b.String()
}

// systemPrompt is the primer, the vocabulary the policy allows with each
// slot's signature, and the mode's output rules.
func systemPrompt(vocab whitelist.Vocabulary, policy *whitelist.Policy, mode Mode) string {
	var sys strings.Builder
	sys.WriteString(strings.TrimSpace(assets.Primer))
	sys.WriteString("\n\n# Slots you may use (policy " + policy.Name + ")\n")
	for _, name := range vocab.Names() {
		sig, _ := vocab.Signature(name)
		if sig.AliasOf != "" || !policy.Allows(name, sig).Allowed {
			continue
		}
		sys.WriteString("- " + describeSlot(sig) + "\n")
	}
	sys.WriteString("\n# Output\n")
	if mode == ModeTree {
		sys.WriteString("Answer with JSON: {\"rows\": [...]}, one row per node in program order, each " +
			"{\"depth\": 0 for top-level nodes and one more for each level of nesting, \"name\", " +
			"\"type\": \"\" for untyped text or one of the value types, \"value\": the value as text}.\n")
	} else {
		sys.WriteString("Answer with the Hyperlambda program only: no explanation, no code fences.\n")
	}
	return sys.String()
}

// assemble builds the prompt: the system prompt, up to k approved
// snippets similar to the request as few-shot turns, and the request.
func assemble(system string, mode Mode, user string, examples []dataset.Snippet) *Prompt {
	p := &Prompt{System: system, User: strings.TrimSpace(user), SystemHash: hashOf(system)}
	for _, s := range examples {
		p.Examples = append(p.Examples, Example{SnippetID: s.ID, Prompt: s.Prompt, Code: s.Code})
	}
	var all strings.Builder
	for _, m := range p.Messages(mode) {
		all.WriteString(m.Role + "\x00" + m.Content + "\x00")
	}
	p.Hash = hashOf(all.String())
	return p
}

// describeSlot is one vocabulary line: name, value, arguments, doc.
func describeSlot(sig *whitelist.Signature) string {
	var b strings.Builder
	b.WriteString("`" + sig.Name)
	switch {
	case sig.Value.Required && sig.Value.Expr:
		b.WriteString(":x:…")
	case sig.Value.Required:
		b.WriteString(":…")
	}
	b.WriteString("`")
	for _, a := range sig.Args {
		b.WriteString(" [" + a.Name)
		if a.Type != "" {
			b.WriteString(":" + a.Type)
		}
		if a.Required {
			b.WriteString(", required")
		}
		b.WriteString("]")
	}
	if sig.Doc != "" {
		b.WriteString(": " + sig.Doc)
	}
	return b.String()
}

func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
