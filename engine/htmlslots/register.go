// Package htmlslots converts between HTML, lambda and Markdown, as the
// reference's magic.lambda.html: html2lambda and lambda2html (elements
// become nodes named by their tag, attributes "@name" children, text
// "#text" children), markdown2html and html2markdown.
//
// How it differs from the reference: HTML is read by this package's own
// small tree builder over golang.org/x/net/html's tokenizer, as written
// (no html, head, body or tbody are implied, as HtmlAgilityPack), except
// that an unclosed li, p, dt, dd, option, tr, td or th ends where a
// browser ends it instead of swallowing its siblings; lambda2html escapes
// text and attribute values (the reference writes text raw, so decoded
// "&lt;b&gt;" came back as a tag) and refuses names that are not element
// or attribute names; markdown2html is goldmark (CommonMark with tables,
// autolinks, strikethrough, task lists, footnotes, definition lists and
// Markdig's heading ids) and leaves raw HTML out; html2markdown is
// html-to-markdown's CommonMark. Every node made counts against the
// run's node budget before it is made, every text produced against the
// output budget, and nesting deeper than the depth budget is an error.
package htmlslots

import (
	"hlstudio/engine"
	"hlstudio/whitelist"
)

// Register adds the family to e.
func Register(e *engine.Engine) error {
	for _, s := range []engine.Slot{
		{Sig: whitelist.Signature{Name: "html2lambda", Doc: "parses its HTML value into children: an element is a node named by its tag with \"@attribute\" children, text a \"#text\" child; comments and whitespace-only text are dropped",
			Value: whitelist.ValueSpec{Required: true, Expr: true}}, Fn: html2lambda},
		{Sig: whitelist.Signature{Name: "lambda2html", Doc: "HTML of the selected nodes (or of its children), as html2lambda makes them: name = tag, \"@name\" children = attributes, \"#text\" children = text",
			Value: whitelist.ValueSpec{Expr: true}, Children: whitelist.Data}, Fn: lambda2html},
		{Sig: whitelist.Signature{Name: "markdown2html", Doc: "HTML of its Markdown value; YAML front matter becomes children (through yaml2lambda)",
			Value:   whitelist.ValueSpec{Required: true, Expr: true},
			Args:    []whitelist.Arg{{Name: "media", Doc: "image links to YouTube, Vimeo or audio/video files become players"}},
			Signals: []whitelist.Signal{{Slot: "yaml2lambda", When: "for YAML front matter"}}}, Fn: markdown2html},
		{Sig: whitelist.Signature{Name: "html2markdown", Doc: "Markdown of its HTML value; children := [url], the page's title and meta tags, [urls] (the links found)",
			Value: whitelist.ValueSpec{Required: true, Expr: true},
			Args: []whitelist.Arg{
				{Name: "url", Type: "string", Doc: "the page's address, to make relative links absolute"},
				{Name: "images", Doc: "bool: keep images (default true)"},
				{Name: "code", Doc: "bool: keep code blocks (default true)"},
				{Name: "lists", Doc: "bool: keep lists (default true)"},
			}}, Fn: html2markdown},
	} {
		if err := e.Register(s); err != nil {
			return err
		}
	}
	return nil
}
