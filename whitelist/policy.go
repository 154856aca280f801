package whitelist

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"hlstudio/hyperlambda"
)

// Budgets bound one run. Zero means the default of DefaultBudgets.
type Budgets struct {
	Steps       int64         // slot invocations
	Time        time.Duration // wall time
	Nodes       int64         // nodes created by the run (clone, add, parse)
	Depth       int           // eval nesting and tree depth
	OutputBytes int64         // bytes of strings and results the run produces
}

// DefaultBudgets apply where a policy does not say.
var DefaultBudgets = Budgets{Steps: 1_000_000, Time: 5 * time.Second, Nodes: 1_000_000, Depth: 256, OutputBytes: 16 << 20}

// withDefaults fills unset budgets.
func (b Budgets) withDefaults() Budgets {
	d := DefaultBudgets
	if b.Steps > 0 {
		d.Steps = b.Steps
	}
	if b.Time > 0 {
		d.Time = b.Time
	}
	if b.Nodes > 0 {
		d.Nodes = b.Nodes
	}
	if b.Depth > 0 {
		d.Depth = b.Depth
	}
	if b.OutputBytes > 0 {
		d.OutputBytes = b.OutputBytes
	}
	return d
}

// min of two budgets: the tighter of each.
func (b Budgets) min(o Budgets) Budgets {
	return Budgets{
		Steps: min(b.Steps, o.Steps), Time: min(b.Time, o.Time), Nodes: min(b.Nodes, o.Nodes),
		Depth: min(b.Depth, o.Depth), OutputBytes: min(b.OutputBytes, o.OutputBytes),
	}
}

// rule is one allow or deny entry: an exact slot name, a family pattern
// ("strings.*", "*"), or an effect class ("every slot whose effects are
// within this set").
type rule struct {
	text    string
	exact   string
	prefix  string // for "family.*"; "" with all=true for "*"
	all     bool
	effects *Effect
}

// matches reports whether the rule names the slot. An effect rule allows
// a slot whose effects all fall within its own, and denies a slot with any
// of its effects (effects:pure denies the slots without effects): deny
// effects:write-files must not let io.file.copy (read and write) through,
// nor deny the pure slots (audit 22).
func (r rule) matches(name string, sig *Signature, deny bool) bool {
	switch {
	case r.effects != nil && deny:
		if sig == nil {
			return false
		}
		if *r.effects == Pure {
			return sig.Effects == Pure
		}
		return sig.Effects&*r.effects != 0
	case r.effects != nil:
		return sig != nil && sig.Effects&^*r.effects == 0
	case r.all:
		return true
	case r.prefix != "":
		return strings.HasPrefix(name, r.prefix)
	}
	return name == r.exact
}

// Policy says which slots a tree may bind to, and with which budgets.
// Deny by default: a slot is allowed only when an allow rule matches it and
// no deny rule does. A policy built by Intersect allows what all its parts
// allow, so nesting can only narrow.
type Policy struct {
	Name        string
	Description string
	Budgets     Budgets // with defaults filled in
	Hash        string  // sha256 of the canonical text; identifies the policy in run records

	allow, deny []rule
	parts       []*Policy // set for intersections
	constraints Constraints
}

// Decision is the answer for one slot.
type Decision struct {
	Allowed bool
	Reason  string // why not, in words, naming the policy (empty when allowed)
	Rule    string // the allow rule that matched
}

// Allows decides whether the slot with this name (and signature, nil for
// an unknown slot) may be bound.
func (p *Policy) Allows(name string, sig *Signature) Decision {
	if len(p.parts) > 0 {
		for _, part := range p.parts {
			if d := part.Allows(name, sig); !d.Allowed {
				return Decision{Reason: d.Reason + " (within " + p.Name + ")"}
			}
		}
		return Decision{Allowed: true, Rule: "every part of " + p.Name}
	}
	for _, r := range p.deny {
		if r.matches(name, sig, true) {
			return Decision{Reason: fmt.Sprintf("%s is denied by policy %s (deny %s)", name, p.Name, r.text)}
		}
	}
	for _, r := range p.allow {
		if r.matches(name, sig, false) {
			// No text is built here: the check runs on every keystroke.
			return Decision{Allowed: true, Rule: r.text}
		}
	}
	reason := fmt.Sprintf("%s is not allowed by policy %s", name, p.Name)
	if sig != nil && sig.Effects != Pure {
		reason += fmt.Sprintf(": it has effects %s", sig.Effects)
	}
	return Decision{Reason: reason}
}

// Narrows reports whether p is q (or has its content) or an intersection
// that includes every policy q is built from, so that p allows nothing q
// denies: intersecting them again changes nothing.
func (p *Policy) Narrows(q *Policy) bool {
	// The same content is the same policy, loaded twice or not.
	if p == q || p.Hash != "" && p.Hash == q.Hash {
		return true
	}
	mine := p.leafHashes()
	for _, l := range q.leaves() {
		if !mine[l.Hash] {
			return false
		}
	}
	return true
}

// Covers reports whether p grants at least what q grants, so that code
// under q can do nothing code under p cannot: every policy p is built
// from that restricts (allows less than every slot, denies some, or has
// constraints) is one q is built from too, and every one q is built from that grants a
// reach by its constraints (files, HTTP, data, config, identity, clock:
// deny by default, so without them a policy reaches nothing there) is one
// p is built from. Budgets are not authority: trusted capped by the
// studio's budget settings covers trusted, and the reverse. Two policies
// loaded apart that differ (sandbox and trusted, sandbox and pure) cover
// neither, nor do trusted and an app policy with config of its own.
func (p *Policy) Covers(q *Policy) bool {
	if p.RestrictsMoreThan(q) {
		return false
	}
	mine := p.leafHashes()
	for _, l := range q.leaves() {
		if l.constraints.opinion() && !mine[l.Hash] {
			return false
		}
	}
	return true
}

// RestrictsMoreThan reports whether p is built from a policy that
// restricts (see Covers) and that q is not built from: code written under
// p may be trusted less than code under q.
func (p *Policy) RestrictsMoreThan(q *Policy) bool {
	if p == q || p.Hash != "" && p.Hash == q.Hash {
		return false
	}
	theirs := q.leafHashes()
	for _, l := range p.leaves() {
		if l.restricts() && !theirs[l.Hash] {
			return true
		}
	}
	return false
}

// AuthorityKey is the same text for policies of the same authority (each
// covering the other): the sorted hashes of the policies p is built from
// that restrict or grant something. Trusted and the budget cap add none.
func (p *Policy) AuthorityKey() string {
	var hs []string
	for _, l := range p.leaves() {
		if l.restricts() || l.constraints.opinion() {
			hs = append(hs, l.Hash)
		}
	}
	sort.Strings(hs)
	return strings.Join(hs, "+")
}

// SameAuthority reports whether p and q grant the same: each covers the
// other (they differ at most in budgets).
func SameAuthority(p, q *Policy) bool {
	return p == q || p.Hash != "" && p.Hash == q.Hash || p.Covers(q) && q.Covers(p)
}

// leaves are the policies p is built from: itself, or an intersection's
// parts (intersections are kept flat).
func (p *Policy) leaves() []*Policy {
	if len(p.parts) > 0 {
		return p.parts
	}
	return []*Policy{p}
}

func (p *Policy) leafHashes() map[string]bool {
	m := map[string]bool{}
	for _, l := range p.leaves() {
		m[l.Hash] = true
	}
	return m
}

// restricts: no allow rule for every name, a deny rule, or any constraint:
// in an intersection a policy with constraints takes away every section
// it leaves out and narrows the others (audit 11), and a fixed clock takes
// the real time away.
func (p *Policy) restricts() bool {
	for _, r := range p.allow {
		if r.all {
			return len(p.deny) > 0 || p.constraints.opinion()
		}
	}
	return true
}

// Intersect returns a policy allowing only what both allow, with the
// tighter of each budget. It is how a nested whitelist narrows the active
// policy: it can never grant what the outer one denies. Intersections are
// flat sets of the policies they are built from (by content, in one
// order): however code nests [whitelist] and calls slots made under other
// policies, a policy stays as large as the distinct policies in it (a
// tree doubled with each call; audit 10), and the same set is the same
// policy (one hash).
func Intersect(outer, inner *Policy) *Policy {
	if outer.Narrows(inner) {
		return outer
	}
	seen := map[string]bool{}
	var parts []*Policy
	var names []string
	for _, l := range append(append([]*Policy(nil), outer.leaves()...), inner.leaves()...) {
		if !seen[l.Hash] {
			seen[l.Hash] = true
			parts = append(parts, l)
			names = append(names, l.Name)
		}
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i].Hash < parts[j].Hash })
	hashes := make([]string, len(parts))
	budgets := parts[0].Budgets
	for i, l := range parts {
		hashes[i] = l.Hash
		budgets = budgets.min(l.Budgets)
	}
	return &Policy{
		Name:    strings.Join(names, "∩"),
		Budgets: budgets,
		Hash:    hashText("intersect\n" + strings.Join(hashes, "\n")),
		parts:   parts,
	}
}

// Error is a policy file problem at a position.
type Error struct {
	File string
	Pos  hyperlambda.Pos
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	if e.Pos.IsValid() {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Pos.Line, e.Pos.Col, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// Parse reads a policy written in Hyperlambda (a comment goes on a line
// of its own):
//
//	name:sandbox
//	description:Computation and the run's log
//	allow
//	   // every slot without effects, a family, an exact name
//	   effects:pure
//	   log.*
//	   signal
//	deny
//	   // deny wins over allow; by effect, every slot with it
//	   eval
//	   effects:network
//	budgets
//	   steps:long:100000
//	   time-ms:int:2000
//	   nodes:long:100000
//	   depth:int:64
//	   output-bytes:long:1048576
//	constraints
//	   clock:date:"2026-01-01T00:00:00.000Z"
//	   config
//	      app.name:demo
//
// file names the source in errors.
func Parse(file string, src []byte) (*Policy, error) {
	root, err := hyperlambda.Parse(src, hyperlambda.ParseOptions{})
	if err != nil {
		var se *hyperlambda.SyntaxError
		if errors.As(err, &se) {
			return nil, &Error{File: file, Pos: se.Pos, Msg: se.Msg, Err: err}
		}
		return nil, &Error{File: file, Msg: err.Error(), Err: err}
	}
	p := &Policy{Hash: hashText(hyperlambda.Format(root.Children(), hyperlambda.FormatOptions{}))}
	bad := func(n *hyperlambda.Node, format string, args ...any) error {
		return &Error{File: file, Pos: n.Pos, Msg: fmt.Sprintf(format, args...)}
	}
	var budgets Budgets
	if err := repeatedEntry(file, root.Children(), false, "allow", "deny"); err != nil {
		return nil, err
	}
	for _, n := range root.Children() {
		switch n.Name {
		case "name":
			p.Name, _ = n.Value.(string)
		case "description":
			var ok bool
			if p.Description, ok = n.Value.(string); !ok && n.Value != nil {
				return nil, bad(n, "description needs text, e.g. description:\"Computation only\"")
			}
		case "allow", "deny":
			if n.Value != nil {
				return nil, bad(n, "%s takes its slots as children, one per line, not a value", n.Name)
			}
			for _, c := range n.Children() {
				r, err := parseRule(c, n.Name == "allow")
				if err != nil {
					return nil, bad(c, "%v", err)
				}
				if n.Name == "allow" {
					p.allow = append(p.allow, r)
				} else {
					p.deny = append(p.deny, r)
				}
			}
		case "budgets":
			if n.Value != nil {
				return nil, bad(n, "budgets takes its budgets as children, e.g. steps:long:100000, not a value")
			}
			if err := repeatedEntry(file, n.Children(), false); err != nil {
				return nil, err
			}
			for _, c := range n.Children() {
				v, ok := integer(c.Value)
				if !ok || v <= 0 {
					return nil, bad(c, "budget %s needs a positive integer value, e.g. %s:long:1000", c.Name, c.Name)
				}
				switch c.Name {
				case "steps":
					budgets.Steps = v
				case "time-ms":
					// Beyond this the product overflows a Duration and would
					// silently fall back to the default.
					if v > maxTimeMS {
						return nil, bad(c, "budget time-ms is at most %d (about 292 years)", maxTimeMS)
					}
					budgets.Time = time.Duration(v) * time.Millisecond
				case "nodes":
					budgets.Nodes = v
				case "depth":
					budgets.Depth = int(v)
				case "output-bytes":
					budgets.OutputBytes = v
				default:
					return nil, bad(c, "unknown budget %q; known budgets are steps, time-ms, nodes, depth, output-bytes", c.Name)
				}
			}
		case "constraints":
			c, err := parseConstraints(file, n)
			if err != nil {
				return nil, err
			}
			p.constraints = c
		default:
			return nil, bad(n, "unknown policy entry %q; a policy has name, description, allow, deny, budgets and constraints", n.Name)
		}
	}
	if p.Name == "" {
		return nil, &Error{File: file, Pos: hyperlambda.Pos{Line: 1, Col: 1}, Msg: "a policy needs a name, e.g. name:sandbox"}
	}
	p.Budgets = budgets.withDefaults()
	return p, nil
}

// parseRule reads one pattern of an allow (allow) or deny list.
func parseRule(n *hyperlambda.Node, allow bool) (rule, error) {
	if n.Len() > 0 {
		return rule{}, fmt.Errorf("slot pattern %q takes no children", n.Name)
	}
	if n.Name == "effects" {
		s, ok := n.Value.(string)
		if !ok || strings.TrimSpace(s) == "" {
			// Not read as effects:pure (audit 22): in deny, that denied
			// every pure slot.
			return rule{}, errors.New("effects needs effect names, e.g. effects:pure,logs")
		}
		e, err := ParseEffects(s)
		if err != nil {
			return rule{}, err
		}
		text := "effects:" + e.String()
		if allow && e != Pure {
			// An allowed set of effects admits the slots with none too:
			// the reason given for a pure slot names them.
			text = "effects:pure," + e.String()
		}
		return rule{text: text, effects: &e}, nil
	}
	if n.Value != nil {
		return rule{}, fmt.Errorf("slot pattern %q takes no value", n.Name)
	}
	name := n.Name
	switch {
	case name == "":
		return rule{}, fmt.Errorf("empty slot name")
	case strings.ContainsFunc(name, unicode.IsSpace):
		// "eval // never" or "eval " named no slot and denied nothing
		// (audit 22): comments go on lines of their own.
		return rule{}, fmt.Errorf("slot pattern %q holds a space: slot names have none, and a comment goes on a line of its own", name)
	case name == "*":
		return rule{text: name, all: true}, nil
	case strings.HasSuffix(name, ".*") && !strings.Contains(strings.TrimSuffix(name, "*"), "*"):
		return rule{text: name, prefix: strings.TrimSuffix(name, "*")}, nil
	case strings.Contains(name, "*"):
		return rule{}, fmt.Errorf("pattern %q: a '*' may only end a family pattern such as strings.*", name)
	}
	return rule{text: name, exact: name}, nil
}

func integer(v any) (int64, bool) {
	switch x := v.(type) {
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint32:
		return int64(x), true
	case string:
		// The whole text: Sscan read "1e9" as 1 and "5s" as 5 (audit 22).
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return n, err == nil
	}
	return 0, false
}

func hashText(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Exactly returns a policy allowing exactly the named slots (no patterns,
// no effect classes), with default budgets. [whitelist] builds its inner
// policy with it.
func Exactly(name string, slots []string) *Policy {
	p := &Policy{Name: name, Budgets: Budgets{}.withDefaults()}
	for _, s := range slots {
		p.allow = append(p.allow, rule{text: s, exact: s})
	}
	// Quoted: a name holding a line break must not hash like two names.
	// Each kind of policy hashes its own kind of text (a file's is its
	// canonical text): "the same hash" means the same policy (Narrows).
	p.Hash = hashText(fmt.Sprintf("exactly\n%q %q", name, slots))
	return p
}

// maxTimeMS is the largest time-ms budget a time.Duration can hold.
const maxTimeMS = int64(1<<63-1) / int64(time.Millisecond)

// repeatedEntry refuses a name given twice among nodes, at the second:
// the last one would silently replace what a reader saw first (audit 22:
// a second identity, table grant or budget won). fold compares names
// case-insensitively; skip names may repeat.
func repeatedEntry(file string, nodes []*hyperlambda.Node, fold bool, skip ...string) error {
	seen := map[string]bool{}
	for _, n := range nodes {
		if slices.Contains(skip, n.Name) {
			continue
		}
		key := n.Name
		if fold {
			key = strings.ToLower(key)
		}
		if seen[key] {
			return &Error{File: file, Pos: n.Pos, Msg: fmt.Sprintf("%s given twice: the second would replace the first", n.Name)}
		}
		seen[key] = true
	}
	return nil
}
