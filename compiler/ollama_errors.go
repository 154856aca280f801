package compiler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"

	"github.com/ollama/ollama/api"
)

// ErrorKind says what went wrong talking to Ollama. Each kind is also an
// error value so callers can test with errors.Is(err, compiler.ErrModelNotFound).
type ErrorKind int

// The kinds of OllamaError.
const (
	// ErrOllamaUnreachable: nothing answered at the host (not running,
	// wrong host or port, connection refused or reset before an answer).
	ErrOllamaUnreachable ErrorKind = iota + 1
	// ErrModelNotFound: the server (or, for a pull, the registry) does not
	// have the model.
	ErrModelNotFound
	// ErrOllamaHTTP: the server answered with an HTTP error status.
	ErrOllamaHTTP
	// ErrOllamaFailed: the server reported an error in the middle of a stream.
	ErrOllamaFailed
	// ErrStreamIncomplete: the stream ended without a done message.
	ErrStreamIncomplete
	// ErrNoFirstToken: nothing arrived within the first-token timeout.
	ErrNoFirstToken
	// ErrMalformedStream: a stream line was not the JSON Ollama sends.
	ErrMalformedStream
	// ErrTokenLimit: the answer stopped at num_predict (done_reason "length");
	// the partial answer is still returned.
	ErrTokenLimit
	// ErrCanceled: the caller's context ended the call.
	ErrCanceled
	// ErrAnswerTooLong: the answer grew past the request's MaxBytes and
	// was cut there (a server ignoring num_predict, or an endless stream).
	ErrAnswerTooLong
)

var kindNames = map[ErrorKind]string{
	ErrOllamaUnreachable: "ollama unreachable",
	ErrModelNotFound:     "model not found",
	ErrOllamaHTTP:        "ollama HTTP error",
	ErrOllamaFailed:      "ollama failed",
	ErrStreamIncomplete:  "stream ended without done",
	ErrNoFirstToken:      "no first token",
	ErrMalformedStream:   "malformed stream",
	ErrTokenLimit:        "token limit reached",
	ErrCanceled:          "canceled",
	ErrAnswerTooLong:     "answer too long",
}

func (k ErrorKind) Error() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("ollama error kind %d", int(k))
}

// OllamaError is every error the Ollama client returns. Error() is written
// for the person at the keyboard: it names the host and says what to do.
type OllamaError struct {
	Kind   ErrorKind
	Host   string // base URL of the server
	Op     string // what was being done: "chat", "list models", "show", "pull", "version"
	Model  string // the model, when the call had one
	Status int    // HTTP status for ErrOllamaHTTP and ErrModelNotFound from the server
	Body   string // the server's error text or body, or the malformed line
	Detail string // extra context, e.g. how far a stream got
	Err    error  // the underlying error, if any
}

func (e *OllamaError) Error() string {
	var s string
	switch e.Kind {
	case ErrOllamaUnreachable:
		s = fmt.Sprintf("Ollama is not running at %s (%s): %s, or set OLLAMA_HOST to where it runs", e.Host, e.cause(), HowToStart(e.Host))
	case ErrModelNotFound:
		if e.Op == "pull" {
			s = fmt.Sprintf("the registry has no model %q (pulling through %s: %s): check the name at https://ollama.com/library", e.Model, e.Host, e.Body)
		} else {
			s = fmt.Sprintf("model %q is not on the Ollama server at %s: pull it with `ollama pull %s`", e.Model, e.Host, e.Model)
		}
	case ErrOllamaHTTP:
		body := e.Body
		if body == "" {
			body = "no body"
		}
		s = fmt.Sprintf("Ollama at %s answered %s with HTTP %d: %s; see the server log (or check OLLAMA_HOST points at Ollama)", e.Host, e.Op, e.Status, clip(body))
	case ErrOllamaFailed:
		s = fmt.Sprintf("Ollama at %s failed during %s%s: %s; see the server log", e.Host, e.Op, e.forModel(), clip(e.Body))
	case ErrStreamIncomplete:
		s = fmt.Sprintf("Ollama at %s ended the %s stream%s without a done message (%s): the server may have crashed or stopped a runaway repetition; try again and see the server log", e.Host, e.Op, e.forModel(), e.Detail)
	case ErrNoFirstToken:
		s = fmt.Sprintf("no answer from Ollama at %s%s within %s: the model may still be loading or the server is busy; check `ollama ps`, or raise the first-token timeout", e.Host, e.forModel(), e.Detail)
	case ErrMalformedStream:
		s = fmt.Sprintf("Ollama at %s sent a malformed %s stream line %q: check that OLLAMA_HOST points at an Ollama server of a matching version", e.Host, e.Op, clip(e.Body))
	case ErrTokenLimit:
		s = fmt.Sprintf("model %q at %s stopped at its token limit (num_predict, %s) before finishing: raise num_predict or ask for less", e.Model, e.Host, e.Detail)
	case ErrCanceled:
		s = fmt.Sprintf("%s%s at %s canceled", e.Op, e.forModel(), e.Host)
	case ErrAnswerTooLong:
		s = fmt.Sprintf("Ollama at %s sent an answer%s longer than %s, far beyond any program asked for: cut there; check the model's num_predict and the server", e.Host, e.forModel(), e.Detail)
	default:
		s = fmt.Sprintf("Ollama at %s: %s: %s", e.Host, e.Op, e.cause())
	}
	return s
}

func (e *OllamaError) forModel() string {
	if e.Model == "" {
		return ""
	}
	return fmt.Sprintf(" with model %q", e.Model)
}

// HowToStart says how to start Ollama so that it answers at host (a base
// URL, as ResolveOllamaHost gives): `ollama serve` listens on
// 127.0.0.1:11434 unless its own OLLAMA_HOST says otherwise, so a server
// expected elsewhere needs that variable on its side too.
func HowToStart(host string) string {
	u, err := url.Parse(host)
	if err != nil || u.Hostname() == "" {
		return "start it with `ollama serve`"
	}
	name, port := u.Hostname(), u.Port()
	ip := net.ParseIP(name)
	local := name == "localhost" || ip != nil && (ip.IsLoopback() || ip.IsUnspecified())
	switch {
	case u.Scheme != "http" || strings.Trim(u.Path, "/") != "":
		// TLS or a path: a proxy stands in front of the server.
		return fmt.Sprintf("start Ollama behind %s", host)
	case local && port == "11434":
		return "start it with `ollama serve`"
	case local:
		return fmt.Sprintf("start it with `OLLAMA_HOST=%s ollama serve`", u.Host)
	default:
		return fmt.Sprintf("start it on %s with `OLLAMA_HOST=0.0.0.0:%s ollama serve`", name, port)
	}
}

func (e *OllamaError) cause() string {
	if e.Err == nil {
		return e.Kind.Error()
	}
	if errors.Is(e.Err, syscall.ECONNREFUSED) {
		return "connection refused"
	}
	return e.Err.Error()
}

func (e *OllamaError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrModelNotFound) and the like work.
func (e *OllamaError) Is(target error) bool {
	k, ok := target.(ErrorKind)
	return ok && k == e.Kind
}

// clip keeps error bodies readable: an HTML error page is not a message.
func clip(s string) string {
	s = strings.TrimSpace(s)
	const max = 300
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}

// classify turns what the api package returned into an OllamaError. ctx is
// the caller's context (canceled means the caller asked); w saw the raw
// response, when there was one.
func (o *Ollama) classify(ctx context.Context, op, model string, err error, w *streamWatch) *OllamaError {
	e := &OllamaError{Host: o.host.String(), Op: op, Model: model, Err: err}
	var status api.StatusError
	var auth api.AuthorizationError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	got, bad := w.state()
	switch {
	case ctx.Err() != nil:
		e.Kind, e.Err = ErrCanceled, ctx.Err()
	case errors.As(err, &status):
		e.Kind, e.Status, e.Body = ErrOllamaHTTP, status.StatusCode, status.ErrorMessage
		if isModelNotFound(status.StatusCode, status.ErrorMessage) {
			e.Kind = ErrModelNotFound
		}
	case errors.As(err, &auth):
		e.Kind, e.Status, e.Body = ErrOllamaHTTP, auth.StatusCode, auth.Status
	case bad != "":
		// The api package returns a line it cannot decode as a plain error
		// holding the line; only the watcher knows it was not JSON.
		e.Kind, e.Body = ErrMalformedStream, bad
	case errors.As(err, &syntax), errors.As(err, &typ):
		e.Kind, e.Body = ErrMalformedStream, err.Error()
	case got == 0:
		// No response at all: dial errors, resets and refusals alike mean
		// there is no usable server at the host.
		e.Kind = ErrOllamaUnreachable
	default:
		// A response arrived and then {"error": ...} came down the stream.
		e.Kind, e.Body = ErrOllamaFailed, err.Error()
		if op == "pull" && isPullNotFound(e.Body) {
			e.Kind = ErrModelNotFound
		}
	}
	return e
}

// isModelNotFound tells Ollama's "model 'x' not found" 404 from a 404 of
// something that is not Ollama at all.
func isModelNotFound(status int, msg string) bool {
	return status == 404 && strings.Contains(msg, "model") && strings.Contains(msg, "not found")
}

// isPullNotFound recognises the registry's answer for an unknown model, which
// reaches the client as a plain stream error.
func isPullNotFound(msg string) bool {
	return strings.Contains(msg, "file does not exist") || strings.Contains(msg, "not found")
}
