package ioslots

// The stream slots: io.stream.open-file, io.stream.read,
// io.stream.save-file, io.stream.close and io.content.zip-stream.
//
// In the reference a stream is a .NET Stream object held as a node's
// value: a file opened for reading, a zip built in memory, or an uploaded
// file's request stream ([.arguments/*/file/*/stream]), passed around by
// expressions and consumed by io.stream.read (everything left, as bytes)
// or io.stream.save-file (everything left, into a file). Here a stream is
// a *Stream value with the same life: it belongs to the run that made it
// (a host-made one to the first run that uses it), reads from where the
// last read stopped, and refuses use after io.stream.close.
//
// A file stream holds no open file between slots: it remembers the
// sandbox, the path and the file's identity, and each use opens the file
// again through the sandbox's os.Root, checks it is still the same file
// and reads from the stream's position. So a program that never closes
// its stream leaks nothing: when the run ends nothing is open, without
// a release hook in the engine, and any other run (which a stream could
// reach through a dynamic slot's body or a host keeping the executed
// lambda) is refused it. A file stream is usable
// only under a policy with the same sandbox root it was opened in, and
// every read is bounded by that policy's max-read-bytes and counted
// against the run's output budget, as io.file.load.binary.

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// registerStreams adds the stream slots to e.
func registerStreams(e *engine.Engine) error {
	stream := whitelist.ValueSpec{Required: true, Expr: true, Doc: "the stream, e.g. x:@io.stream.open-file"}
	path := whitelist.ValueSpec{Required: true, Expr: true, Doc: "sandbox path, e.g. /uploads/photo.png"}
	return e.RegisterAll(
		engine.Slot{Sig: whitelist.Signature{Name: "io.stream.open-file", Doc: "value := a stream reading the file (paths and sizes as io.file.load)",
			Value: path, Effects: read}, Fn: openFile},
		engine.Slot{Sig: whitelist.Signature{Name: "io.stream.read", Doc: "value := the rest of the stream, as bytes",
			Value: stream, Effects: read}, Fn: readStream},
		engine.Slot{Sig: whitelist.Signature{Name: "io.stream.save-file", Doc: "evaluates its children and writes the rest of the first one's stream to the file",
			Value: path, Children: whitelist.Code, Effects: read | write,
			Args: []whitelist.Arg{{Name: "overwrite", Type: "bool", Doc: "false: an existing file is an error (default true)"}}}, Fn: saveStream},
		engine.Slot{Sig: whitelist.Signature{Name: "io.stream.close", Doc: "closes the stream: using it afterwards is an error",
			Value: stream}, Fn: closeStream},
		engine.Slot{Sig: whitelist.Signature{Name: "io.content.zip-stream", Doc: "evaluates its children; value := a zip stream with one entry per child: the child's value is the entry's name, its first child's value (text or bytes) the content",
			Children: whitelist.Entries}, Fn: zipStream},
	)
}

// streamsKey keys the run's streamOwner extension.
type streamsKey struct{}

// streamOwner stands for one run: a stream records the one it belongs to.
type streamOwner struct {
	_ byte // not zero-sized: pointers to two owners must differ
}

func owner(r *engine.Run) *streamOwner {
	return r.Extension(streamsKey{}, func() any { return &streamOwner{} }).(*streamOwner)
}

// Stream is a stream value: a file in a sandbox or bytes in memory, read
// from a position. Hosts make one with NewStream; slots with
// io.stream.open-file and io.content.zip-stream.
type Stream struct {
	mu     sync.Mutex // a leaked stream may be reached by two runs at once
	owner  *streamOwner
	name   string // what it shows: a sandbox path, "zip", an upload's name
	pos    int64
	closed bool

	// A file stream: the sandbox's host folder, the path in it and the
	// file's identity when it was opened.
	dir, rel string
	ident    os.FileInfo

	// A memory stream.
	data []byte
}

// NewStream is a stream of data named name (an uploaded file's content,
// say), for a host to put in a run's arguments as the reference's
// endpoints put [.arguments/*/file/*/stream]. It belongs to the first run
// that uses it.
func NewStream(name string, data []byte) *Stream { return &Stream{name: name, data: data} }

// String is what the executed lambda shows for the stream.
func (s *Stream) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	kind := "stream"
	if s.ident != nil {
		kind = "file stream"
	}
	if s.closed {
		return fmt.Sprintf("[%s %s, closed]", kind, s.name)
	}
	return fmt.Sprintf("[%s %s]", kind, s.name)
}

// describe names a value's type for an error.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case *Stream:
		return "a stream " + x.name
	}
	if t := hyperlambda.TypeOf(v); t != "?" {
		return t
	}
	return fmt.Sprintf("%T", v)
}

// streamOf reads n's value (expressions followed) as a stream of this
// run, open unless closedOK, and locks it; the caller unlocks it. A
// stream no run has used yet (a host's) becomes this run's.
func streamOf(r *engine.Run, n *hyperlambda.Node, closedOK bool) (*Stream, error) {
	v, err := hyperlambda.Value(n)
	if err != nil {
		return nil, err
	}
	s, ok := v.(*Stream)
	if !ok || s == nil {
		return nil, fmt.Errorf("needs a stream (from io.stream.open-file, io.content.zip-stream or an uploaded file), not %s", describe(v))
	}
	s.mu.Lock()
	me := owner(r)
	if s.owner == nil {
		s.owner = me
	}
	switch {
	case s.owner != me:
		s.mu.Unlock()
		return nil, fmt.Errorf("stream %s belongs to another run: a stream lives only in the run that made it", s.name)
	case s.closed && !closedOK:
		s.mu.Unlock()
		return nil, fmt.Errorf("stream %s is closed", s.name)
	}
	return s, nil
}

// rest reads the stream from its position to its end and moves the
// position there; room is asked, before anything is read, whether that
// many bytes may be. A file stream is read under the active policy's
// sandbox, which must be the one it was opened in, within its
// max-read-bytes, and only while the path still names the same file.
func (s *Stream) rest(r *engine.Run, n *hyperlambda.Node, room func(int64) error) ([]byte, error) {
	if s.ident == nil {
		pos := min(s.pos, int64(len(s.data)))
		if err := room(int64(len(s.data)) - pos); err != nil {
			return nil, err
		}
		s.pos = int64(len(s.data))
		return s.data[pos:], nil
	}
	sb, err := open(r, n)
	if err != nil {
		return nil, err
	}
	defer sb.root.Close()
	if sb.dir != s.dir {
		return nil, r.Deny(n, fmt.Sprintf("policy %s refuses stream %s: it was opened in another file sandbox", r.Policy().Name, s.name))
	}
	// The policy reading it now may protect the file as a database's
	// (a stream handed to a slot of another policy; audit 12).
	if _, err := sb.resolve(r, n, "/"+s.rel); err != nil {
		return nil, err
	}
	f, fi, err := sb.openRead(r, n, s.name, s.rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if !os.SameFile(fi, s.ident) {
		return nil, fmt.Errorf("stream %s: the file was replaced or deleted after io.stream.open-file", s.name)
	}
	if s.pos >= fi.Size() {
		return []byte{}, room(0)
	}
	if err := room(fi.Size() - s.pos); err != nil {
		return nil, err
	}
	if _, err := f.Seek(s.pos, io.SeekStart); err != nil {
		return nil, sb.fail(r, n, s.name, err)
	}
	b, err := sb.readRest(r, n, s.name, f)
	if err != nil {
		return nil, err
	}
	s.pos += int64(len(b))
	return b, nil
}

// openFile opens the file at n's sandbox path as a stream, with the
// checks of io.file.load: a file over max-read-bytes is refused now.
func openFile(r *engine.Run, n *hyperlambda.Node) error {
	sb, _, rel, err := pathArg(r, n)
	if err != nil {
		return err
	}
	defer sb.root.Close()
	name := "/" + rel
	f, fi, err := sb.openRead(r, n, name, rel)
	if err != nil {
		return err
	}
	f.Close()
	n.Value = &Stream{owner: owner(r), name: name, dir: sb.dir, rel: rel, ident: fi}
	return nil
}

// readStream is io.stream.read: the rest of the stream as bytes, counted
// against the output budget before it is read.
func readStream(r *engine.Run, n *hyperlambda.Node) error {
	s, err := streamOf(r, n, false)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	b, err := s.rest(r, n, func(left int64) error { return r.OutputRoom(int(left)) })
	if err != nil {
		return err
	}
	if err := r.Output(len(b)); err != nil {
		return err
	}
	if s.ident == nil {
		b = bytes.Clone(b) // the node must not share the stream's memory
	}
	n.Value = b
	return nil
}

// saveStream writes what is left of its first child's stream to the file
// at its sandbox path, within the policy's sizes: the reference's
// io.stream.save-file. [overwrite] is taken out before the children are
// evaluated, as the reference does.
func saveStream(r *engine.Run, n *hyperlambda.Node) error {
	overwrite := true
	if v, ok, err := r.Arg(n, "overwrite"); err != nil {
		return err
	} else if ok {
		b, isBool := v.(bool)
		if !isBool {
			return fmt.Errorf("[overwrite] must be true or false, not %s", describe(v))
		}
		overwrite = b
		if c, _ := r.ArgNode(n, "overwrite"); c != nil {
			c.Detach()
		}
	}
	if err := r.Eval(n); err != nil {
		return err
	}
	if n.Len() == 0 {
		return fmt.Errorf("needs the stream as its first child, e.g. %s:/uploads/a.png / get-value:x:@.arguments/*/file/*/stream", n.Name)
	}
	// The stream is checked first (without reading it), then the
	// destination: a refused path consumes nothing.
	s, err := streamOf(r, n.Child(0), false)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	sb, p, rel, err := pathArg(r, n)
	if err != nil {
		return err
	}
	defer sb.root.Close()
	b, err := s.rest(r, n, func(left int64) error {
		if max := sb.fc.MaxWriteBytes; left > max {
			return r.Deny(n, fmt.Sprintf("policy %s refuses writing %q: %d bytes is over max-write-bytes %d", r.Policy().Name, p, left, max))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return sb.write(r, n, p, rel, b, overwrite)
}

// closeStream closes the stream; closing it again does nothing, as
// .NET's Close.
func closeStream(r *engine.Run, n *hyperlambda.Node) error {
	s, err := streamOf(r, n, true)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.closed = true
	s.data = nil
	return nil
}

// zipStream builds a zip in memory: each child (evaluated first, as its
// own children are) names an entry by its value and gives the content
// as its first child's value, text (UTF-8) or bytes. Entry names are
// relative paths: a leading / is dropped, and "..", empty segments and
// backslashes are refused, so extracting the zip cannot write outside the
// folder it is extracted into. The zip's bytes count against the output
// budget as they are made.
func zipStream(r *engine.Run, n *hyperlambda.Node) error {
	if err := r.Eval(n); err != nil {
		return err
	}
	out := &budgetBuffer{r: r}
	zw := zip.NewWriter(out)
	seen := map[string]bool{}
	for _, c := range n.Children() {
		if err := r.Eval(c); err != nil {
			return err
		}
		v, err := hyperlambda.Value(c)
		if err != nil {
			return err
		}
		name, err := entryName(hyperlambda.StringOf(v))
		if err != nil {
			return err
		}
		if seen[name] {
			return fmt.Errorf("entry %q is given twice", name)
		}
		seen[name] = true
		var content any
		if c.Len() > 0 {
			if content, err = hyperlambda.Value(c.Child(0)); err != nil {
				return err
			}
		}
		var data []byte
		switch x := content.(type) {
		case string:
			data = []byte(x)
		case []byte:
			data = x
		case nil:
			return fmt.Errorf("entry %q has no content: give it a child holding text or bytes", name)
		default:
			return fmt.Errorf("entry %q: the content must be text or bytes, not %s", name, describe(content))
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := r.Output(out.Len()); err != nil {
		return err
	}
	n.Value = &Stream{owner: owner(r), name: zipName(len(seen)), data: out.Bytes()}
	return nil
}

// zipName is how a zip stream of count entries shows.
func zipName(count int) string {
	if count == 1 {
		return "zip of 1 entry"
	}
	return fmt.Sprintf("zip of %d entries", count)
}

// entryName makes a zip entry's name a relative slash path of plain
// segments.
func entryName(name string) (string, error) {
	clean := strings.TrimLeft(name, "/")
	if clean == "" {
		return "", fmt.Errorf("entry %q: a zip entry needs a file name", name)
	}
	if strings.ContainsAny(clean, "\\:") {
		return "", fmt.Errorf("entry %q: a zip entry's path uses / between folders, no backslash or colon", name)
	}
	for _, seg := range strings.Split(clean, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", fmt.Errorf("entry %q: %q is not a file or folder name", name, seg)
		}
	}
	return clean, nil
}

// budgetBuffer is a buffer that refuses to grow past the run's output
// budget, so a zip bigger than the budget is never built.
type budgetBuffer struct {
	bytes.Buffer
	r *engine.Run
}

func (b *budgetBuffer) Write(p []byte) (int, error) {
	if err := b.r.OutputRoom(b.Len() + len(p)); err != nil {
		return 0, err
	}
	return b.Buffer.Write(p)
}
