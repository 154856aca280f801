// Package xmlslots converts between XML and lambda, as the reference's
// magic.lambda.xml: xml2lambda parses one XML document into its root
// element's node, where an element is a node named by its (qualified)
// name, each attribute a child "@name" holding the attribute's text,
// each run of text a child "#text" and each CDATA section a child
// "#cdata-section"; comments, processing instructions, the DOCTYPE and
// whitespace-only text are dropped. lambda2xml writes one such element
// back, indented as .NET's XmlWriter does.
//
// Unlike the reference, text is decoded once (the reference decodes it a
// second time as HTML), a DTD is never interpreted (so an entity it
// declares is an unknown entity: no entity bomb, no external entity),
// names keep their namespace prefixes in both directions, lambda2xml
// writes "#cdata-section" nodes as CDATA and an element's own value as its
// text, and both slots are bounded: nesting by the depth budget, every
// node by the node budget before it is made, the text written by the
// output budget (checked piece by piece as it is escaped), and the work
// by the step budget: xml2lambda charges for the text before it parses
// it and for the nodes as it makes them, lambda2xml for the nodes and
// bytes it writes, and a parse that ends past the deadline is an error.
package xmlslots

import (
	"hlstudio/engine"
	"hlstudio/whitelist"
)

// Register adds the family to e.
func Register(e *engine.Engine) error {
	for _, s := range []engine.Slot{
		{Sig: whitelist.Signature{Name: "xml2lambda", Doc: "parses its XML value into one child, the root element: elements are nodes named by their tag, attributes children \"@name\", text children \"#text\", CDATA children \"#cdata-section\"; comments and whitespace-only text are dropped",
			Value: whitelist.ValueSpec{Required: true, Expr: true}}, Fn: xml2lambda},
		{Sig: whitelist.Signature{Name: "lambda2xml", Doc: "XML of the one element selected by its expression (or given as its only child), in xml2lambda's shape: \"@name\" children are attributes, \"#text\" children text, \"#cdata-section\" children CDATA; indented with CRLF line breaks",
			Value: whitelist.ValueSpec{Expr: true}, Children: whitelist.Data}, Fn: lambda2xml},
	} {
		if err := e.Register(s); err != nil {
			return err
		}
	}
	return nil
}
