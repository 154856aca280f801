// Package authslots is the reference's magic.lambda.auth: the caller a
// run acts for is the active policy's identity (constraints/identity),
// never a ticket from outside, so a generated endpoint that starts with
// auth.ticket.verify runs in the studio as the user the policy names, and
// fails as the reference does for an anonymous caller or one outside the
// roles (auth.ticket.verify, auth.ticket.get, auth.ticket.in-role).
//
// auth.ticket.create and auth.ticket.refresh issue the reference's JWT
// (HS256; unique_name, role, further claims, nbf, exp, iat), signed with
// the policy's config magic:auth:secret (padded as the reference pads a
// short one, so a ticket made here verifies in a Magic configured with the
// same secret) and dated by the run's clock (the time effect; the
// policy's fixed clock when it sets one). Unlike the reference, a missing
// secret is an error rather than a ticket signed with the padding alone,
// refresh renews the policy's identity rather than the request's ticket,
// and a value on [roles] (the reference reads only its children) is an
// error rather than a ticket without roles.
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
		{Sig: whitelist.Signature{Name: "auth.ticket.create", Doc: "a JWT for [username], its [roles] and [claims], signed with the policy's config magic:auth:secret, valid from now until [expires], [duration] minutes, or config magic:auth:valid-minutes (default 20)",
			Children: whitelist.Arguments, Effects: whitelist.Time, Args: append([]whitelist.Arg{
				{Name: "username", Required: true, Doc: "the user the ticket is for"},
				{Name: "roles", Doc: "children: one role each, e.g. :admin"},
				{Name: "claims", Doc: "children: one further claim each, name:value"},
			}, expiryArgs()...)}, Fn: create},
		{Sig: whitelist.Signature{Name: "auth.ticket.refresh", Doc: "a new ticket (as auth.ticket.create) for the policy's identity, with a new expiry; throws 'Access denied' (401) for an anonymous caller",
			Children: whitelist.Arguments, Effects: whitelist.Time, Args: expiryArgs()}, Fn: refresh},
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
