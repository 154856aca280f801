package yamlslots

import (
	"bytes"

	"go.yaml.in/yaml/v3"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
)

// Each slot charges its work to the step budget as it goes (meter.go)
// and checks the deadline before it returns, so that none succeeds past
// it.

// parseValue parses n's YAML value for a run, the parse charged as it
// goes; go-yaml cannot be interrupted, so the deadline is checked after.
func parseValue(r *engine.Run, n *hyperlambda.Node) (*yaml.Node, *meter, error) {
	text, err := engine.TextValue(n, "YAML")
	if err != nil {
		return nil, nil, err
	}
	work := newMeter(r.Charge)
	root, err := parse(text, parseLimit(r.Policy().Budgets.Nodes), work)
	if err != nil {
		return nil, nil, err
	}
	return root, work, r.Interrupted()
}

func yaml2lambda(r *engine.Run, n *hyperlambda.Node) error {
	root, work, err := parseValue(r, n)
	if err != nil {
		return err
	}
	b := r.Policy().Budgets
	// Built aside, so that a failure leaves n as it was.
	tmp := hyperlambda.New("", nil)
	if root != nil {
		made := func(k int) error {
			if err := r.Created(k); err != nil {
				return err
			}
			return work.add(int64(k) * makeNs)
		}
		if err := newWalker(b.Depth, b.Nodes, work).toLambda(root, tmp, 0, made); err != nil {
			return err
		}
	}
	if err := finish(r, work); err != nil {
		return err
	}
	// A mapping or sequence fills n's children; a lone scalar becomes
	// n's value (as json2lambda); an empty document leaves nothing.
	n.Clear()
	n.Value = tmp.Value
	n.MoveChildren(tmp)
	return nil
}

func yaml2json(r *engine.Run, n *hyperlambda.Node) error {
	root, work, err := parseValue(r, n)
	if err != nil {
		return err
	}
	b := r.Policy().Budgets
	var buf bytes.Buffer
	if root == nil {
		buf.WriteString("null") // an empty document, as the reference
	} else if err := newWalker(b.Depth, b.Nodes, work).toJSON(root, &buf, 0, r.OutputRoom); err != nil {
		return err
	}
	if err := finish(r, work); err != nil {
		return err
	}
	return r.SetText(n, buf.String())
}

func lambda2yaml(r *engine.Run, n *hyperlambda.Node) error {
	// As lambda2json: the selected nodes, or without an expression the
	// children, are the members of the mapping or items of the sequence.
	src, err := engine.SelectedOrChildren(n)
	if err != nil {
		return err
	}
	work := newMeter(r.Charge)
	converted := func(k int) error {
		if err := r.Created(k); err != nil {
			return err
		}
		return work.add(int64(k) * convertNs)
	}
	root := newLambdaList(src, n, 0, r.Policy().Budgets.Depth, converted)
	// CRLF, as the reference's serializer is told to write.
	out, err := emit(root, "\r\n", r.OutputRoom, work)
	if err != nil {
		return err
	}
	if err := finish(r, work); err != nil {
		return err
	}
	return r.SetText(n, out)
}

func json2yaml(r *engine.Run, n *hyperlambda.Node) error {
	text, err := engine.TextValue(n, "JSON")
	if err != nil {
		return err
	}
	work := newMeter(r.Charge)
	if err := work.now(int64(len(text)) * jsonNsPerByte); err != nil {
		return err
	}
	read := func(k int) error {
		if err := r.Created(k); err != nil {
			return err
		}
		return work.add(int64(k) * convertNs)
	}
	root, err := readJSON(text, r.Policy().Budgets.Depth, read)
	if err != nil {
		return err
	}
	// The reference's serializer here keeps the platform's line break
	// ("\n" on the Linux servers it runs on).
	out, err := emit(jsonTree{root}, "\n", r.OutputRoom, work)
	if err != nil {
		return err
	}
	if err := finish(r, work); err != nil {
		return err
	}
	return r.SetText(n, out)
}

// finish charges the work still pending and refuses a result made past
// the deadline.
func finish(r *engine.Run, work *meter) error {
	if err := work.flush(); err != nil {
		return err
	}
	return r.Interrupted()
}
