// Package stringslots is the strings.* slot family: text built and
// inspected with the reference's conversions to text (.NET ToString: bool
// is "True", dates MM/dd/yyyy HH:mm:ss). Produced text counts against the
// run's output budget.
package stringslots

import (
	"errors"
	"fmt"
	"html"
	"math"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

type fn func(r *engine.Run, n *hyperlambda.Node) error

func str(n *hyperlambda.Node) (string, error) {
	v, err := hyperlambda.Value(n)
	return hyperlambda.StringOf(v), err
}

// Register adds the family to e.
func Register(e *engine.Engine) error {
	value := whitelist.ValueSpec{Expr: true}
	slots := []struct {
		name, doc string
		role      whitelist.Role
		fn        fn
	}{
		{"strings.concat", "joins its children's values (or the selected values) as text", whitelist.Code, concat},
		{"strings.join", "joins the selected nodes' values with the first child's value", whitelist.Code, join},
		{"strings.split", "splits its value on each [.] child's value (on white space when there is none); children become the non-empty parts", whitelist.Code, split},
		{"strings.replace", "replaces the first child's value with the second's in its value", whitelist.Code, replace},
		{"strings.length", "length of its value in UTF-16 units, as the reference", whitelist.NoChildren, unary(func(s string) any { return int32(len(utf16.Encode([]rune(s)))) })},
		{"strings.byte-count", "length of its value in UTF-8 bytes", whitelist.NoChildren, byteCount},
		{"strings.to-lower", "lower case", whitelist.NoChildren, unary(func(s string) any { return strings.ToLower(s) })},
		{"strings.to-upper", "upper case", whitelist.NoChildren, unary(func(s string) any { return strings.ToUpper(s) })},
		{"strings.trim", "removes white space (or its child's characters) at both ends", whitelist.Code, trim(strings.Trim, strings.TrimFunc)},
		{"strings.trim-start", "removes white space (or its child's characters) at the start", whitelist.Code, trim(strings.TrimLeft, strings.TrimLeftFunc)},
		{"strings.trim-end", "removes white space (or its child's characters) at the end", whitelist.Code, trim(strings.TrimRight, strings.TrimRightFunc)},
		{"strings.capitalize", "upper-cases the first letter", whitelist.NoChildren, unary(capitalize)},
		{"strings.url-encode", "escapes text for a URL query as .NET's WebUtility.UrlEncode (space as +, %XX for bytes other than letters, digits and -_.!*())", whitelist.NoChildren, encoder(urlEncoded)},
		{"strings.url-decode", "reverses url-encode (a % without two hex digits stays; bytes that are not UTF-8 become U+FFFD)", whitelist.NoChildren, unary(urlDecode)},
		{"strings.html-encode", "escapes <, >, &, \" and ' for HTML, and characters U+00A0-U+00FF and beyond U+FFFF as &#n;", whitelist.NoChildren, encoder(htmlEncoded)},
		{"strings.html-decode", "reverses html-encode, and decodes every HTML entity", whitelist.NoChildren, unary(func(s string) any { return html.UnescapeString(s) })},
		{"strings.substring", "part of its value: first child the start, second the length, clamped to the end (UTF-16 units, as the reference)", whitelist.Code, substring},
		{"strings.replace-not-of", "replaces every character not in the first child's value with the second child's value", whitelist.Code, replaceNotOf},
		{"strings.regex-replace", "replaces matches of the first child's RE2 pattern (multiline: ^ and $ match at line breaks) with the second child's value (.NET syntax: $1, ${name}, $& the match, $$ a dollar)", whitelist.Code, regexReplace},
		{"strings.matches", "children become [.] nodes holding the matches of its child's RE2 pattern", whitelist.Code, matches},
		{"strings.mixin", "substitutes each {{lambda}} in its value with the value the lambda returns (else the value of its first node); its children are each lambda's [.arguments]", whitelist.Data, mixin},
		{"strings.contains", "whether its value contains the child's value", whitelist.Code, test(strings.Contains)},
		{"strings.starts-with", "whether its value starts with the child's value", whitelist.Code, test(strings.HasPrefix)},
		{"strings.ends-with", "whether its value ends with the child's value", whitelist.Code, test(strings.HasSuffix)},
		{"strings.builder", "evaluates its children with a text buffer that [strings.builder.append] adds to; its value becomes the text", whitelist.Code, builder},
		{"strings.builder.append", "appends its value (as text) to the [strings.builder] around it", whitelist.NoChildren, builderAppend},
	}
	for _, s := range slots {
		sig := whitelist.Signature{Name: s.name, Doc: s.doc, Value: value, Children: s.role}
		if s.name == "strings.mixin" {
			// The braces hold code: it runs through the guard like any other,
			// but evaluating text as code is what spawns-code means, and
			// what it runs is only known then (audit 21).
			sig.Effects, sig.Dynamic = whitelist.SpawnsCode, true
		}
		if err := e.Register(engine.Slot{Sig: sig, Fn: engine.SlotFunc(s.fn)}); err != nil {
			return err
		}
	}
	return nil
}

func setText(r *engine.Run, n *hyperlambda.Node, s string) error {
	if err := r.Output(len(s)); err != nil {
		return err
	}
	n.Value = s
	return nil
}

func concat(r *engine.Run, n *hyperlambda.Node) error {
	if err := r.Eval(n); err != nil {
		return err
	}
	var b strings.Builder
	var parts []*hyperlambda.Node
	if x, ok := n.Value.(*hyperlambda.Expression); ok {
		sel, err := x.Evaluate(n)
		if err != nil {
			return err
		}
		parts = sel
	} else {
		parts = n.Children()
	}
	for _, p := range parts {
		s, err := str(p)
		if err != nil {
			return err
		}
		if err := r.OutputRoom(b.Len() + len(s)); err != nil {
			return err
		}
		b.WriteString(s)
	}
	n.Clear()
	return setText(r, n, b.String())
}

func join(r *engine.Run, n *hyperlambda.Node) error {
	x, ok := n.Value.(*hyperlambda.Expression)
	if !ok {
		return errors.New("needs an expression selecting the items")
	}
	items, err := x.Evaluate(n)
	if err != nil {
		return err
	}
	if err := r.Eval(n); err != nil {
		return err
	}
	sep := ""
	if n.Len() > 0 {
		if sep, err = str(n.Child(0)); err != nil {
			return err
		}
	}
	texts := make([]string, 0, len(items))
	size := 0
	for _, it := range items {
		s, err := str(it)
		if err != nil {
			return err
		}
		size += len(s) + len(sep)
		if err := r.OutputRoom(size); err != nil {
			return err
		}
		texts = append(texts, s)
	}
	n.Clear()
	return setText(r, n, strings.Join(texts, sep))
}

// split is the reference's String.Split(separators,
// RemoveEmptyEntries): the separators are the values of the [.] children;
// at each position the first of them that matches there splits; with no
// [.] child at all it splits on white space; empty separators are
// ignored. Without any children it fails, as the reference.
func split(r *engine.Run, n *hyperlambda.Node) error {
	if n.Len() == 0 {
		return errors.New("needs [.] children holding the separators")
	}
	if err := r.Eval(n); err != nil {
		return err
	}
	s, err := str(n)
	if err != nil {
		return err
	}
	var seps []string
	named := false
	for _, c := range n.Children() {
		if c.Name != "." {
			continue
		}
		named = true
		sep, err := str(c)
		if err != nil {
			return err
		}
		if sep != "" {
			seps = append(seps, sep)
		}
	}
	var parts []string
	if !named {
		parts = strings.FieldsFunc(s, isNetSpace)
	} else {
		start := 0
		for i := 0; i < len(s); {
			matched := false
			for _, sep := range seps {
				if strings.HasPrefix(s[i:], sep) {
					parts = append(parts, s[start:i])
					i += len(sep)
					start, matched = i, true
					break
				}
			}
			if !matched {
				i++
			}
		}
		parts = append(parts, s[start:])
	}
	kept := parts[:0]
	for _, p := range parts {
		if p != "" { // empty entries are removed, as in the reference
			kept = append(kept, p)
		}
	}
	if err := r.Created(len(kept)); err != nil {
		return err
	}
	n.Clear()
	n.Value = nil
	for _, p := range kept {
		n.Add(hyperlambda.New("", p))
	}
	return nil
}

// isNetSpace is .NET's Char.IsWhiteSpace: the Unicode space separators,
// line and paragraph separators, U+0009-U+000D and U+0085 (which is
// Unicode's White_Space property, Go's unicode.IsSpace).
func isNetSpace(c rune) bool { return unicode.IsSpace(c) }

func replace(r *engine.Run, n *hyperlambda.Node) error {
	if err := r.Eval(n); err != nil {
		return err
	}
	s, err := str(n)
	if err != nil {
		return err
	}
	if n.Len() < 1 {
		return errors.New("needs a child with the text to replace")
	}
	what, err := str(n.Child(0))
	if err != nil {
		return err
	}
	with := ""
	if n.Len() > 1 {
		if with, err = str(n.Child(1)); err != nil {
			return err
		}
	}
	if what == "" {
		return errors.New("the text to replace is empty")
	}
	// The size is known before the text is built: a short text with many
	// matches and a long replacement must not be built to be refused.
	if err := r.OutputRoom(len(s) + strings.Count(s, what)*(len(with)-len(what))); err != nil {
		return err
	}
	return setText(r, n, strings.ReplaceAll(s, what, with))
}

func unary(f func(string) any) fn {
	return func(r *engine.Run, n *hyperlambda.Node) error {
		s, err := str(n)
		if err != nil {
			return err
		}
		v := f(s)
		if t, ok := v.(string); ok {
			return setText(r, n, t)
		}
		n.Value = v
		return nil
	}
}

func test(f func(s, sub string) bool) fn {
	return func(r *engine.Run, n *hyperlambda.Node) error {
		if err := r.Eval(n); err != nil {
			return err
		}
		if n.Len() != 1 {
			return errors.New("needs exactly one child to compare with")
		}
		s, err := str(n)
		if err != nil {
			return err
		}
		sub, err := str(n.Child(0))
		if err != nil {
			return err
		}
		n.Value = f(s, sub)
		return nil
	}
}

// args evaluates n's children and returns their values as text.
func args(r *engine.Run, n *hyperlambda.Node) ([]string, error) {
	if err := r.Eval(n); err != nil {
		return nil, err
	}
	out := make([]string, 0, n.Len())
	for _, c := range n.Children() {
		s, err := str(c)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// trim is the reference's Trim, TrimStart and TrimEnd: without a child,
// or with an empty one, every white space character (.NET
// Char.IsWhiteSpace: U+00A0, U+2003, U+3000, ...) is removed; else the
// characters of the child's value are.
func trim(cut func(s, cutset string) string, space func(s string, f func(rune) bool) string) fn {
	return func(r *engine.Run, n *hyperlambda.Node) error {
		if n.Len() > 1 {
			return errors.New("takes at most one child: the characters to remove")
		}
		a, err := args(r, n)
		if err != nil {
			return err
		}
		s, err := str(n)
		if err != nil {
			return err
		}
		n.Clear()
		if len(a) == 0 || a[0] == "" {
			return setText(r, n, space(s, isNetSpace))
		}
		return setText(r, n, cut(s, a[0]))
	}
}

func capitalize(s string) any {
	first, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	return string(unicode.ToUpper(first)) + s[size:]
}

// byteCount is the length of the value in UTF-8, as .NET's
// Encoding.UTF8.GetByteCount: a byte that is not UTF-8 counts as the
// three bytes of the replacement character .NET would encode.
func byteCount(r *engine.Run, n *hyperlambda.Node) error {
	s, err := str(n)
	if err != nil {
		return err
	}
	count := 0
	for i := 0; i < len(s); {
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			count += 3
		} else {
			count += size
		}
		i += size
	}
	n.Value = int32(count)
	return nil
}

// toInt is the reference's conversion to int (.NET Get<int>): an integer
// of any type that fits, text that .NET's Int32.Parse reads ("1",
// " -2 "), a decimal or double without a fraction. Anything else, and a
// fraction (which .NET would round), is an error.
func toInt(v any) (int, error) {
	var x int64
	switch t := v.(type) {
	case string:
		c, err := hyperlambda.ConvertText(t, "int")
		if err != nil {
			return 0, err
		}
		return int(c.(int32)), nil
	case uint64:
		if t > math.MaxInt32 {
			return 0, fmt.Errorf("%d is beyond an int", t)
		}
		return int(t), nil
	case float64, float32, decimal.Decimal:
		d, _, err := hyperlambda.WholeDecimal(t)
		if err != nil {
			return 0, err
		}
		if d.Abs().GreaterThan(decimal.NewFromInt(math.MaxInt32 + 1)) {
			return 0, fmt.Errorf("needs an integer, not %s %s", hyperlambda.TypeOf(v), hyperlambda.StringOf(v))
		}
		x = d.IntPart()
	default:
		i, ok := hyperlambda.Integer(v)
		if !ok {
			return 0, fmt.Errorf("needs an integer, not %s", describe(v))
		}
		x = i
	}
	if x < math.MinInt32 || x > math.MaxInt32 {
		return 0, fmt.Errorf("%d is beyond an int", x)
	}
	return int(x), nil
}

func describe(v any) string {
	if v == nil {
		return "null"
	}
	return hyperlambda.TypeOf(v)
}

func substring(r *engine.Run, n *hyperlambda.Node) error {
	if n.Len() == 0 {
		return errors.New("needs one or two children: the start and the length")
	}
	if err := r.Eval(n); err != nil {
		return err
	}
	s, err := str(n)
	if err != nil {
		return err
	}
	units := utf16.Encode([]rune(s))
	bound := func(i int, def int) (int, error) {
		c := n.Child(i)
		if c == nil {
			return def, nil
		}
		v, err := hyperlambda.Value(c)
		if err != nil {
			return 0, err
		}
		x, err := toInt(v)
		if err != nil {
			return 0, fmt.Errorf("start and length: %v", err)
		}
		return x, nil
	}
	start, err := bound(0, 0)
	if err != nil {
		return err
	}
	// As the reference: the length is clamped to the end of the text, and
	// -1 (or none) means the rest; a start outside the text is an error,
	// as .NET's Substring throws.
	length, err := bound(1, -1)
	if err != nil {
		return err
	}
	if start < 0 || start > len(units) {
		return fmt.Errorf("start %d is outside the text's %d characters", start, len(units))
	}
	if length == -1 || length > len(units)-start {
		length = len(units) - start
	}
	if length < 0 {
		return fmt.Errorf("length %d is negative", length)
	}
	n.Clear()
	return setText(r, n, string(utf16.Decode(units[start:start+length])))
}

func replaceNotOf(r *engine.Run, n *hyperlambda.Node) error {
	s, err := str(n)
	if err != nil {
		return err
	}
	a, err := args(r, n)
	if err != nil {
		return err
	}
	if len(a) != 2 {
		return errors.New("needs two children: the characters to keep and the replacement")
	}
	keep, with := a[0], a[1]
	if err := r.OutputRoom(utf8.RuneCountInString(s) * max(len(with), utf8.UTFMax)); err != nil {
		return err
	}
	var b strings.Builder
	for _, c := range s {
		if strings.ContainsRune(keep, c) {
			b.WriteRune(c)
		} else {
			b.WriteString(with)
		}
	}
	n.Clear()
	return setText(r, n, b.String())
}

// mixin replaces each {{...}} with the value the lambda inside returns,
// run as [invoke] runs a lambda: in its own result scope (a [return] ends
// the block, not the program), with the mixin's children as its
// [.arguments]. It runs as a child of n so its expressions see the tree
// around it, and through Signal like any code: the policy applies to what
// the braces hold. A block that returns nothing is replaced by the value
// of its first node, so {{get-value:x:@.name}} needs no [return].
func mixin(r *engine.Run, n *hyperlambda.Node) error {
	s, err := str(n)
	if err != nil {
		return err
	}
	args := n.Children()
	var b strings.Builder
	for {
		open := strings.Index(s, "{{")
		if open < 0 {
			break
		}
		end := strings.Index(s[open:], "}}")
		if end < 0 {
			return fmt.Errorf("{{ at %d has no closing }}", open)
		}
		b.WriteString(s[:open])
		code := s[open+2 : open+end]
		s = s[open+end+2:]
		lambda, err := hyperlambda.ParseString(strings.TrimSpace(code), r.ParseOptions(false))
		if stopped := r.ParseStopped(err); stopped != nil {
			return stopped
		}
		if err != nil {
			return fmt.Errorf("in {{%s}}: %v", code, err)
		}
		size := 0
		lambda.Walk(func(*hyperlambda.Node) bool { size++; return true })
		if err := r.Created(size); err != nil {
			return err
		}
		first := lambda.Child(0)
		if len(args) > 0 {
			a := hyperlambda.New(".arguments", nil)
			for _, c := range args {
				cp, err := r.Clone(c)
				if err != nil {
					return err
				}
				a.Add(cp)
			}
			if err := r.Created(1); err != nil {
				return err
			}
			lambda.Insert(0, a)
		}
		n.Add(lambda)
		returned := hyperlambda.New("", nil)
		err = r.Call(lambda, returned)
		lambda.Detach()
		if err != nil {
			return err
		}
		v := returned.Value
		if v == nil && returned.Len() == 0 && first != nil {
			if v, err = hyperlambda.Value(first); err != nil {
				return err
			}
		}
		b.WriteString(hyperlambda.StringOf(v))
		if err := r.OutputRoom(b.Len() + len(s)); err != nil {
			return err
		}
	}
	b.WriteString(s)
	n.Clear() // the arguments are used, as in the reference
	return setText(r, n, b.String())
}
