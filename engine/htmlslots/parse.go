package htmlslots

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"hlstudio/engine"
)

// voidElements never have content: their start tag is the whole element.
var voidElements = setOf("area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param", "source", "track", "wbr")

// closesP are the start tags that end an open paragraph, as in a browser.
var closesP = setOf("address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div", "dl", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "ul")

// The elements an implied end tag closes, and those it does not reach
// through (a nested list's item does not end its parent's item).
var (
	headings     = setOf("h1", "h2", "h3", "h4", "h5", "h6")
	pScope       = setOf("button", "table", "td", "th", "caption", "object", "template", "applet", "marquee")
	liItem       = setOf("li")
	listScope    = setOf("ul", "ol", "menu")
	defItem      = setOf("dt", "dd")
	defScope     = setOf("dl")
	rowItem      = setOf("tr")
	rowScope     = setOf("table", "thead", "tbody", "tfoot")
	cellItem     = setOf("td", "th")
	cellScope    = setOf("tr", "table")
	sectionItem  = setOf("thead", "tbody", "tfoot")
	sectionScope = setOf("table")
	paragraph    = setOf("p")
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, s := range names {
		m[s] = true
	}
	return m
}

// treeBuilder reads HTML into a tree the way the reference's
// HtmlAgilityPack does: elements and text as written, with no html,
// head, body or tbody implied, so an expression written against the
// reference's result (html2lambda/*/table/*/tr) finds the same nodes.
// Unlike it, the end tags a browser implies for li, dt, dd, p, option,
// tr, td and th are implied here too, so a list of unclosed items is a
// list, not items nested in each other. Nothing recurses: depth is
// checked as elements open.
type treeBuilder struct {
	count     func(int) error // told of every node before it is made
	maxDepth  int
	keepSpace bool // keep whitespace-only text (Markdown needs it between words)
	open      []*html.Node
}

// bytesPerStep is how much HTML one step of the run's budget pays for:
// a typical page parses at about 0.1 µs a byte, and a step stands for
// about 5 µs of work.
const bytesPerStep = 32

// parseRun parses text for a run: the bytes are charged to the step
// budget before the work, the nodes to the node budget as they are made,
// and a parse that outlived the deadline ends the run rather than
// returning.
func parseRun(r *engine.Run, text string, keepSpace bool) (*html.Node, error) {
	if err := r.Charge(1 + int64(len(text))/bytesPerStep); err != nil {
		return nil, err
	}
	doc, err := parseHTML(text, r.Policy().Budgets.Depth, keepSpace, r.Created)
	if err != nil {
		return nil, err
	}
	return doc, r.Interrupted()
}

// parseHTML returns text as a tree under a document node. Comments and
// doctypes are dropped, and whitespace-only text unless keepSpace.
func parseHTML(text string, maxDepth int, keepSpace bool, count func(int) error) (*html.Node, error) {
	b := &treeBuilder{count: count, maxDepth: maxDepth, keepSpace: keepSpace}
	root := &html.Node{Type: html.DocumentNode}
	b.open = append(b.open, root)
	z := html.NewTokenizer(strings.NewReader(text))
	for {
		switch z.Next() {
		case html.ErrorToken:
			if err := z.Err(); err != io.EOF {
				return nil, fmt.Errorf("not valid HTML: %w", err)
			}
			return root, nil
		case html.TextToken:
			data := string(z.Text())
			if !keepSpace && strings.TrimSpace(data) == "" {
				continue // as the reference: no whitespace-only #text
			}
			if err := b.count(1); err != nil {
				return nil, err
			}
			b.top().AppendChild(&html.Node{Type: html.TextNode, Data: data})
		case html.StartTagToken:
			if err := b.start(z.Token(), false); err != nil {
				return nil, err
			}
		case html.SelfClosingTagToken:
			// <div/> is an empty div, as HtmlAgilityPack reads it.
			if err := b.start(z.Token(), true); err != nil {
				return nil, err
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			b.end(string(name))
		}
	}
}

func (b *treeBuilder) top() *html.Node { return b.open[len(b.open)-1] }

func (b *treeBuilder) start(tok html.Token, selfClosing bool) error {
	name := tok.Data
	b.closeImplied(name)
	// A repeated attribute keeps its first value, as browsers do. Most
	// tags have a few, scanned; a tag can carry 200,000, found in a set.
	attrs := tok.Attr[:0]
	var seen map[string]bool
	if len(tok.Attr) > 8 {
		seen = make(map[string]bool, len(tok.Attr))
	}
	for _, a := range tok.Attr {
		if seen != nil {
			if seen[a.Key] {
				continue
			}
			seen[a.Key] = true
		} else if slices.ContainsFunc(attrs, func(k html.Attribute) bool { return k.Key == a.Key }) {
			continue
		}
		attrs = append(attrs, html.Attribute{Key: a.Key, Val: a.Val})
	}
	if err := b.count(1 + len(attrs)); err != nil {
		return err
	}
	el := &html.Node{Type: html.ElementNode, Data: name, DataAtom: atom.Lookup([]byte(name)), Attr: attrs}
	b.top().AppendChild(el)
	if selfClosing || voidElements[name] {
		return nil
	}
	if len(b.open) > b.maxDepth {
		return fmt.Errorf("HTML nested deeper than %d elements (the depth budget)", b.maxDepth)
	}
	b.open = append(b.open, el)
	return nil
}

// end closes the innermost open element of that name and whatever is
// open inside it; an end tag that closes nothing is ignored.
func (b *treeBuilder) end(name string) {
	for i := len(b.open) - 1; i > 0; i-- {
		if b.open[i].Data == name {
			b.open = b.open[:i]
			return
		}
	}
}

// closeImplied ends the elements a browser ends before a name start tag.
func (b *treeBuilder) closeImplied(name string) {
	switch name {
	case "li":
		b.closeNearest(liItem, listScope)
	case "dt", "dd":
		b.closeNearest(defItem, defScope)
	case "tr":
		b.closeNearest(rowItem, rowScope)
	case "td", "th":
		b.closeNearest(cellItem, cellScope)
	case "thead", "tbody", "tfoot":
		b.closeNearest(sectionItem, sectionScope)
	case "option":
		b.closeTop("option")
	case "optgroup":
		b.closeTop("option")
		b.closeTop("optgroup")
	}
	if closesP[name] {
		b.closeNearest(paragraph, pScope)
	}
	if headings[name] && headings[b.top().Data] {
		b.open = b.open[:len(b.open)-1]
	}
}

// closeNearest closes the innermost open element named in targets, unless
// an element named in bounds is open inside it.
func (b *treeBuilder) closeNearest(targets, bounds map[string]bool) {
	for i := len(b.open) - 1; i > 0; i-- {
		switch name := b.open[i].Data; {
		case targets[name]:
			b.open = b.open[:i]
			return
		case bounds[name]:
			return
		}
	}
}

func (b *treeBuilder) closeTop(name string) {
	if len(b.open) > 1 && b.top().Data == name {
		b.open = b.open[:len(b.open)-1]
	}
}
