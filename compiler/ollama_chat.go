package compiler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ollama/ollama/api"
)

// Message is one chat message; Role is "system", "user" or "assistant".
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// ChatRequest is one generation.
type ChatRequest struct {
	Model    string
	Messages []Message
	// Options go to the server as a map, so temperature 0 and seed 0 are
	// sent (api.Options drops zero values). Keys are Ollama's:
	// "temperature", "seed", "num_predict", "num_ctx", "top_k", ...
	Options map[string]any
	// Format constrains the output: nil for free text, `"json"`, or a JSON
	// schema such as RowsSchema (grammar-constrained decoding).
	Format json.RawMessage
	// KeepAlive overrides the client's OllamaOptions.KeepAlive.
	KeepAlive *time.Duration
	// MaxBytes cuts the answer (content and thinking) past this many
	// bytes, ErrAnswerTooLong; 0 is DefaultMaxAnswerBytes. A server need
	// not honour num_predict, and the answer is kept in memory, stored
	// and fed back for repair (audit 20).
	MaxBytes int
}

// DefaultMaxAnswerBytes is ChatRequest.MaxBytes when it is 0: programs
// are a few KB; thinking models write more first.
const DefaultMaxAnswerBytes = 1 << 20

// errAnswerTooLong stops the stream at ChatRequest.MaxBytes.
var errAnswerTooLong = errors.New("answer too long")

// ChatResult is the answer and what it cost. It is filled as far as the
// stream got even when Chat returns an error, so a failed attempt can be
// stored with its raw output.
type ChatResult struct {
	Model      string        `json:"model"`
	Content    string        `json:"content"`
	Thinking   string        `json:"thinking,omitempty"` // reasoning models' separate thinking text
	Done       bool          `json:"done"`
	DoneReason string        `json:"done_reason"` // "stop", "length", ...
	Chunks     int           `json:"chunks"`      // stream messages received
	FirstChunk time.Duration `json:"first_chunk"` // wall time to the first chunk
	Wall       time.Duration `json:"wall"`        // wall time of the whole call
	// The server's own accounting, from the done message.
	PromptTokens   int           `json:"prompt_tokens"`
	OutputTokens   int           `json:"output_tokens"`
	LoadTime       time.Duration `json:"load_time"`
	PromptEvalTime time.Duration `json:"prompt_eval_time"`
	EvalTime       time.Duration `json:"eval_time"`
	TotalTime      time.Duration `json:"total_time"`
}

// errFirstToken is the cause of the context cancellation done by the
// first-token timer, to tell it from the caller's own cancellation.
var errFirstToken = errors.New("first-token timeout")

// Chat streams one answer. onToken, if not nil, receives each piece of
// content as it arrives, on the calling goroutine; it should return quickly.
// Canceling ctx stops generation. Errors are *OllamaError; on
// ErrTokenLimit the result holds the whole (cut) answer.
func (o *Ollama) Chat(ctx context.Context, req ChatRequest, onToken func(string)) (ChatResult, error) {
	start := time.Now()
	res := ChatResult{Model: req.Model}
	msgs := make([]api.Message, len(req.Messages))
	for i, m := range req.Messages {
		msgs[i] = api.Message{Role: m.Role, Content: m.Content}
	}
	stream := true
	areq := &api.ChatRequest{Model: req.Model, Messages: msgs, Stream: &stream, Options: req.Options, Format: req.Format}
	if ka := req.KeepAlive; ka != nil || o.keepAlive != nil {
		if ka == nil {
			ka = o.keepAlive
		}
		areq.KeepAlive = &api.Duration{Duration: *ka}
	}
	if areq.Options == nil {
		areq.Options = map[string]any{}
	}

	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var timer *time.Timer
	if o.firstToken > 0 {
		timer = time.AfterFunc(o.firstToken, func() { cancel(errFirstToken) })
		defer timer.Stop()
	}
	w := &streamWatch{}
	var content, thinking strings.Builder
	maxBytes := req.MaxBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxAnswerBytes
	}
	err := o.api.Chat(withWatch(sctx, w), areq, func(r api.ChatResponse) error {
		if content.Len()+thinking.Len()+len(r.Message.Content)+len(r.Message.Thinking) > maxBytes {
			return errAnswerTooLong
		}
		if res.Chunks == 0 {
			res.FirstChunk = time.Since(start)
			if timer != nil {
				timer.Stop()
			}
		}
		res.Chunks++
		if r.Message.Content != "" {
			content.WriteString(r.Message.Content)
			if onToken != nil {
				onToken(r.Message.Content)
			}
		}
		thinking.WriteString(r.Message.Thinking)
		if r.Done {
			res.Done, res.DoneReason = true, r.DoneReason
			res.PromptTokens, res.OutputTokens = r.PromptEvalCount, r.EvalCount
			res.LoadTime, res.PromptEvalTime = r.LoadDuration, r.PromptEvalDuration
			res.EvalTime, res.TotalTime = r.EvalDuration, r.TotalDuration
		}
		return nil
	})
	res.Content, res.Thinking = content.String(), thinking.String()
	res.Wall = time.Since(start)
	if err == nil && !res.Done && sctx.Err() != nil {
		// The api package drops the read error of a canceled stream.
		err = context.Cause(sctx)
	}

	switch {
	case errors.Is(err, errAnswerTooLong):
		return res, &OllamaError{Kind: ErrAnswerTooLong, Host: o.Host(), Op: "chat", Model: req.Model,
			Detail: fmt.Sprintf("%d bytes", maxBytes), Err: err}
	case err != nil && ctx.Err() == nil && context.Cause(sctx) == errFirstToken:
		return res, &OllamaError{Kind: ErrNoFirstToken, Host: o.Host(), Op: "chat", Model: req.Model,
			Detail: o.firstToken.String(), Err: errFirstToken}
	case err != nil:
		return res, o.classify(ctx, "chat", req.Model, err, w)
	case !res.Done:
		// The api package ends quietly on a cut connection or an HTTP error
		// with an empty body; the watcher tells which.
		st, bad := w.state()
		if st >= 400 {
			return res, &OllamaError{Kind: ErrOllamaHTTP, Host: o.Host(), Op: "chat", Model: req.Model, Status: st}
		}
		if bad != "" { // a line the api package stopped at without a word
			return res, &OllamaError{Kind: ErrMalformedStream, Host: o.Host(), Op: "chat", Model: req.Model, Body: bad}
		}
		return res, &OllamaError{Kind: ErrStreamIncomplete, Host: o.Host(), Op: "chat", Model: req.Model,
			Detail: fmt.Sprintf("%d chunks; %s", res.Chunks, w.detail())}
	case res.DoneReason == "length":
		return res, &OllamaError{Kind: ErrTokenLimit, Host: o.Host(), Op: "chat", Model: req.Model,
			Detail: fmt.Sprintf("%d tokens", res.OutputTokens)}
	}
	return res, nil
}
