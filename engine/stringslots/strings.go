// Package stringslots is the strings.* slot family: text built and
// inspected with the reference's conversions to text (.NET ToString: bool
// is "True", dates MM/dd/yyyy HH:mm:ss). Produced text counts against the
// run's output budget.
package stringslots

import (
	"errors"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

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
		{"strings.split", "splits its value on each child's value; children become the parts", whitelist.Code, split},
		{"strings.replace", "replaces the first child's value with the second's in its value", whitelist.Code, replace},
		{"strings.length", "length of its value in UTF-16 units, as the reference", whitelist.NoChildren, unary(func(s string) any { return int32(len(utf16.Encode([]rune(s)))) })},
		{"strings.byte-count", "length of its value in UTF-8 bytes", whitelist.NoChildren, byteCount},
		{"strings.to-lower", "lower case", whitelist.NoChildren, unary(func(s string) any { return strings.ToLower(s) })},
		{"strings.to-upper", "upper case", whitelist.NoChildren, unary(func(s string) any { return strings.ToUpper(s) })},
		{"strings.trim", "removes white space (or its child's characters) at both ends", whitelist.Code, trim(strings.Trim)},
		{"strings.trim-start", "removes white space (or its child's characters) at the start", whitelist.Code, trim(strings.TrimLeft)},
		{"strings.trim-end", "removes white space (or its child's characters) at the end", whitelist.Code, trim(strings.TrimRight)},
		{"strings.capitalize", "upper-cases the first letter", whitelist.NoChildren, unary(capitalize)},
		{"strings.url-encode", "escapes text for a URL query (space as +)", whitelist.NoChildren, unary(func(s string) any { return url.QueryEscape(s) })},
		{"strings.url-decode", "reverses url-encode", whitelist.NoChildren, decode(url.QueryUnescape)},
		{"strings.html-encode", "escapes <, >, &, ' and \" for HTML", whitelist.NoChildren, unary(func(s string) any { return html.EscapeString(s) })},
		{"strings.html-decode", "reverses html-encode, and decodes every HTML entity", whitelist.NoChildren, unary(func(s string) any { return html.UnescapeString(s) })},
		{"strings.substring", "part of its value: first child the start, second the length, clamped to the end (UTF-16 units, as the reference)", whitelist.Code, substring},
		{"strings.replace-not-of", "replaces every character not in the first child's value with the second child's value", whitelist.Code, replaceNotOf},
		{"strings.regex-replace", "replaces matches of the first child's RE2 pattern with the second child's value ($1 for groups)", whitelist.Code, regexReplace},
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
			// but evaluating text as code is what spawns-code means.
			sig.Effects = whitelist.SpawnsCode
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

func split(r *engine.Run, n *hyperlambda.Node) error {
	if err := r.Eval(n); err != nil {
		return err
	}
	s, err := str(n)
	if err != nil {
		return err
	}
	var seps []string
	for _, c := range n.Children() {
		sep, err := str(c)
		if err != nil {
			return err
		}
		if sep != "" {
			seps = append(seps, sep)
		}
	}
	parts := []string{s}
	for _, sep := range seps {
		var next []string
		for _, p := range parts {
			next = append(next, strings.Split(p, sep)...)
		}
		parts = next
	}
	n.Clear()
	n.Value = nil
	for _, p := range parts {
		if p != "" { // empty entries are removed, as in the reference
			n.Add(hyperlambda.New("", p))
		}
	}
	return r.Created(n.Len())
}

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

func trim(f func(s, cutset string) string) fn {
	return func(r *engine.Run, n *hyperlambda.Node) error {
		s, err := str(n)
		if err != nil {
			return err
		}
		a, err := args(r, n)
		if err != nil {
			return err
		}
		cut := " \t\r\n\v\f"
		if len(a) > 0 {
			cut = a[0]
		}
		n.Clear()
		return setText(r, n, f(s, cut))
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

func decode(f func(string) (string, error)) fn {
	return func(r *engine.Run, n *hyperlambda.Node) error {
		s, err := str(n)
		if err != nil {
			return err
		}
		out, err := f(s)
		if err != nil {
			return err
		}
		return setText(r, n, out)
	}
}

func substring(r *engine.Run, n *hyperlambda.Node) error {
	s, err := str(n)
	if err != nil {
		return err
	}
	if err := r.Eval(n); err != nil {
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
		x, ok := v.(int32)
		if !ok {
			return 0, fmt.Errorf("start and length must be int, not %s", hyperlambda.TypeOf(v))
		}
		return int(x), nil
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

func compile(pattern string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("%q is not an RE2 pattern: %v", pattern, err)
	}
	return re, nil
}

// patternArgs reads the text, the evaluated children (want of them, the
// first a pattern) and the compiled pattern.
func patternArgs(r *engine.Run, n *hyperlambda.Node, want int, usage string) (string, []string, *regexp.Regexp, error) {
	s, err := str(n)
	if err != nil {
		return "", nil, nil, err
	}
	a, err := args(r, n)
	if err != nil {
		return "", nil, nil, err
	}
	if len(a) != want {
		return "", nil, nil, errors.New(usage)
	}
	re, err := compile(a[0])
	return s, a, re, err
}

func regexReplace(r *engine.Run, n *hyperlambda.Node) error {
	s, a, re, err := patternArgs(r, n, 2, "needs two children: the pattern and the replacement")
	if err != nil {
		return err
	}
	// An upper bound of the result, before building it: each match adds
	// the replacement, whose every $ may expand to a whole match.
	found := re.FindAllStringIndex(s, -1)
	longest := 0
	for _, m := range found {
		longest = max(longest, m[1]-m[0])
	}
	if err := r.OutputRoom(len(s) + len(found)*(len(a[1])+strings.Count(a[1], "$")*longest)); err != nil {
		return err
	}
	n.Clear()
	return setText(r, n, re.ReplaceAllString(s, a[1]))
}

func matches(r *engine.Run, n *hyperlambda.Node) error {
	s, _, re, err := patternArgs(r, n, 1, "needs one child: the pattern")
	if err != nil {
		return err
	}
	found := re.FindAllString(s, -1)
	if err := r.Created(len(found)); err != nil {
		return err
	}
	n.Clear()
	n.Value = nil
	for _, m := range found {
		n.Add(hyperlambda.New(".", m))
	}
	return nil
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
		lambda, err := hyperlambda.ParseString(strings.TrimSpace(code), hyperlambda.ParseOptions{MaxDepth: r.Policy().Budgets.Depth})
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
