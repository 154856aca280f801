// Package validatorslots is the validators.* slot family: checks of a
// backend function's arguments. A failed check throws a public error with
// status 400 naming the field, which [try] can catch and an endpoint turns
// into a client error; the messages are the reference's. Values are
// converted as the reference converts them (.NET Get<T>, invariant
// culture): "5" is an integer, 5 is the text "5". Patterns are Go RE2
// regular expressions: matching is linear in the input, so no pattern can
// hang a run (no ReDoS).
package validatorslots

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strings"

	"github.com/shopspring/decimal"

	"hlstudio/engine"
	"hlstudio/engine/stringslots"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

var target = whitelist.ValueSpec{Required: true, Expr: true, Doc: "expression selecting the argument(s) to check, or the value to check itself"}

// Register adds the family to e.
func Register(e *engine.Engine) error {
	minMax := func(doc string) []whitelist.Arg {
		return []whitelist.Arg{{Name: "min", Doc: doc}, {Name: "max", Doc: doc}}
	}
	for _, s := range []engine.Slot{
		{Sig: whitelist.Signature{Name: "validators.mandatory", Doc: "fails unless the selected argument exists and has a value or children",
			Value: whitelist.ValueSpec{Required: true, Expr: true, Doc: "expression selecting the argument to check"}}, Fn: mandatory},
		{Sig: whitelist.Signature{Name: "validators.default", Doc: "gives the selected node each child it lacks, and the value of each of its children that has none",
			Value: whitelist.ValueSpec{Required: true, Expr: true, Doc: "expression selecting the node(s) to fill"}, Children: whitelist.Data}, Fn: defaults},
		{Sig: whitelist.Signature{Name: "validators.email", Doc: "fails unless each selected value is an e-mail address", Value: target}, Fn: email},
		{Sig: whitelist.Signature{Name: "validators.url", Doc: "fails unless each selected value is an absolute http(s) URL", Value: target}, Fn: webURL},
		{Sig: whitelist.Signature{Name: "validators.enum", Doc: "fails unless each selected value equals one of its children's values", Value: target, Children: whitelist.Data}, Fn: enum},
		{Sig: whitelist.Signature{Name: "validators.integer", Doc: "fails unless each selected value is (or converts to) an integer within [min] and [max]", Value: target, Children: whitelist.Arguments,
			Args: minMax("an integer")}, Fn: integer},
		{Sig: whitelist.Signature{Name: "validators.string", Doc: "fails unless each selected value, as text, has a length (UTF-16 units) within [min] and [max]", Value: target, Children: whitelist.Arguments,
			Args: minMax("a length")}, Fn: text},
		{Sig: whitelist.Signature{Name: "validators.date", Doc: "fails unless each selected value is (or converts to) a date within [min] and [max]", Value: target, Children: whitelist.Arguments,
			Args: minMax("a date")}, Fn: date},
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
	if _, isExpr := n.Value.(*hyperlambda.Expression); !isExpr {
		return nil // a value given as it is (the signature requires one)
	}
	var one [1]*hyperlambda.Node
	nodes, err := engine.Select(n, one[:0])
	if err != nil {
		return err
	}
	if len(nodes) == 0 {
		return invalid(lastName(n), "Mandatory argument '%s' not given", lastName(n))
	}
	for _, t := range nodes {
		v, err := hyperlambda.Value(t)
		if err != nil {
			return err
		}
		// As the reference: an argument with children (an object or a
		// list) is given even without a value.
		if v == nil && t.Len() == 0 {
			return invalid(t.Name, "Mandatory argument '%s' not given", t.Name)
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
			var cur *hyperlambda.Node
			for _, c := range t.Children() {
				if c.Name == d.Name {
					cur = c
					break
				}
			}
			switch {
			case cur == nil:
				cp, err := r.Clone(d)
				if err != nil {
					return err
				}
				t.Add(cp)
			case cur.Value == nil:
				// As the reference: a child given without a value gets
				// the default value (its children stay).
				cur.Value = d.Value
				if _, isNode := d.Value.(*hyperlambda.Node); isNode {
					cp, err := r.Clone(d)
					if err != nil {
						return err
					}
					cur.Value = cp.Value
				}
			}
		}
	}
	return nil
}

// enumerate calls check with the value of every node n's expression
// selects, named as that node, or with n's own value when it is not an
// expression, named "value of node" (as the reference). Null values are
// skipped: a missing argument is [validators.mandatory]'s business.
func enumerate(n *hyperlambda.Node, check func(field string, v any) error) error {
	if _, isExpr := n.Value.(*hyperlambda.Expression); !isExpr {
		if n.Value == nil {
			return nil
		}
		return check("value of node", n.Value)
	}
	var one [1]*hyperlambda.Node
	nodes, err := engine.Select(n, one[:0])
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

// toText is .NET's Get<string>: every value but a time span and a lambda
// converts (numbers and dates in the invariant culture, bytes as UTF-8).
func toText(v any) (string, bool) {
	switch v.(type) {
	case hyperlambda.TimeSpan, *hyperlambda.Node:
		return "", false
	}
	return hyperlambda.StringOf(v), true
}

var (
	minLong = decimal.NewFromInt(math.MinInt64)
	maxLong = decimal.NewFromInt(math.MaxInt64)
)

// toLong is .NET's Convert.ToInt64 (Get<long>): text as Int64.Parse in
// the invariant culture (white space and a sign allowed, no fraction),
// fractions rounded half to even, bool as 1 or 0, a char as its code;
// dates, times, guids, bytes and lambdas do not convert, nor values out
// of range.
func toLong(v any) (int64, bool) {
	switch x := v.(type) {
	case string:
		l, err := hyperlambda.ConvertText(x, "long")
		if err != nil {
			return 0, false
		}
		return l.(int64), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case hyperlambda.Char:
		return int64(x), true
	case uint64:
		if x > math.MaxInt64 {
			return 0, false
		}
		return int64(x), true
	case float64:
		return floatToLong(x)
	case float32:
		return floatToLong(float64(x))
	case decimal.Decimal:
		d := x.RoundBank(0)
		if d.LessThan(minLong) || d.GreaterThan(maxLong) {
			return 0, false
		}
		return d.IntPart(), true
	}
	return hyperlambda.Integer(v)
}

func floatToLong(x float64) (int64, bool) {
	if !(x >= -(1<<63) && x < 1<<63) { // NaN too
		return 0, false
	}
	return int64(math.RoundToEven(x)), true
}

// toDate is .NET's Get<DateTime>: a date, or text that parses as one.
func toDate(v any) (hyperlambda.Date, bool) {
	switch x := v.(type) {
	case hyperlambda.Date:
		return x, true
	case string:
		if d, err := hyperlambda.ConvertText(x, "date"); err == nil {
			return d.(hyperlambda.Date), true
		}
	}
	return hyperlambda.Date{}, false
}

// bound reads the optional [min] or [max] argument with conv; null is
// absent.
func bound[T any](r *engine.Run, n *hyperlambda.Node, name, kind string, conv func(any) (T, bool)) (*T, error) {
	v, ok, err := r.Arg(n, name)
	if err != nil || !ok || v == nil {
		return nil, err
	}
	x, ok := conv(v)
	if !ok {
		return nil, fmt.Errorf("[%s] must be %s, not %s %q", name, kind, hyperlambda.TypeOf(v), hyperlambda.StringOf(v))
	}
	return &x, nil
}

func integer(r *engine.Run, n *hyperlambda.Node) error {
	lo, err := bound(r, n, "min", "an integer", toLong)
	if err != nil {
		return err
	}
	hi, err := bound(r, n, "max", "an integer", toLong)
	if err != nil {
		return err
	}
	least, most := orDefault(lo, math.MinInt64), orDefault(hi, math.MaxInt64)
	return enumerate(n, func(field string, v any) error {
		i, ok := toLong(v)
		if !ok {
			return invalid(field, "'%s' is not a valid number between %d and %d for [%s]", hyperlambda.StringOf(v), least, most, field)
		}
		if i < least || i > most {
			return invalid(field, "'%d' is not a valid number between %d and %d for [%s]", i, least, most, field)
		}
		return nil
	})
}

func orDefault(p *int64, dflt int64) int64 {
	if p == nil {
		return dflt
	}
	return *p
}

// toInt is .NET's Get<int>: toLong within the range of an int.
func toInt(v any) (int64, bool) {
	i, ok := toLong(v)
	return i, ok && i >= math.MinInt32 && i <= math.MaxInt32
}

// utf16Len is .NET's String.Length: UTF-16 code units.
func utf16Len(s string) int64 {
	n := int64(0)
	for _, c := range s {
		n++
		if c >= 0x10000 {
			n++
		}
	}
	return n
}

func text(r *engine.Run, n *hyperlambda.Node) error {
	lo, err := bound(r, n, "min", "an int", toInt)
	if err != nil {
		return err
	}
	hi, err := bound(r, n, "max", "an int", toInt)
	if err != nil {
		return err
	}
	least, most := orDefault(lo, 0), orDefault(hi, math.MaxInt32)
	return enumerate(n, func(field string, v any) error {
		s, ok := toText(v)
		if l := utf16Len(s); !ok || l < least || l > most {
			return invalid(field, "'%s' is not a valid string between %d and %d in length for [%s]", hyperlambda.StringOf(v), least, most, field)
		}
		return nil
	})
}

func date(r *engine.Run, n *hyperlambda.Node) error {
	lo, err := bound(r, n, "min", "a date", toDate)
	if err != nil {
		return err
	}
	hi, err := bound(r, n, "max", "a date", toDate)
	if err != nil {
		return err
	}
	// .NET's DateTime.MinValue and MaxValue, as the reference writes them.
	least, most := "01/01/0001 00:00:00", "12/31/9999 23:59:59"
	if lo != nil {
		least = hyperlambda.StringOf(*lo)
	}
	if hi != nil {
		most = hyperlambda.StringOf(*hi)
	}
	return enumerate(n, func(field string, v any) error {
		d, ok := toDate(v)
		if !ok || lo != nil && d.Time.Before(lo.Time) || hi != nil && d.Time.After(hi.Time) {
			return invalid(field, "'%s' is not a valid date between '%s' and '%s' for [%s]", hyperlambda.StringOf(v), least, most, field)
		}
		return nil
	})
}

func email(r *engine.Run, n *hyperlambda.Node) error {
	return enumerate(n, func(field string, v any) error {
		s, ok := toText(v)
		if !ok || !isMailAddress(s) {
			return invalid(field, "'%s' is not a valid email address", hyperlambda.StringOf(v))
		}
		return nil
	})
}

// isMailAddress reports whether .NET would read s as a MailAddress whose
// Address is s itself (the reference's test): local@domain, where local is
// a dot-atom or a quoted string, and domain a dot-atom or a domain literal
// ([...]). As in .NET, a dot-atom holds atext, dots and any non-ASCII
// character, must not start with a dot, and may end with one or hold two
// in a row; no dot is needed in the domain (foo@bar). A display name,
// angle brackets, comments or surrounding white space make the Address
// differ from s, so they fail.
func isMailAddress(s string) bool {
	var domain int // index of the '@' before the domain
	if strings.HasSuffix(s, "]") {
		// A domain literal, read backwards to its unescaped '[' as .NET
		// does: dtext, white space and ASCII quoted pairs.
		i := len(s) - 2
		for ; i >= 0; i-- {
			if quoted(s, i) {
				if s[i] >= 0x80 {
					return false
				}
				i -= backslashes(s, i)
				continue
			}
			c := s[i]
			if c == '[' {
				break
			}
			if c >= 0x80 || !(c == ' ' || c == '\t' || dtext(c)) {
				return false
			}
		}
		domain = i - 1
	} else {
		i := len(s) - 1
		for i >= 0 && dotAtom(s[i]) {
			i--
		}
		if i == len(s)-1 || s[i+1] == '.' {
			return false
		}
		domain = i
	}
	if domain < 1 || s[domain] != '@' {
		return false
	}
	local := s[:domain]
	if local[0] != '"' {
		for i := 0; i < len(local); i++ {
			if !dotAtom(local[i]) {
				return false
			}
		}
		return local[0] != '.'
	}
	// A quoted string: qtext (any non-ASCII character too), white space
	// and quoted pairs, closed by the last character.
	for i := 1; i < len(local); i++ {
		switch c := local[i]; {
		case c == '\\':
			if i+1 >= len(local) {
				return false
			}
			i++
		case c == '"':
			return i == len(local)-1
		case c < 0x80 && !qtext(c):
			return false
		}
	}
	return false
}

// quoted reports whether s[i] is escaped by an odd number of backslashes.
func quoted(s string, i int) bool { return backslashes(s, i)%2 == 1 }

// backslashes counts the backslashes just before s[i].
func backslashes(s string, i int) int {
	n := 0
	for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
		n++
	}
	return n
}

// dotAtom: RFC 2822 atext, '.', or a byte of a non-ASCII character.
func dotAtom(c byte) bool {
	switch {
	case c >= 0x80, c == '.', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// qtext and dtext are .NET's MailBnfHelper sets (ASCII only).
func qtext(c byte) bool {
	return c >= 1 && c <= 9 || c == 11 || c == 12 || c >= 14 && c <= 33 || c >= 35 && c <= 91 || c >= 93 && c <= 127
}

func dtext(c byte) bool {
	return c >= 1 && c <= 8 || c == 11 || c == 12 || c >= 14 && c <= 31 || c >= 33 && c <= 90 || c >= 94 && c <= 127
}

func webURL(r *engine.Run, n *hyperlambda.Node) error {
	return enumerate(n, func(field string, v any) error {
		if s, ok := toText(v); ok {
			u, err := url.Parse(s)
			if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
				return nil
			}
		}
		return invalid(field, "'%s' is not a valid URL for [%s]", hyperlambda.StringOf(v), field)
	})
}

func enum(r *engine.Run, n *hyperlambda.Node) error {
	allowed := make([]string, 0, n.Len())
	for _, c := range n.Children() {
		v, err := hyperlambda.Value(c)
		if err != nil {
			return err
		}
		allowed = append(allowed, hyperlambda.StringOf(v))
	}
	return enumerate(n, func(field string, v any) error {
		s, ok := toText(v)
		for _, a := range allowed {
			if ok && s == a {
				return nil
			}
		}
		quoted := make([]string, len(allowed))
		for i, a := range allowed {
			quoted[i] = "'" + a + "'"
		}
		return invalid(field, "'%s' is not a valid enum of [%s] for [%s]", hyperlambda.StringOf(v), strings.Join(quoted, ", "), field)
	})
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
	size := stringslots.PatternSize(pattern)
	return enumerate(n, func(field string, v any) error {
		s, ok := toText(v)
		matched := false
		if ok {
			// Within the budgets, as strings.matches (audit 16).
			if err := r.Compute(stringslots.RegexSteps(size, len(s)), func(func() bool) { matched = re.MatchString(s) }); err != nil {
				return err
			}
		}
		if !matched {
			return invalid(field, "'%s' does not conform to regular expression of '%s' for [%s]", hyperlambda.StringOf(v), pattern, field)
		}
		return nil
	})
}
