package logslots

import (
	"errors"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// mailSend is the reference's [mail.smtp.send] (196 uses in the public
// corpus). A studio run may not reach the network, so each [message] is
// recorded in the run's log instead of sent: level "mail", the subject,
// and the message (to, from, cc, bcc, reply-to, subject, entity) as JSON,
// its expressions read where they stand. A [server] section (host,
// credentials) is accepted and never recorded.
func mailSend() engine.Slot {
	return engine.Slot{
		Sig: whitelist.Signature{Name: "mail.smtp.send", Doc: "records each [message] in the run's log (nothing is sent): to, from, subject, and an entity with its content",
			Children: whitelist.Arguments, Effects: whitelist.Logs, Args: []whitelist.Arg{
				{Name: "message", Doc: "a mail: to (at least one), from, cc, bcc, reply-to, subject, entity; one slot may send several"},
				{Name: "server", Doc: "SMTP settings; ignored, as nothing is sent"},
			}},
		Fn: send,
	}
}

func send(r *engine.Run, n *hyperlambda.Node) error {
	for _, msg := range n.Children() {
		if msg.Name != "message" {
			continue
		}
		to := 0
		subject := ""
		for _, c := range msg.Children() {
			switch c.Name {
			case "to":
				to += c.Len()
			case "subject":
				v, err := hyperlambda.Value(c)
				if err != nil {
					return err
				}
				subject = hyperlambda.StringOf(v)
			}
		}
		if to == 0 {
			return errors.New("no [to] recipient found in [message]")
		}
		js, err := payloadJSON(r, msg)
		if err != nil {
			return err
		}
		if err := r.Log(engine.LogEntry{Level: "mail", Message: subject, Fields: []engine.LogField{{Name: "message", Value: js}}}); err != nil {
			return err
		}
	}
	return nil
}
