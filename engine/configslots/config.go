// Package configslots is config.get: settings come from the active
// policy's config map, never from the process environment or files, so a
// generated program sees exactly the configuration its policy grants.
package configslots

import (
	"fmt"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// Register adds the family to e.
func Register(e *engine.Engine) error {
	return e.Register(engine.Slot{
		Sig: whitelist.Signature{Name: "config.get", Doc: "the policy's config value for a key (e.g. magic:smtp:host); null when absent, or its [default]",
			Value: whitelist.ValueSpec{Required: true, Expr: true, Doc: "the key"}, Children: whitelist.Arguments,
			Args: []whitelist.Arg{{Name: "default", Doc: "value when the key is absent"}}},
		Fn: get,
	})
}

func get(r *engine.Run, n *hyperlambda.Node) error {
	k, err := hyperlambda.Value(n)
	if err != nil {
		return err
	}
	key := hyperlambda.StringOf(k)
	if key == "" {
		return fmt.Errorf(`needs a key, e.g. config.get:"app:name"`)
	}
	def, _, err := r.Arg(n, "default")
	if err != nil {
		return err
	}
	n.Clear()
	if v, ok := r.Policy().Constraints().Config[key]; ok {
		n.Value = v
		return r.Output(len(v))
	}
	n.Value = def
	return nil
}
