package whitelist

import (
	"fmt"
	"sort"
	"strings"
)

// Effect is what a slot can do beyond computing on its own node. Slots with
// no effects are pure. Effects are declared by each slot's signature and
// are what a policy can allow by class ("every pure slot").
type Effect uint16

const (
	ReadFiles  Effect = 1 << iota // reads files inside the policy's roots
	WriteFiles                    // creates, changes or deletes files
	Network                       // talks to other hosts
	DBRead                        // reads a database
	DBWrite                       // writes a database
	Time                          // reads the clock
	Random                        // reads randomness
	SpawnsCode                    // runs code not written in its own children (computed names, eval of data, dynamic slots)
	Logs                          // writes the run's log
)

// Pure is the empty effect set.
const Pure Effect = 0

var effectNames = []struct {
	e    Effect
	name string
}{
	{ReadFiles, "read-files"}, {WriteFiles, "write-files"}, {Network, "network"},
	{DBRead, "db-read"}, {DBWrite, "db-write"}, {Time, "time"}, {Random, "random"},
	{SpawnsCode, "spawns-code"}, {Logs, "logs"},
}

// String lists the effects by name, comma separated; "pure" for none.
func (e Effect) String() string {
	if e == Pure {
		return "pure"
	}
	var parts []string
	for _, n := range effectNames {
		if e&n.e != 0 {
			parts = append(parts, n.name)
		}
	}
	return strings.Join(parts, ",")
}

// ParseEffects reads a comma-separated list of effect names ("pure" is
// the empty set).
func ParseEffects(s string) (Effect, error) {
	var e Effect
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" || part == "pure" {
			continue
		}
		found := false
		for _, n := range effectNames {
			if n.name == part {
				e |= n.e
				found = true
			}
		}
		if !found {
			names := []string{"pure"}
			for _, n := range effectNames {
				names = append(names, n.name)
			}
			return 0, fmt.Errorf("unknown effect %q; known effects are %s", part, strings.Join(names, ", "))
		}
	}
	return e, nil
}

// Role says what a slot does with children that are not named arguments.
type Role uint8

const (
	NoChildren Role = iota // children are not expected
	Code                   // children are statements the slot evaluates
	Data                   // children are data the slot reads or copies
	Arguments              // children are arguments passed on (e.g. to a dynamic slot)
	// Entries: children are evaluated, and so are the children of each
	// (io.content.zip-stream: an entry's name, its content computed).
	Entries
)

func (r Role) String() string {
	return [...]string{"none", "code", "data", "arguments", "entries"}[r]
}

// Arg is one named argument (a child node with that name).
type Arg struct {
	Name     string
	Type     string // a Hyperlambda type name, "" for any
	Required bool
	Code     bool // the argument's children are evaluated as code (e.g. .lambda)
	Doc      string
}

// ValueSpec describes a slot's own value.
type ValueSpec struct {
	Type     string // expected type after following expressions; "" any
	Required bool
	Expr     bool // an expression is allowed (and followed)
	Doc      string
}

// Signature declares a slot once: the engine unpacks and checks arguments
// from it, the static checker labels trees with it, the compiler lists it
// in the model's vocabulary, and `hlstudio slots` prints it.
type Signature struct {
	Name     string
	Doc      string
	Value    ValueSpec
	Args     []Arg
	Children Role // for children not named in Args
	Effects  Effect
	// Dynamic marks slots whose target is only known at run time (signal
	// of a computed name, eval of an expression): the checker labels them
	// dynamic, the guard checks what they reach when they reach it.
	Dynamic bool
	// OptionsBesideValue: the declared arguments are options only beside
	// a value (lambda2hyper's [comments], lambda2json's [format]); with
	// no value the slot works on its children, and every child is data,
	// whatever its name.
	OptionsBesideValue bool
	// AliasOf names the slot this one repeats under another name (the
	// reference's sqlite.read is data.read here): it is checked, granted
	// and run like any slot, but the model's vocabulary lists only the
	// original, so a prompt does not carry both.
	AliasOf string
	// Signals lists the slots this one signals by name itself while it
	// runs (markdown2html reads front matter through yaml2lambda). The
	// guard checks each when the slot reaches it, as any dispatch; the
	// checker marks the node dynamic, naming the slot, when the policy
	// would refuse one, so the refusal is not a surprise at run time.
	Signals []Signal
}

// Signal is a slot a slot signals itself, and when it does.
type Signal struct {
	Slot string
	When string // e.g. "for YAML front matter"
}

// Arg returns the named argument, if declared.
func (s *Signature) Arg(name string) (Arg, bool) {
	for _, a := range s.Args {
		if a.Name == name {
			return a, true
		}
	}
	return Arg{}, false
}

// String prints the signature in Hyperlambda-like form for people and
// for the model's vocabulary listing.
func (s *Signature) String() string {
	var b strings.Builder
	b.WriteString(s.Name)
	if s.Value.Type != "" || s.Value.Required || s.Value.Expr {
		b.WriteString(":")
		t := s.Value.Type
		if t == "" {
			t = "any"
		}
		if s.Value.Expr {
			t += "|x"
		}
		if !s.Value.Required {
			t += "?"
		}
		b.WriteString("<" + t + ">")
	}
	fmt.Fprintf(&b, "  [%s]", s.Effects)
	if s.Doc != "" {
		b.WriteString("  " + s.Doc)
	}
	args := append([]Arg(nil), s.Args...)
	sort.SliceStable(args, func(i, j int) bool { return args[i].Required && !args[j].Required })
	for _, a := range args {
		b.WriteString("\n   " + a.Name)
		t := a.Type
		if t == "" {
			t = "any"
		}
		if a.Code {
			t = "code"
		}
		if !a.Required {
			t += "?"
		}
		b.WriteString(":<" + t + ">")
		if a.Doc != "" {
			b.WriteString("  " + a.Doc)
		}
	}
	if s.Children != NoChildren {
		b.WriteString("\n   ...children: " + s.Children.String())
	}
	for _, sg := range s.Signals {
		b.WriteString("\n   ...signals [" + sg.Slot + "] " + sg.When)
	}
	return b.String()
}

// Vocabulary is what the checker needs from a slot registry.
type Vocabulary interface {
	Signature(name string) (*Signature, bool)
	Names() []string
}
