// Package authslots is auth.ticket.verify, auth.ticket.get and
// auth.ticket.in-role: the caller a run acts for is the active policy's
// identity (constraints/identity), never a ticket from outside, so a
// generated endpoint that starts with auth.ticket.verify runs in the
// studio as the user the policy names, and fails as the reference does
// for an anonymous caller or one outside the roles.
package authslots

import (
	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// Register adds the family to e.
func Register(e *engine.Engine) error {
	roles := whitelist.ValueSpec{Expr: true, Doc: "comma-separated roles, e.g. root,admin"}
	slots := []engine.Slot{
		{Sig: whitelist.Signature{Name: "auth.ticket.verify", Doc: "throws 'Access denied' (401) unless the policy's identity exists and, when roles are given, has one of them or root",
			Value: roles}, Fn: verify},
		{Sig: whitelist.Signature{Name: "auth.ticket.get", Doc: "the policy's identity: the username as value, its roles under [roles]; null for an anonymous caller"}, Fn: get},
		{Sig: whitelist.Signature{Name: "auth.ticket.in-role", Doc: "true when the policy's identity has one of the roles",
			Value: whitelist.ValueSpec{Required: true, Expr: true, Doc: roles.Doc}}, Fn: inRole},
	}
	return e.RegisterAll(slots...)
}

// accessDenied is the reference's refusal: public, status 401. For an
// anonymous caller it says where an identity comes from here.
func accessDenied(anonymous bool) error {
	msg := "Access denied"
	if anonymous {
		msg += ": the policy names no identity (constraints, identity, username and roles)"
	}
	return &engine.ThrowError{Message: msg, Status: 401, Public: true}
}

func roleList(n *hyperlambda.Node) ([]string, error) {
	v, err := hyperlambda.Value(n)
	if err != nil {
		return nil, err
	}
	return whitelist.SplitRoles(hyperlambda.StringOf(v)), nil
}

func verify(r *engine.Run, n *hyperlambda.Node) error {
	roles, err := roleList(n)
	if err != nil {
		return err
	}
	id := r.Policy().Constraints().Caller()
	// As the reference: root passes every role check of verify (not of
	// in-role, which answers the question asked).
	if id == nil || len(roles) > 0 && !id.InRole(roles) && !id.InRole([]string{"root"}) {
		return accessDenied(id == nil)
	}
	return nil
}

func get(r *engine.Run, n *hyperlambda.Node) error {
	n.Clear()
	n.Value = nil
	id := r.Policy().Constraints().Caller()
	if id == nil {
		return nil
	}
	n.Value = id.Username
	if len(id.Roles) == 0 { // as the reference: no [roles] without roles
		return nil
	}
	if err := r.Created(1 + len(id.Roles)); err != nil {
		return err
	}
	list := hyperlambda.New("roles", nil)
	for _, role := range id.Roles {
		list.Add(hyperlambda.New("", role))
	}
	n.Add(list)
	return nil
}

func inRole(r *engine.Run, n *hyperlambda.Node) error {
	roles, err := roleList(n)
	if err != nil {
		return err
	}
	id := r.Policy().Constraints().Caller()
	n.Value = id != nil && id.InRole(roles)
	return nil
}
