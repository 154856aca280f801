package compiler

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// The api package hides what the stream looked like: it drops the read error
// of a cut connection and returns an undecodable line as a plain error that
// reads like a server message. A transport wrapper watches the raw body of
// each request that carries a streamWatch in its context, so failures can be
// told apart and described.

type watchKey struct{}

func withWatch(ctx context.Context, w *streamWatch) context.Context {
	return context.WithValue(ctx, watchKey{}, w)
}

// streamWatch records one request's response as the api package reads it.
type streamWatch struct {
	mu      sync.Mutex
	status  int    // 0 until a response arrived
	bytes   int64  // body bytes read
	lines   int    // complete lines read
	badLine string // first line that was not JSON
	readErr error  // how the body ended, when not io.EOF
	partial []byte // the current incomplete line
	long    bool   // the current line outgrew maxWatchedLine and is not checked
	lineLen int    // the current line's length so far
	// overlong: a line outgrew the api package's scanner, which then
	// stops reading and drops its error (audit 20).
	overlong bool
}

// apiMaxLine is the api package's scanner limit (8 format.MegaByte).
const apiMaxLine = 8_000_000

// maxWatchedLine bounds the memory spent checking one line; Ollama's lines
// are a few hundred bytes.
const maxWatchedLine = 1 << 20

// state is the response's HTTP status (0 when none arrived) and the first
// line that was not JSON.
func (w *streamWatch) state() (status int, badLine string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.status, w.badLine
}

// detail says how far a stream got, for error messages.
func (w *streamWatch) detail() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := fmt.Sprintf("%d lines, %d bytes", w.lines, w.bytes)
	if w.readErr != nil {
		s += ", then the connection broke: " + w.readErr.Error()
	} else {
		s += ", then the server closed it"
	}
	return s
}

func (w *streamWatch) observe(p []byte, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.bytes += int64(len(p))
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.keep(p)
			break
		}
		w.keep(p[:i])
		w.line()
		p = p[i+1:]
	}
	if err != nil && err != io.EOF && w.readErr == nil {
		w.readErr = err
	}
	if err == io.EOF && (len(w.partial) > 0 || w.long) {
		w.line() // the scanner hands a last unterminated line over too
	}
}

func (w *streamWatch) keep(p []byte) {
	if w.lineLen += len(p); w.lineLen >= apiMaxLine && w.badLine == "" {
		w.overlong = true
		w.badLine = fmt.Sprintf("a line of %d bytes or more, which the client cannot read", apiMaxLine)
	}
	if w.long || len(w.partial)+len(p) > maxWatchedLine {
		w.long, w.partial = true, w.partial[:0]
		return
	}
	w.partial = append(w.partial, p...)
}

// line ends the current line and checks it.
func (w *streamWatch) line() {
	w.lines++
	// Ollama's lines are JSON objects: `"hello"` or `[1]` is JSON too,
	// and the api package reported it as the server failing (audit 20).
	if t := bytes.TrimSpace(w.partial); !w.long && len(t) > 0 && w.badLine == "" && (t[0] != '{' || !json.Valid(t)) {
		w.badLine = string(t)
	}
	w.partial, w.long, w.lineLen = w.partial[:0], false, 0
}

type watchTransport struct{ base http.RoundTripper }

func (t watchTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	if w, ok := r.Context().Value(watchKey{}).(*streamWatch); ok {
		w.mu.Lock()
		w.status = resp.StatusCode
		w.mu.Unlock()
		resp.Body = &watchedBody{ReadCloser: resp.Body, w: w}
	}
	return resp, nil
}

type watchedBody struct {
	io.ReadCloser
	w *streamWatch
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.w.observe(p[:n], err)
	return n, err
}
