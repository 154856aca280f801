package whitelist

import (
	"fmt"
	"strings"

	"hlstudio/hyperlambda"
)

// Label is what the static check says about one node.
type Label uint8

const (
	LabelData            Label = iota // not executed: a value, an argument, data
	LabelAllowed                      // a slot the policy allows
	LabelDenied                       // a slot the policy denies (the run would stop here)
	LabelUnknownSlot                  // no slot has this name: invented, misspelt, or a reference slot not provided here
	LabelDynamic                      // allowed, but what it reaches is only known at run time
	LabelUnknownArgument              // a child the slot does not declare (a warning)
)

var labelNames = [...]string{"data", "allowed", "denied", "unknown-slot", "dynamic", "unknown-argument"}

func (l Label) String() string { return labelNames[l] }

// Blocking reports whether the label stops approval of a tree.
func (l Label) Blocking() bool { return l == LabelDenied || l == LabelUnknownSlot }

// Finding is the label of one node and why.
type Finding struct {
	Node   *hyperlambda.Node
	Label  Label
	Reason string // why, in words; for allowed slots see Rule
	Rule   string // for allowed slots: the policy's allow rule that matched
}

// Check labels every node under root (a parsed tree's synthetic root) in
// pre-order, with the same policy the runtime guard applies. It is advice
// for the person; the guard is the enforcement.
func Check(root *hyperlambda.Node, vocab Vocabulary, policy *Policy) []Finding {
	c := checker{vocab: vocab, policy: policy}
	// One allocation of the right size: the check runs on every keystroke.
	size := 0
	root.Walk(func(*hyperlambda.Node) bool { size++; return true })
	c.out = make([]Finding, 0, size)
	c.code(root.Children())
	return c.out
}

type checker struct {
	vocab  Vocabulary
	policy *Policy
	narrow string // the hash of policy when a [whitelist] narrowed it, for reasons
	// narrowings are the policies [whitelist]s made, by vocabulary.
	narrowings map[string]*Policy
	out        []Finding
	reasons    map[string]string // denial and unknown-slot texts, built once per name
	guesses    int               // unknown names looked up for a near miss
}

func (c *checker) reason(name string, build func() string) string {
	key := name
	if c.narrow != "" {
		key = c.narrow + "\x00" + name // names are not empty: no clash with the outer policy's
	}
	if r, ok := c.reasons[key]; ok {
		return r
	}
	if c.reasons == nil {
		c.reasons = map[string]string{}
	}
	r := build()
	c.reasons[key] = r
	return r
}

// narrowed is the policy a [whitelist]'s lambda runs under, as the
// runtime makes it (engine slotWhitelist): the active policy intersected
// with the vocabulary's names, and a [signal]'s literal target.
func (c *checker) narrowed(n *hyperlambda.Node) *Policy {
	var names []string
	for _, ch := range n.Children() {
		if ch.Name != "vocabulary" {
			continue
		}
		for _, v := range ch.Children() {
			names = append(names, v.Name)
			if target, ok := v.Value.(string); ok && v.Name == "signal" && target != "" {
				names = append(names, target)
			}
		}
		// Generated trees repeat a [whitelist]: one policy per vocabulary.
		key := c.narrow + "\x00" + strings.Join(names, "\x00")
		if p, ok := c.narrowings[key]; ok {
			return p
		}
		if c.narrowings == nil {
			c.narrowings = map[string]*Policy{}
		}
		p := Intersect(c.policy, Exactly("whitelist", names))
		c.narrowings[key] = p
		return p
	}
	return nil
}

// maxGuesses bounds the unknown names one check looks for near misses of,
// so that a tree of thousands of distinct invented names stays quick.
const maxGuesses = 64

// unknownSlot says why no slot answers to name (see UnknownSlotReason).
func (c *checker) unknownSlot(name string) string {
	return c.reason(name, func() string {
		names := c.vocab.Names()
		if c.guesses++; c.guesses > maxGuesses {
			names = nil
		}
		return UnknownSlotReason(name, names)
	})
}

// code labels statements: nodes an [eval] would signal.
func (c *checker) code(nodes []*hyperlambda.Node) {
	for _, n := range nodes {
		c.statement(n)
	}
}

func (c *checker) statement(n *hyperlambda.Node) {
	{
		if n.Name == "" || n.Name[0] == '.' {
			// .catch and .finally after [try] are run; other dot-names are data.
			if ranByTry(n) {
				c.add(n, LabelData, "block run by the [try] before it")
				c.code(n.Children())
				return
			}
			c.data(n, "data: names starting with '.' are not executed")
			return
		}
		if sig := c.slot(n); sig != nil {
			c.arguments(n, sig)
		}
	}
}

// slot labels n, a statement, by its slot and the policy, and returns the
// slot's signature (nil for an unknown slot, whose children are labelled
// as code).
func (c *checker) slot(n *hyperlambda.Node) *Signature {
	{
		sig, ok := c.vocab.Signature(n.Name)
		if !ok {
			c.add(n, LabelUnknownSlot, c.unknownSlot(n.Name))
			c.code(n.Children())
			return nil
		}
		d := c.policy.Allows(n.Name, sig)
		switch {
		case !d.Allowed:
			c.add(n, LabelDenied, c.reason(n.Name, func() string { return d.Reason }))
		case sig.Dynamic || (n.Name == "eval" && n.Value != nil):
			c.add(n, LabelDynamic, "reaches code chosen at run time; the guard checks it then")
		case rewritesCode(n):
			c.add(n, LabelDynamic, "can turn nodes into statements that run later: the guard checks what runs then")
		default:
			// Effect constraints (paths, URLs, tables) seen in literals.
			if reason := c.policy.LiteralDenial(n, sig); reason != "" {
				c.add(n, LabelDenied, reason)
			} else if reason := c.refusedSignal(sig); reason != "" {
				c.add(n, LabelDynamic, reason)
			} else {
				c.out = append(c.out, Finding{Node: n, Label: LabelAllowed, Rule: d.Rule})
			}
		}
		return sig
	}
}

// refusedSignal says which slot a slot signals itself (Signature.Signals)
// the policy would refuse, and when: the guard stops the run there if it
// gets that far. Empty when every one is allowed.
func (c *checker) refusedSignal(sig *Signature) string {
	for _, sg := range sig.Signals {
		inner, ok := c.vocab.Signature(sg.Slot)
		if !ok {
			return fmt.Sprintf("signals [%s] itself %s, and no slot answers to that name here: the run stops there if it does", sg.Slot, sg.When)
		}
		if d := c.policy.Allows(sg.Slot, inner); !d.Allowed {
			return fmt.Sprintf("signals [%s] itself %s, which the guard refuses then: %s", sg.Slot, sg.When, d.Reason)
		}
	}
	return ""
}

// arguments labels a slot's children from its signature.
func (c *checker) arguments(n *hyperlambda.Node, sig *Signature) {
	if sig.Name == "whitelist" {
		// Its lambda runs under the narrowed policy: labelled under it
		// (audit 21: the outer policy's labels showed allowed what the
		// runtime then denied).
		if p := c.narrowed(n); p != nil {
			outer, outerKey := c.policy, c.narrow
			c.policy, c.narrow = p, p.Hash
			if p.Hash == "" {
				c.narrow = fmt.Sprintf("%p", p)
			}
			defer func() { c.policy, c.narrow = outer, outerKey }()
		}
	}
	for _, ch := range n.Children() {
		if a, ok := sig.Arg(ch.Name); ok {
			if a.Code {
				c.add(ch, LabelData, "argument holding code")
				c.code(ch.Children())
			} else {
				c.data(ch, "argument")
			}
			continue
		}
		switch sig.Children {
		case Code:
			c.statement(ch)
		case Entries:
			// The entry is evaluated, then its children (audit 21: they
			// ran while labelled data).
			if ch.Name == "" || ch.Name[0] == '.' {
				c.add(ch, LabelData, "an entry: its value is data, its children are evaluated")
			} else if c.slot(ch) == nil {
				continue // an unknown slot: its children are labelled code already
			}
			c.code(ch.Children())
		case Data, Arguments:
			c.data(ch, "data")
		default:
			c.add(ch, LabelUnknownArgument, fmt.Sprintf("%s takes no argument named [%s]", n.Name, ch.Name))
			c.dataChildren(ch, "under an unknown argument")
		}
	}
}

func (c *checker) data(n *hyperlambda.Node, reason string) {
	c.add(n, LabelData, reason)
	c.dataChildren(n, reason)
}

func (c *checker) dataChildren(n *hyperlambda.Node, reason string) {
	for _, ch := range n.Children() {
		c.data(ch, reason)
	}
}

func (c *checker) add(n *hyperlambda.Node, l Label, reason string) {
	c.out = append(c.out, Finding{Node: n, Label: l, Reason: reason})
}

// rewritesCode reports whether n, a core slot that renames or adds nodes,
// can make statements of data the check labelled, to run later in the
// same tree (audit 21: a [.foo] renamed to log.info ran): [set-name],
// [set-x], [insert-before], [insert-after] and [remove-nodes] always;
// [add] unless it
// adds to a data node named by @ (the common "add:x:@.result"), other
// than a dot-named block some slot runs.
func rewritesCode(n *hyperlambda.Node) bool {
	switch n.Name {
	case "set-name", "set-x", "insert-before", "insert-after", "remove-nodes":
		// remove-nodes too: taking a node away can put a .catch right
		// after a [try] (audit 24).
		return true
	case "add":
		x, ok := n.Value.(*hyperlambda.Expression)
		if !ok {
			return true
		}
		it, single := x.Single()
		if !single || !strings.HasPrefix(it, "@.") {
			return true
		}
		switch it[1:] {
		case ".lambda", ".catch", ".finally":
			return true
		}
	}
	return false
}

// ranByTry reports whether n is a [.catch] right after a [try], or a
// [.finally] right after one or after its [.catch]: only those run (a
// stray one is data, and its denied labels blocked approval of code that
// never runs; audit 21).
func ranByTry(n *hyperlambda.Node) bool {
	prev := n.Previous()
	switch n.Name {
	case ".catch":
		return prev != nil && prev.Name == "try"
	case ".finally":
		if prev != nil && prev.Name == ".catch" {
			prev = prev.Previous()
		}
		return prev != nil && prev.Name == "try"
	}
	return false
}
