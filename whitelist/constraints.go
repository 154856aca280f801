package whitelist

import (
	"fmt"
	"slices"
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
	// Identity is the caller a run acts for, which auth.ticket.* read
	// (see Caller): nil when no policy names one, no username when the
	// parts of an intersection name different ones.
	Identity *Identity

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
	if n.Value != nil {
		return c, bad(n, "constraints takes its sections as children, not a value")
	}
	if err := repeatedEntry(file, n.Children(), false); err != nil {
		return c, err
	}
	for _, e := range n.Children() {
		switch e.Name {
		case "clock":
			d, ok := e.Value.(hyperlambda.Date)
			if !ok {
				return c, bad(e, `clock needs a date value, e.g. clock:date:"2026-01-01T00:00:00.000Z"`)
			}
			// To the millisecond, as the policy's text (and so its hash)
			// says it: two clocks apart by less are the same policy.
			t := d.Time.Truncate(time.Millisecond)
			c.Clock = &t
		case "identity":
			id, err := parseIdentity(e, bad)
			if err != nil {
				return c, err
			}
			c.Identity = id
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
// intersection they narrow. A part without any constraints (trusted, a
// nested [whitelist], the studio's budget cap) adds none; a part with some
// has its say on all of them, and a section it leaves out grants nothing
// there (constraints are deny by default): a slot a sandboxed run made,
// called by a run whose policy holds config secrets or an identity, does
// not get them (audit 10). A fixed clock of any part holds (parts are in
// one order: the first), config keeps only the keys every part agrees on,
// and an identity holds only if every part names the same (else the
// caller is anonymous).
func (p *Policy) Constraints() Constraints {
	if len(p.parts) == 0 {
		return p.constraints
	}
	var out Constraints
	first := true
	noFiles, noHTTP, noData, noConfig, noIdentity := false, false, false, false, false
	var databaseFiles []string // every part's, kept from io.* when no database is granted
	for _, part := range p.parts {
		c := part.Constraints()
		if !c.opinion() {
			continue
		}
		if c.Effects.Data != nil {
			databaseFiles = append(databaseFiles, c.Effects.Data.databaseFiles()...)
		}
		if out.Clock == nil {
			out.Clock = c.Clock
		}
		noFiles = noFiles || c.Effects.Files == nil
		noHTTP = noHTTP || c.Effects.HTTP == nil
		noData = noData || c.Effects.Data == nil
		noConfig = noConfig || c.Config == nil
		noIdentity = noIdentity || c.Identity == nil
		switch {
		case c.Identity == nil:
		case out.Identity == nil:
			out.Identity = c.Identity
		case !out.Identity.equal(c.Identity):
			// Parts disagree: anonymous, and it stays so through
			// further intersections (no username is never equal to one).
			out.Identity = &Identity{}
		}
		if first {
			out.Effects, out.Config, first = c.Effects, c.Config, false
			continue
		}
		out.Effects = narrowEffects(out.Effects, c.Effects)
		if out.Config != nil && c.Config != nil {
			agreed := map[string]string{}
			for k, v := range out.Config {
				if w, ok := c.Config[k]; ok && w == v {
					agreed[k] = v
				}
			}
			out.Config = agreed
		}
	}
	if noFiles {
		out.Effects.Files = nil
	}
	if noHTTP {
		out.Effects.HTTP = nil
	}
	if noData {
		// No database is granted, and every part's files stay out of io.*.
		out.Effects.Data = nil
		if len(databaseFiles) > 0 {
			out.Effects.Data = &DataConstraints{protected: databaseFiles}
		}
	}
	if noConfig {
		out.Config = nil
	}
	if noIdentity && out.Identity != nil {
		out.Identity = &Identity{} // one part names a caller, another none
	}
	return out
}

// opinion reports whether c says anything (see Constraints).
func (c Constraints) opinion() bool {
	return c.Clock != nil || c.Config != nil || c.Identity != nil ||
		c.Effects.Files != nil || c.Effects.HTTP != nil || c.Effects.Data != nil
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

// Caller is the identity a run acts for, nil for an anonymous caller.
func (c Constraints) Caller() *Identity {
	if c.Identity == nil || c.Identity.Username == "" {
		return nil
	}
	return c.Identity
}

// Identity is who a run acts for: a user name and its roles.
type Identity struct {
	Username string
	Roles    []string
}

// InRole reports whether the identity has any of roles.
func (id *Identity) InRole(roles []string) bool {
	for _, want := range roles {
		if slices.Contains(id.Roles, want) {
			return true
		}
	}
	return false
}

func (id *Identity) equal(o *Identity) bool {
	return id.Username == o.Username && slices.Equal(id.Roles, o.Roles)
}

// SplitRoles reads a comma-separated role list ("admin, user"): trimmed,
// empty items dropped.
func SplitRoles(s string) []string {
	var roles []string
	for _, r := range strings.Split(s, ",") {
		if r = strings.TrimSpace(r); r != "" {
			roles = append(roles, r)
		}
	}
	return roles
}

// parseIdentity reads
//
//	identity
//	   username:jane
//	   roles:admin,user
func parseIdentity(n *hyperlambda.Node, bad func(*hyperlambda.Node, string, ...any) error) (*Identity, error) {
	id := &Identity{}
	seen := map[string]bool{}
	for _, c := range n.Children() {
		if seen[c.Name] {
			return nil, bad(c, "%s given twice: the second would replace the first", c.Name)
		}
		seen[c.Name] = true
		switch c.Name {
		case "username":
			id.Username = strings.TrimSpace(hyperlambda.StringOf(c.Value))
		case "roles":
			id.Roles = SplitRoles(hyperlambda.StringOf(c.Value))
		default:
			return nil, bad(c, "unknown identity entry %q; an identity has a username and roles, e.g. roles:admin,user", c.Name)
		}
	}
	if id.Username == "" {
		return nil, bad(n, "an identity needs a username, e.g. username:jane")
	}
	return id, nil
}
