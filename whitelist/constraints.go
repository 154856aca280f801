package whitelist

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"hlstudio/hyperlambda"
)

// Constraints are what a policy says about the arguments of the slots it
// allows, beyond whether they may bind at all. Slots read them from the
// run's policy at dispatch; nothing in a tree can change them.
type Constraints struct {
	// Clock, when set, is the time every clock slot reads, so a run can be
	// replayed and compared byte for byte.
	Clock *time.Time
	// Config is what config.get may read: a per-policy key/value map,
	// never the process environment.
	Config map[string]string

	// Effects are the constraints of the slots with effects outside the
	// run (files, HTTP, databases): see constraints_effects.go.
	Effects EffectConstraints
}

// parseConstraints reads a policy's constraints section:
//
//	constraints
//	   clock:date:"2026-01-01T00:00:00.000Z"
//	   config
//	      app.name:demo
func parseConstraints(file string, n *hyperlambda.Node) (Constraints, error) {
	var c Constraints
	bad := func(n *hyperlambda.Node, format string, args ...any) error {
		return &Error{File: file, Pos: n.Pos, Msg: fmt.Sprintf(format, args...)}
	}
	for _, e := range n.Children() {
		switch e.Name {
		case "clock":
			d, ok := e.Value.(hyperlambda.Date)
			if !ok {
				return c, bad(e, `clock needs a date value, e.g. clock:date:"2026-01-01T00:00:00.000Z"`)
			}
			t := d.Time
			c.Clock = &t
		case "config":
			c.Config = map[string]string{}
			for _, kv := range e.Children() {
				if kv.Name == "" || kv.Value == nil {
					return c, bad(kv, "a config entry needs a name and a value, e.g. app.name:demo")
				}
				if _, dup := c.Config[kv.Name]; dup {
					return c, bad(kv, "config key %q given twice", kv.Name)
				}
				c.Config[kv.Name] = hyperlambda.StringOf(kv.Value)
			}
		default:
			handled, err := parseEffectConstraint(file, e, &c.Effects)
			if err != nil {
				return c, err
			}
			if !handled {
				return c, bad(e, "unknown constraint %q; known constraints are %s", e.Name, knownConstraints)
			}
		}
	}
	return c, nil
}

// Constraints returns the constraints in force under p. For an
// intersection they narrow: a fixed clock of any part holds (the first
// one), and config keeps only the keys every part that has a config
// agrees on. A part without constraints (a nested [whitelist]) adds none.
func (p *Policy) Constraints() Constraints {
	if len(p.parts) == 0 {
		return p.constraints
	}
	var out Constraints
	configs := 0
	for _, part := range p.parts {
		c := part.Constraints()
		if out.Clock == nil {
			out.Clock = c.Clock
		}
		out.Effects = narrowEffects(out.Effects, c.Effects)
		if c.Config == nil {
			continue
		}
		configs++
		if configs == 1 {
			out.Config = c.Config
			continue
		}
		agreed := map[string]string{}
		for k, v := range out.Config {
			if w, ok := c.Config[k]; ok && w == v {
				agreed[k] = v
			}
		}
		out.Config = agreed
	}
	return out
}

// ConfigKeys lists the config keys in force, sorted (for error messages).
func (c Constraints) ConfigKeys() string {
	keys := make([]string, 0, len(c.Config))
	for k := range c.Config {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}
