package logslots

import (
	"errors"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// mailSend is the reference's [mail.smtp.send] (196 uses in the public
// corpus). A studio run may not reach the network, so the mail is
// recorded in the run's log instead of sent: level "mail", the subject,
// and the [message] (to, from, subject, entity and content) as JSON. A
// [server] section (host, credentials) is accepted and never recorded.
func mailSend() engine.Slot {
	return engine.Slot{
		Sig: whitelist.Signature{Name: "mail.smtp.send", Doc: "records a mail in the run's log (nothing is sent): [message] with to, from, subject, entity and content",
			Children: whitelist.Arguments, Effects: whitelist.Logs, Args: []whitelist.Arg{
				{Name: "message", Required: true, Doc: "the mail: to, from, subject, and an entity with its content"},
				{Name: "server", Doc: "SMTP settings; ignored, as nothing is sent"},
			}},
		Fn: send,
	}
}

func send(r *engine.Run, n *hyperlambda.Node) error {
	msg, err := r.ArgNode(n, "message")
	if err != nil {
		return err
	}
	if msg.Len() == 0 {
		return errors.New("[message] needs to, subject and an entity with content")
	}
	js, err := payloadJSON(r, msg)
	if err != nil {
		return err
	}
	subject := ""
	for _, c := range msg.Children() {
		if c.Name == "subject" {
			subject = hyperlambda.StringOf(c.Value)
		}
	}
	return r.Log(engine.LogEntry{Level: "mail", Message: subject, Fields: []engine.LogField{{Name: "message", Value: js}}})
}
