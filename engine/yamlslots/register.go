// Package yamlslots converts between YAML and lambda (and JSON), as the
// reference's YAML slots of magic.lambda.json: yaml2lambda, lambda2yaml,
// yaml2json and json2yaml.
//
// A mapping becomes nodes named by its keys, a sequence nodes named ".",
// as json2lambda builds them, so the two agree; a document that is a
// lone scalar becomes the node's value. Unlike the reference (YamlDotNet
// without a type, which makes every scalar a string), plain scalars are
// typed by YAML 1.2's core schema: integers (decimal, 0x, 0o) are long,
// floats decimal when a .NET decimal holds them exactly (else double),
// true/false bool, null null, a plain date-time a date; what only YAML
// 1.1 makes a number (01234, 1_000, 0b11) stays text, as quoted scalars
// do. Anchors and aliases are expanded and merge keys (<<) merged;
// duplicate keys (<< too), cycles and several documents are errors.
//
// Bounds: the text is parsed whole (go.yaml.in/yaml/v3, which refuses
// 10,000 levels of nesting itself), so its size is refused beyond the
// node budget's number of bytes (64 KiB to 1 MiB) before parsing; every
// node made counts against the node budget before it is made, and what
// is expanded without making a node (yaml2json, merged keys a mapping
// overrides) is counted the same way, so a "billion laughs" ends at the
// node budget; nesting, through aliases too, is capped by the depth
// budget; every text written counts against the output budget as it is
// written. The work (bytes parsed, nodes expanded, made and written) is
// charged to the step budget as it is done (meter.go), so the deadline
// is checked throughout and no slot succeeds past it. go-yaml's emitter
// is given a large document a piece at a time (pieces.go), as it keeps
// all of a document's events until the end.
package yamlslots

import (
	"hlstudio/engine"
	"hlstudio/whitelist"
)

// Register adds the family to e.
func Register(e *engine.Engine) error {
	for _, s := range []engine.Slot{
		{Sig: whitelist.Signature{Name: "yaml2lambda", Doc: "parses its YAML value into children: mapping keys become names, sequence items nodes named \".\", scalars typed values (quoted ones text)",
			Value: whitelist.ValueSpec{Required: true, Expr: true}}, Fn: yaml2lambda},
		{Sig: whitelist.Signature{Name: "lambda2yaml", Doc: "YAML of the selected nodes (or of its children): named nodes make a mapping, nodes named \".\" or \"\" a sequence",
			Value: whitelist.ValueSpec{Expr: true}, Children: whitelist.Data}, Fn: lambda2yaml},
		{Sig: whitelist.Signature{Name: "yaml2json", Doc: "JSON of its YAML value, scalars written as lambda2json writes yaml2lambda's values",
			Value: whitelist.ValueSpec{Required: true, Expr: true}}, Fn: yaml2json},
		{Sig: whitelist.Signature{Name: "json2yaml", Doc: "YAML of its JSON value: objects become mappings, arrays sequences, numbers and date-times stay plain",
			Value: whitelist.ValueSpec{Required: true, Expr: true}}, Fn: json2yaml},
	} {
		if err := e.Register(s); err != nil {
			return err
		}
	}
	return nil
}
