// Package validatorslots is the validators.* slot family: checks of a
// backend function's arguments. A failed check throws a public error with
// status 400 naming the field, which [try] can catch and an endpoint turns
// into a client error. Patterns are Go RE2 regular expressions: matching
// is linear in the input, so no pattern can hang a run (no ReDoS).
package validatorslots

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

var target = whitelist.ValueSpec{Required: true, Expr: true, Doc: "expression selecting the argument(s) to check"}

// Register adds the family to e.
func Register(e *engine.Engine) error {
	minMax := func(typ string) []whitelist.Arg {
		return []whitelist.Arg{{Name: "min", Type: typ}, {Name: "max", Type: typ}}
	}
	for _, s := range []engine.Slot{
		{Sig: whitelist.Signature{Name: "validators.mandatory", Doc: "fails unless the selected argument exists and has a value", Value: target}, Fn: mandatory},
		{Sig: whitelist.Signature{Name: "validators.default", Doc: "adds each child to the selected node unless a child of that name exists", Value: target, Children: whitelist.Data}, Fn: defaults},
		{Sig: whitelist.Signature{Name: "validators.email", Doc: "fails unless each selected value is an e-mail address", Value: target}, Fn: each(email)},
		{Sig: whitelist.Signature{Name: "validators.url", Doc: "fails unless each selected value is an absolute http(s) URL", Value: target}, Fn: each(webURL)},
		{Sig: whitelist.Signature{Name: "validators.enum", Doc: "fails unless each selected value equals one of its children's values", Value: target, Children: whitelist.Data}, Fn: enum},
		{Sig: whitelist.Signature{Name: "validators.integer", Doc: "fails unless each selected value is an integer within [min] and [max]", Value: target, Children: whitelist.Arguments, Args: minMax("")}, Fn: integer},
		{Sig: whitelist.Signature{Name: "validators.string", Doc: "fails unless each selected value is text whose length is within [min] and [max]", Value: target, Children: whitelist.Arguments, Args: minMax("")}, Fn: text},
		{Sig: whitelist.Signature{Name: "validators.date", Doc: "fails unless each selected value is a date within [min] and [max]", Value: target, Children: whitelist.Arguments, Args: minMax("date")}, Fn: date},
		{Sig: whitelist.Signature{Name: "validators.regex", Doc: "fails unless each selected value matches [regex] (RE2 syntax)", Value: target, Children: whitelist.Arguments,
			Args: []whitelist.Arg{{Name: "regex", Type: "string", Required: true}}}, Fn: matches},
	} {
		if err := e.Register(s); err != nil {
			return err
		}
	}
	return nil
}

// invalid is the error a failed check throws.
func invalid(field, format string, args ...any) error {
	return &engine.ThrowError{Message: fmt.Sprintf(format, args...), Status: 400, Public: true, Field: field}
}

func mandatory(r *engine.Run, n *hyperlambda.Node) error {
	nodes, err := engine.Select(n, nil)
	if err != nil {
		return err
	}
	if len(nodes) == 0 {
		return invalid(lastName(n), "%s is mandatory", lastName(n))
	}
	for _, t := range nodes {
		v, err := hyperlambda.Value(t)
		if err != nil {
			return err
		}
		if v == nil {
			return invalid(t.Name, "%s is mandatory", t.Name)
		}
	}
	return nil
}

// lastName is the argument name an expression points at, for the message
// when it selects nothing (`@.arguments/*/email` names "email").
func lastName(n *hyperlambda.Node) string {
	x := n.Value.(*hyperlambda.Expression)
	its := x.Iterators()
	if len(its) == 0 {
		return x.String()
	}
	return its[len(its)-1]
}

func defaults(r *engine.Run, n *hyperlambda.Node) error {
	nodes, err := engine.Select(n, nil)
	if err != nil {
		return err
	}
	for _, t := range nodes {
		for _, d := range n.Children() {
			present := false
			for _, c := range t.Children() {
				if c.Name == d.Name {
					present = true
					break
				}
			}
			if !present {
				cp, err := r.Clone(d)
				if err != nil {
					return err
				}
				t.Add(cp)
			}
		}
	}
	return nil
}

// each applies check to the value of every selected node that has one:
// a missing or null argument is [validators.mandatory]'s business.
func each(check func(field string, v any) error) engine.SlotFunc {
	return func(r *engine.Run, n *hyperlambda.Node) error {
		nodes, err := engine.Select(n, nil)
		if err != nil {
			return err
		}
		for _, t := range nodes {
			v, err := hyperlambda.Value(t)
			if err != nil {
				return err
			}
			if v == nil {
				continue
			}
			if err := check(t.Name, v); err != nil {
				return err
			}
		}
		return nil
	}
}

func email(field string, v any) error {
	s, ok := v.(string)
	if ok {
		a, err := mail.ParseAddress(s)
		// A bare address only: "Jane <j@x.io>" is a header, not an address.
		if err == nil && a.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") {
			return nil
		}
	}
	return invalid(field, "%s is not a valid e-mail address", field)
}

func webURL(field string, v any) error {
	if s, ok := v.(string); ok {
		u, err := url.Parse(s)
		if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			return nil
		}
	}
	return invalid(field, "%s is not a valid URL", field)
}

func enum(r *engine.Run, n *hyperlambda.Node) error {
	var allowed []string
	for _, c := range n.Children() {
		v, err := hyperlambda.Value(c)
		if err != nil {
			return err
		}
		allowed = append(allowed, hyperlambda.StringOf(v))
	}
	return each(func(field string, v any) error {
		s := hyperlambda.StringOf(v)
		for _, a := range allowed {
			if s == a {
				return nil
			}
		}
		return invalid(field, "%s must be one of %s", field, strings.Join(allowed, ", "))
	})(r, n)
}

// bounds reads [min] and [max] as integers (nil when absent).
func bounds(r *engine.Run, n *hyperlambda.Node) (lo, hi *int64, err error) {
	for _, name := range []string{"min", "max"} {
		v, ok, err := r.Arg(n, name)
		if err != nil || !ok {
			if err != nil {
				return nil, nil, err
			}
			continue
		}
		i, isInt := hyperlambda.Integer(v)
		if !isInt {
			return nil, nil, fmt.Errorf("[%s] needs an integer, not %s", name, hyperlambda.TypeOf(v))
		}
		if name == "min" {
			lo = &i
		} else {
			hi = &i
		}
	}
	return lo, hi, nil
}

// within checks lo <= x <= hi; what names the measured thing ("a text
// of length ") or is empty for the value itself.
func within(field, what string, x int64, lo, hi *int64) error {
	switch {
	case lo != nil && x < *lo:
		return invalid(field, "%s must be %sat least %d", field, what, *lo)
	case hi != nil && x > *hi:
		return invalid(field, "%s must be %sat most %d", field, what, *hi)
	}
	return nil
}

func integer(r *engine.Run, n *hyperlambda.Node) error {
	lo, hi, err := bounds(r, n)
	if err != nil {
		return err
	}
	return each(func(field string, v any) error {
		i, ok := hyperlambda.Integer(v)
		if !ok {
			return invalid(field, "%s must be an integer", field)
		}
		return within(field, "", i, lo, hi)
	})(r, n)
}

func text(r *engine.Run, n *hyperlambda.Node) error {
	lo, hi, err := bounds(r, n)
	if err != nil {
		return err
	}
	return each(func(field string, v any) error {
		s, ok := v.(string)
		if !ok {
			return invalid(field, "%s must be text", field)
		}
		return within(field, "a text of length ", int64(utf8.RuneCountInString(s)), lo, hi)
	})(r, n)
}

func date(r *engine.Run, n *hyperlambda.Node) error {
	var bound [2]*hyperlambda.Date
	for i, name := range []string{"min", "max"} {
		v, ok, err := r.Arg(n, name)
		if err != nil {
			return err
		}
		if ok && v != nil {
			d := v.(hyperlambda.Date) // the signature checked the type
			bound[i] = &d
		}
	}
	return each(func(field string, v any) error {
		d, ok := v.(hyperlambda.Date)
		if !ok {
			return invalid(field, "%s must be a date", field)
		}
		if bound[0] != nil && d.Time.Before(bound[0].Time) {
			return invalid(field, "%s must not be before %s", field, hyperlambda.StringOf(*bound[0]))
		}
		if bound[1] != nil && d.Time.After(bound[1].Time) {
			return invalid(field, "%s must not be after %s", field, hyperlambda.StringOf(*bound[1]))
		}
		return nil
	})(r, n)
}

func matches(r *engine.Run, n *hyperlambda.Node) error {
	p, _, err := r.Arg(n, "regex")
	if err != nil {
		return err
	}
	pattern, _ := p.(string)
	re, err := regexp.Compile(pattern)
	if err != nil {
		return fmt.Errorf("[regex] %q is not an RE2 pattern: %v", pattern, err)
	}
	return each(func(field string, v any) error {
		if !re.MatchString(hyperlambda.StringOf(v)) {
			return invalid(field, "%s does not have the expected form", field)
		}
		return nil
	})(r, n)
}
