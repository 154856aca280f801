package htmlslots

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/JohannesKaufmann/html-to-markdown/v2/converter"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/base"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/commonmark"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/table"
	"golang.org/x/net/html"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
)

// notProse are elements whose text is not content, dropped as the
// reference drops them (scripts, styling, form machinery).
var notProse = setOf("script", "style", "noscript", "template", "svg", "select", "option", "button", "textarea")

// Spans beyond these are clipped, as HTML clips them: a table converter
// fills every spanned cell, so an unclipped rowspan="2147483647" would
// allocate without end.
const maxColspan = 1000

func html2markdown(r *engine.Run, n *hyperlambda.Node) error {
	text, err := engine.TextValue(n, "HTML")
	if err != nil {
		return err
	}
	page := ""
	if v, ok, err := r.Arg(n, "url"); err != nil {
		return err
	} else if ok && v != nil {
		page = hyperlambda.StringOf(v)
	}
	p := &mdPrep{r: r}
	if p.images, err = r.FlagArg(n, "images", true); err != nil {
		return err
	}
	if p.code, err = r.FlagArg(n, "code", true); err != nil {
		return err
	}
	if p.lists, err = r.FlagArg(n, "lists", true); err != nil {
		return err
	}
	// The parsed document counts against the node budget like the lambda
	// html2lambda would make of it.
	doc, err := parseRun(r, text, true)
	if err != nil {
		return err
	}
	if page != "" {
		if err := p.add(hyperlambda.New("url", page)); err != nil {
			return err
		}
	}
	p.base = strings.TrimSpace(firstBaseHref(doc))
	if p.base == "" {
		p.base, _, _ = strings.Cut(page, "#")
	}
	if err := p.prepare(doc, 0); err != nil {
		return err
	}
	if p.err != nil {
		return p.err
	}
	// What the converter will write, at most, is known now: refused here
	// rather than built.
	if err := r.OutputRoom(p.estimate); err != nil {
		return err
	}
	// The converter runs off the run's goroutine, within its time budget.
	md, err := offThread(r, func() (string, error) { return toMarkdown(doc) })
	if err != nil {
		return err
	}
	if err := r.Output(len(md)); err != nil {
		return err
	}
	n.Clear()
	n.Value = md
	for _, c := range p.children {
		n.Add(c)
	}
	return nil
}

// toMarkdown converts a prepared page with html-to-markdown: CommonMark
// with "*" bullets (as the reference) and pipe tables.
func toMarkdown(doc *html.Node) (string, error) {
	conv := converter.NewConverter(converter.WithPlugins(
		base.NewBasePlugin(),
		commonmark.NewCommonmarkPlugin(commonmark.WithBulletListMarker("*"), commonmark.WithListEndComment(false)),
		table.NewTablePlugin(table.WithCellPaddingBehavior(table.CellPaddingBehaviorMinimal)),
	))
	out, err := conv.ConvertNode(doc)
	if err != nil {
		return "", err
	}
	// As the reference: "{{" and "}}" escaped, so the Markdown can go
	// through a mixin template unchanged.
	return strings.NewReplacer("{{", `\{\{`, "}}", `\}\}`).Replace(string(out)), nil
}

// mdPrep readies a parsed page for the converter as the reference's
// converter reads it: the head's title and meta tags become children,
// links are made absolute and listed in [urls], and what the options
// leave out is removed. It also adds up how much Markdown can come out.
type mdPrep struct {
	r                   *engine.Run
	images, code, lists bool
	base                string // <base href>, else [url] without its fragment
	children            []*hyperlambda.Node
	urls                *hyperlambda.Node
	seen                map[string]bool
	estimate            int
	err                 error // the first budget error listing a link
}

func (p *mdPrep) add(c *hyperlambda.Node) error {
	if err := p.r.Created(1); err != nil {
		return err
	}
	p.children = append(p.children, c)
	return nil
}

// prepare walks h's children; nest counts the list items and quotes
// around them, whose indentation (a marker, at most 4 bytes) every line
// inside repeats.
func (p *mdPrep) prepare(h *html.Node, nest int) error {
	for c := h.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.TextNode {
			// Escaping at most doubles text; every line may be indented.
			p.estimate += 2*len(c.Data) + (strings.Count(c.Data, "\n")+1)*(4*nest+4)
			c = next
			continue
		}
		p.estimate += 4*nest + 8
		switch name := c.Data; {
		case name == "head":
			if err := p.head(c); err != nil {
				return err
			}
			h.RemoveChild(c)
		case notProse[name],
			name == "img" && !p.keepImage(c),
			(name == "ul" || name == "ol") && !p.lists,
			name == "pre" && !p.code:
			h.RemoveChild(c)
		case name == "code" && !p.code, name == "a" && !p.link(c):
			// The text stays, without the markup.
			if err := p.prepare(c, nest); err != nil {
				return err
			}
			unwrap(c)
		case name == "table":
			p.table(c)
			if err := p.prepare(c, nest); err != nil {
				return err
			}
		case name == "li" || name == "blockquote" || name == "dd":
			if err := p.prepare(c, nest+1); err != nil {
				return err
			}
		default:
			if err := p.prepare(c, nest); err != nil {
				return err
			}
		}
		c = next
	}
	return nil
}

// head adds the page's title and its named meta tags, as the reference.
func (p *mdPrep) head(h *html.Node) error {
	for c := h.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		switch c.Data {
		case "title":
			if err := p.add(hyperlambda.New("title", collapseSpace(textOf(c)))); err != nil {
				return err
			}
		case "meta":
			name := attr(c, "name")
			if name == "" {
				name = attr(c, "property")
			}
			if content := collapseSpace(attr(c, "content")); name != "" && content != "" {
				if err := p.add(hyperlambda.New(name, content)); err != nil {
					return err
				}
			}
		default:
			if err := p.head(c); err != nil {
				return err
			}
		}
	}
	return nil
}

// keepImage makes an image's address absolute; images are dropped when
// [images] is false, and inline data: images always (base64 is no prose).
func (p *mdPrep) keepImage(img *html.Node) bool {
	src := strings.TrimSpace(attr(img, "src"))
	if !p.images || src == "" || strings.HasPrefix(strings.ToLower(src), "data:") {
		return false
	}
	setAttr(img, "src", resolveURL(src, p.base))
	if strings.TrimSpace(attr(img, "alt")) == "" {
		setAttr(img, "alt", "Image") // as the reference
	}
	return true
}

// link makes a link's address absolute and lists it in [urls] (without
// its fragment; mailto: and tel: are not pages). Links going nowhere
// (javascript:, "#", none) are not links: false.
func (p *mdPrep) link(a *html.Node) bool {
	href := strings.TrimSpace(attr(a, "href"))
	if href == "" || href == "#" || strings.HasPrefix(strings.ToLower(href), "javascript:") {
		return false
	}
	abs := resolveURL(href, p.base)
	setAttr(a, "href", abs)
	page, _, _ := strings.Cut(abs, "#")
	lower := strings.ToLower(page)
	if page == "" || strings.HasPrefix(lower, "mailto:") || strings.HasPrefix(lower, "tel:") || p.seen[page] {
		return true
	}
	if p.err != nil {
		return true
	}
	if p.urls == nil {
		p.urls = hyperlambda.New("urls", nil)
		if p.err = p.add(p.urls); p.err != nil {
			return true
		}
		p.seen = map[string]bool{}
	}
	if p.err = p.r.Created(1); p.err == nil {
		p.seen[page] = true
		p.urls.Add(hyperlambda.New(".", page))
	}
	return true
}

// table clips spans and adds what the table's Markdown may take: every
// row is filled to the widest row, and a cell spanning rows widens each.
func (p *mdPrep) table(t *html.Node) {
	var rows []*html.Node
	collect(t, func(n *html.Node) bool {
		if n == t || n.Data != "table" {
			if n.Data == "tr" {
				rows = append(rows, n)
			}
			return true
		}
		return false // a nested table is its own table
	})
	widest, spanning := 0, 0
	for i, tr := range rows {
		width := 0
		collect(tr, func(n *html.Node) bool {
			if n.Data != "td" && n.Data != "th" {
				return true
			}
			cols := clipSpan(n, "colspan", maxColspan)
			if clipSpan(n, "rowspan", len(rows)-i) > 1 {
				spanning += cols
			}
			width += cols
			return true
		})
		widest = max(widest, width)
	}
	p.estimate += (len(rows) + 2) * (widest + spanning) * 4
}

// clipSpan limits a colspan or rowspan attribute to 1..limit.
func clipSpan(cell *html.Node, key string, limit int) int {
	v, err := strconv.Atoi(strings.TrimSpace(attr(cell, key)))
	if err != nil || v < 1 {
		return 1
	}
	if v > limit {
		v = max(limit, 1)
		setAttr(cell, key, strconv.Itoa(v))
	}
	return v
}

// collect visits the elements under h (h included); visit returning false
// skips an element's children. The tree is as deep as the depth budget.
func collect(h *html.Node, visit func(*html.Node) bool) {
	if h.Type == html.ElementNode && !visit(h) {
		return
	}
	for c := h.FirstChild; c != nil; c = c.NextSibling {
		collect(c, visit)
	}
}

// resolveURL is the reference's rule: http(s), mailto: and tel: stay;
// "//host/..." takes the base's scheme (https without one); a relative
// address is resolved against the base when there is one.
func resolveURL(raw, base string) string {
	u := strings.ReplaceAll(strings.TrimSpace(raw), " ", "%20")
	lower := strings.ToLower(u)
	for _, abs := range []string{"http://", "https://", "mailto:", "tel:"} {
		if strings.HasPrefix(lower, abs) {
			return u
		}
	}
	b, err := url.Parse(base)
	if strings.HasPrefix(u, "//") {
		if err == nil && b.Scheme != "" {
			return b.Scheme + ":" + u
		}
		return "https:" + u
	}
	if base == "" || err != nil || !b.IsAbs() {
		return u
	}
	ref, err := url.Parse(u)
	if err != nil {
		return u
	}
	return b.ResolveReference(ref).String()
}

func firstBaseHref(doc *html.Node) string {
	href := ""
	collect(doc, func(n *html.Node) bool {
		if href == "" && n.Data == "base" {
			href = attr(n, "href")
		}
		return href == ""
	})
	return href
}

// unwrap puts n's children where n was.
func unwrap(n *html.Node) {
	parent := n.Parent
	for c := n.FirstChild; c != nil; c = n.FirstChild {
		n.RemoveChild(c)
		parent.InsertBefore(c, n)
	}
	parent.RemoveChild(n)
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode {
				b.WriteString(c.Data)
			} else {
				walk(c)
			}
		}
	}
	walk(n)
	return b.String()
}

// collapseSpace trims and makes every run of whitespace one space, as
// the reference tidies titles and meta content.
func collapseSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func setAttr(n *html.Node, key, val string) {
	for i := range n.Attr {
		if n.Attr[i].Key == key {
			n.Attr[i].Val = val
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: key, Val: val})
}
