package xmlslots

import (
	"fmt"
	"strings"
)

// isNameStart and isNameChar are XML 1.0 (fifth edition) NameStartChar
// and NameChar without the colon, which separates a prefix instead.
func isNameStart(c rune) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		return true
	case c < 0xC0:
		return false
	}
	return c <= 0xD6 || c >= 0xD8 && c <= 0xF6 || c >= 0xF8 && c <= 0x2FF ||
		c >= 0x370 && c <= 0x37D || c >= 0x37F && c <= 0x1FFF || c == 0x200C || c == 0x200D ||
		c >= 0x2070 && c <= 0x218F || c >= 0x2C00 && c <= 0x2FEF || c >= 0x3001 && c <= 0xD7FF ||
		c >= 0xF900 && c <= 0xFDCF || c >= 0xFDF0 && c <= 0xFFFD || c >= 0x10000 && c <= 0xEFFFF
}

func isNameChar(c rune) bool {
	return isNameStart(c) || c >= '0' && c <= '9' || c == '-' || c == '.' || c == 0xB7 ||
		c >= 0x300 && c <= 0x36F || c == 0x203F || c == 0x2040
}

func isNCName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if i == 0 && !isNameStart(c) || i > 0 && !isNameChar(c) {
			return false
		}
	}
	return true
}

// isQName reports whether s is an XML name with at most one prefix
// ("a", "soap:Envelope").
func isQName(s string) bool {
	prefix, local, found := strings.Cut(s, ":")
	if !found {
		return isNCName(s)
	}
	return isNCName(prefix) && isNCName(local)
}

// prefixOf is the namespace prefix of a qualified name, "" for none.
func prefixOf(qname string) string {
	prefix, _, found := strings.Cut(qname, ":")
	if !found {
		return ""
	}
	return prefix
}

// isXMLChar reports whether c may appear in an XML 1.0 document.
func isXMLChar(c rune) bool {
	return c == 0x9 || c == 0xA || c == 0xD || c >= 0x20 && c <= 0xD7FF ||
		c >= 0xE000 && c <= 0xFFFD || c >= 0x10000 && c <= 0x10FFFF
}

// scopes tracks the namespace prefixes declared by the open elements
// (xmlns:p attributes), so a name using an undeclared prefix is refused
// as XML's namespace rules (and the reference's parser) require. Counts
// per prefix keep a look-up constant however many are declared.
type scopes struct {
	levels   [][]string // the prefixes each open element declares
	declared map[string]int
}

func (s *scopes) push(prefixes []string) {
	s.levels = append(s.levels, prefixes)
	if len(prefixes) > 0 && s.declared == nil {
		s.declared = map[string]int{}
	}
	for _, p := range prefixes {
		s.declared[p]++
	}
}

func (s *scopes) pop() {
	for _, p := range s.levels[len(s.levels)-1] {
		s.declared[p]--
	}
	s.levels = s.levels[:len(s.levels)-1]
}

func (s *scopes) has(prefix string) bool {
	return prefix == "" || prefix == "xml" || s.declared[prefix] > 0
}

// declares is the prefix an attribute named name declares ("p" for
// xmlns:p), ok false for any other attribute.
func declares(name string) (prefix string, ok bool) {
	return strings.CutPrefix(name, "xmlns:")
}

// checkPrefixes refuses an element or attribute name whose prefix is not
// declared in scope (the element's own declarations are pushed first).
func (s *scopes) checkPrefixes(element string, attributes []string) error {
	if p := prefixOf(element); p == "xmlns" || !s.has(p) {
		return fmt.Errorf("the prefix %q of <%s> is not declared (add an xmlns:%s attribute)", p, element, p)
	}
	for _, a := range attributes {
		if p := prefixOf(a); p != "xmlns" && !s.has(p) {
			return fmt.Errorf("the prefix %q of attribute %s on <%s> is not declared (add an xmlns:%s attribute)", p, a, element, p)
		}
	}
	return nil
}

// repeated is a name given twice in names, if any: a scan for the usual
// handful, a set beyond (a hostile tag may carry a million attributes).
func repeated(names []string) (string, bool) {
	if len(names) <= 16 {
		for i, a := range names {
			for _, b := range names[:i] {
				if a == b {
					return a, true
				}
			}
		}
		return "", false
	}
	seen := make(map[string]struct{}, len(names))
	for _, a := range names {
		if _, ok := seen[a]; ok {
			return a, true
		}
		seen[a] = struct{}{}
	}
	return "", false
}
