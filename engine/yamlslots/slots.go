package yamlslots

import (
	"bytes"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
)

func yaml2lambda(r *engine.Run, n *hyperlambda.Node) error {
	text, err := engine.TextValue(n, "YAML")
	if err != nil {
		return err
	}
	b := r.Policy().Budgets
	root, err := parse(text, parseLimit(b.Nodes))
	if err != nil {
		return err
	}
	// Built aside, so that a failure leaves n as it was.
	tmp := hyperlambda.New("", nil)
	if root != nil {
		if err := newWalker(b.Depth, b.Nodes).toLambda(root, tmp, 0, r.Created); err != nil {
			return err
		}
	}
	// A mapping or sequence fills n's children; a lone scalar becomes
	// n's value (as json2lambda); an empty document leaves nothing.
	n.Clear()
	n.Value = tmp.Value
	n.MoveChildren(tmp)
	return nil
}

func yaml2json(r *engine.Run, n *hyperlambda.Node) error {
	text, err := engine.TextValue(n, "YAML")
	if err != nil {
		return err
	}
	b := r.Policy().Budgets
	root, err := parse(text, parseLimit(b.Nodes))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if root == nil {
		buf.WriteString("null") // an empty document, as the reference
	} else if err := newWalker(b.Depth, b.Nodes).toJSON(root, &buf, 0, r.OutputRoom); err != nil {
		return err
	}
	if err := r.Output(buf.Len()); err != nil {
		return err
	}
	n.Clear()
	n.Value = buf.String()
	return nil
}

func lambda2yaml(r *engine.Run, n *hyperlambda.Node) error {
	// As lambda2json: the selected nodes, or without an expression the
	// children, are the members of the mapping or items of the sequence.
	src, err := engine.SelectedOrChildren(n)
	if err != nil {
		return err
	}
	root, err := yamlOfNodes(src, n, 0, r.Policy().Budgets.Depth, r.Created)
	if err != nil {
		return err
	}
	// CRLF, as the reference's serializer is told to write.
	out, err := emit(root, "\r\n", r.OutputRoom)
	if err != nil {
		return err
	}
	if err := r.Output(len(out)); err != nil {
		return err
	}
	n.Clear()
	n.Value = out
	return nil
}

func json2yaml(r *engine.Run, n *hyperlambda.Node) error {
	text, err := engine.TextValue(n, "JSON")
	if err != nil {
		return err
	}
	root, err := yamlOfJSON(text, r.Policy().Budgets.Depth, r.Created)
	if err != nil {
		return err
	}
	// The reference's serializer here keeps the platform's line break
	// ("\n" on the Linux servers it runs on).
	out, err := emit(root, "\n", r.OutputRoom)
	if err != nil {
		return err
	}
	if err := r.Output(len(out)); err != nil {
		return err
	}
	n.Clear()
	n.Value = out
	return nil
}
