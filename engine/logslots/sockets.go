package logslots

import (
	"errors"

	"hlstudio/engine"
	"hlstudio/engine/jsonslots"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// socketTargets are the reference's ways of addressing connected clients;
// a message names at most one of them (none: everyone).
var socketTargets = []string{"roles", "users", "groups", "clients"}

// socketsSignal is the reference's [sockets.signal], the most generated
// slot of all that hlstudio lacked (2,056 uses in the public corpus: chat
// and progress messages to the browser). The studio has no connected
// clients and the run may not reach the network, so the message is
// recorded in the run's log, where the person sees what would have been
// sent and to whom: level "socket", the message name, the [args] as JSON,
// and the target.
func socketsSignal() engine.Slot {
	args := []whitelist.Arg{{Name: "args", Doc: "the payload, sent as JSON (a copy: expressions in it see only the copy, as in the reference)"}}
	for _, t := range socketTargets {
		args = append(args, whitelist.Arg{Name: t, Doc: "who receives it (comma-separated " + t + "); at most one kind of target, everyone when none"})
	}
	return engine.Slot{
		Sig: whitelist.Signature{Name: "sockets.signal", Doc: "records a socket message in the run's log (nothing is sent): its value is the message name; none, no message",
			Value: whitelist.ValueSpec{Expr: true}, Children: whitelist.Arguments, Args: args, Effects: whitelist.Logs},
		Fn: signal,
	}
}

func signal(r *engine.Run, n *hyperlambda.Node) error {
	v, err := hyperlambda.Value(n)
	if err != nil {
		return err
	}
	entry := engine.LogEntry{Level: "socket", Message: hyperlambda.StringOf(v)}
	targets := 0
	for _, t := range socketTargets {
		v, ok, err := r.Arg(n, t)
		if err != nil {
			return err
		}
		if ok {
			targets++
			entry.Fields = append(entry.Fields, engine.LogField{Name: t, Value: hyperlambda.StringOf(v)})
		}
	}
	if targets > 1 {
		return errors.New("takes one of [roles], [users], [clients] or [groups], or none")
	}
	payload, err := r.ArgNode(n, "args")
	if err != nil {
		return err
	}
	if payload != nil && entry.Message != "" {
		// The reference sends a copy: an expression in it that reaches
		// outside [args] finds nothing (generated code unwraps first).
		cp, err := r.Clone(payload)
		if err != nil {
			return err
		}
		js, err := payloadJSON(r, cp)
		if err != nil {
			return err
		}
		entry.Fields = append([]engine.LogField{{Name: "args", Value: js}}, entry.Fields...)
	}
	n.Clear()
	if entry.Message == "" { // the reference ignores a message without a name
		return nil
	}
	return r.Log(entry)
}

// payloadJSON is what a message would carry: n's children as JSON, with
// expressions replaced by the values they select from where they stand.
func payloadJSON(r *engine.Run, n *hyperlambda.Node) (string, error) {
	if err := engine.UnwrapAll(n); err != nil {
		return "", err
	}
	js, err := jsonslots.Encode(n, r.Policy().Budgets.OutputBytes)
	return string(js), err
}
