package whitelist

import (
	"fmt"

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
	vocab   Vocabulary
	policy  *Policy
	out     []Finding
	reasons map[string]string // denial and unknown-slot texts, built once per name
	guesses int               // unknown names looked up for a near miss
}

func (c *checker) reason(name string, build func() string) string {
	if r, ok := c.reasons[name]; ok {
		return r
	}
	if c.reasons == nil {
		c.reasons = map[string]string{}
	}
	r := build()
	c.reasons[name] = r
	return r
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
			if n.Name == ".catch" || n.Name == ".finally" {
				c.add(n, LabelData, "block run by the [try] before it")
				c.code(n.Children())
				return
			}
			c.data(n, "data: names starting with '.' are not executed")
			return
		}
		sig, ok := c.vocab.Signature(n.Name)
		if !ok {
			c.add(n, LabelUnknownSlot, c.unknownSlot(n.Name))
			c.code(n.Children())
			return
		}
		d := c.policy.Allows(n.Name, sig)
		switch {
		case !d.Allowed:
			c.add(n, LabelDenied, c.reason(n.Name, func() string { return d.Reason }))
		case sig.Dynamic || (n.Name == "eval" && n.Value != nil):
			c.add(n, LabelDynamic, "reaches code chosen at run time; the guard checks it then")
		default:
			// Effect constraints (paths, URLs, tables) seen in literals.
			if reason := c.policy.LiteralDenial(n, sig); reason != "" {
				c.add(n, LabelDenied, reason)
			} else {
				c.out = append(c.out, Finding{Node: n, Label: LabelAllowed, Rule: d.Rule})
			}
		}
		c.arguments(n, sig)
	}
}

// arguments labels a slot's children from its signature.
func (c *checker) arguments(n *hyperlambda.Node, sig *Signature) {
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
