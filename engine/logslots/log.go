// Package logslots is what a run writes out, recorded in the run's log
// (shown in the studio and stored with the run), never in the process's
// own log, the terminal or the network: the log.* family, and the
// messages of sockets.signal and mail.smtp.send. Writing to the log is an effect (logs) the
// pure policy does not grant; entries count against the run's output
// budget.
package logslots

import (
	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// Register adds the family to e.
func Register(e *engine.Engine) error {
	for _, s := range []engine.Slot{socketsSignal(), mailSend()} {
		if err := e.Register(s); err != nil {
			return err
		}
	}
	for _, level := range []string{"info", "debug", "error", "fatal"} {
		err := e.Register(engine.Slot{
			Sig: whitelist.Signature{Name: "log." + level, Doc: "writes a " + level + " entry to the run's log: its value is the message, its children named fields",
				Value: whitelist.ValueSpec{Required: true, Expr: true}, Children: whitelist.Arguments, Effects: whitelist.Logs},
			Fn: write(level),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func write(level string) engine.SlotFunc {
	return func(r *engine.Run, n *hyperlambda.Node) error {
		msg, err := hyperlambda.Value(n)
		if err != nil {
			return err
		}
		entry := engine.LogEntry{Level: level, Message: hyperlambda.StringOf(msg)}
		for _, c := range n.Children() {
			v, err := hyperlambda.Value(c)
			if err != nil {
				return err
			}
			entry.Fields = append(entry.Fields, engine.LogField{Name: c.Name, Value: hyperlambda.StringOf(v)})
		}
		return r.Log(entry)
	}
}
