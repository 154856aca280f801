// Package ioslots is the file family: io.file.* (io.file.unzip in
// unzip.go), io.folder.*, io.path.get-folder, execute-file, and the
// streams io.stream.* and io.content.zip-stream (stream.go). Every path
// is a sandbox path ("/" is the policy's files root, as the reference's
// files root) checked by whitelist.SandboxPath and opened through an
// os.Root, so "..", encoded
// forms, absolute host paths and symlinks leaving the root never reach a
// file outside it; device files, pipes and sockets are refused, and reads
// and writes are bounded by the policy's sizes. Reading and writing are
// separate effects (read-files, write-files). A refused path is a denial
// naming the path and the policy; it ends the run. Unlike the reference's
// .NET streams, a stream here holds no open file between slots and lives
// only in the run that made it.
package ioslots

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"unicode/utf8"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

const (
	read  = whitelist.ReadFiles
	write = whitelist.WriteFiles
)

// Register adds the family to e.
func Register(e *engine.Engine) error {
	path := whitelist.ValueSpec{Required: true, Expr: true, Doc: "sandbox path, e.g. /notes/todo.txt"}
	dest := []whitelist.Arg{{Name: "destination", Doc: "sandbox path to copy or move to (or the first child's value, as the reference)"}}
	slots := []struct {
		name, doc string
		effects   whitelist.Effect
		role      whitelist.Role
		args      []whitelist.Arg
		fn        engine.SlotFunc
	}{
		{"io.file.load", "the file's content as text", read, whitelist.NoChildren, nil, load(false)},
		{"load-file", "alias of io.file.load", read, whitelist.NoChildren, nil, load(false)},
		{"io.file.load.binary", "the file's content as bytes", read, whitelist.NoChildren, nil, load(true)},
		{"io.file.save", "evaluates its children and writes the first one's value as text", write, whitelist.Code, nil, save(false)},
		{"save-file", "alias of io.file.save", write, whitelist.Code, nil, save(false)},
		{"io.file.save.binary", "evaluates its children and writes the first one's value as bytes", write, whitelist.Code, nil, save(true)},
		{"io.file.exists", "whether the file exists", read, whitelist.NoChildren, nil, exists(false)},
		{"io.file.delete", "deletes the file", write, whitelist.NoChildren, nil, remove(false)},
		{"io.file.copy", "copies the file to [destination]", read | write, whitelist.Data, dest, copyMove(false, false)},
		{"io.file.move", "moves the file to [destination]", read | write, whitelist.Data, dest, copyMove(false, true)},
		{"io.file.list", "children := the files in the folder, as sandbox paths", read, whitelist.NoChildren, nil, list(false, false)},
		{"io.file.list-recursively", "children := the files under the folder, as sandbox paths", read, whitelist.NoChildren, nil, list(false, true)},
		{"io.folder.create", "creates the folder (and its parents)", write, whitelist.NoChildren, nil, mkdir},
		{"io.folder.exists", "whether the folder exists", read, whitelist.NoChildren, nil, exists(true)},
		{"io.folder.delete", "deletes the folder and everything in it", write, whitelist.NoChildren, nil, remove(true)},
		{"io.folder.list", "children := the folders in the folder, as sandbox paths ending in /", read, whitelist.NoChildren, nil, list(true, false)},
		{"io.folder.list-recursively", "children := the folders under the folder, as sandbox paths ending in /", read, whitelist.NoChildren, nil, list(true, true)},
		{"io.folder.copy", "copies the folder to [destination]", read | write, whitelist.Data, dest, copyMove(true, false)},
		{"io.folder.move", "moves the folder to [destination]", read | write, whitelist.Data, dest, copyMove(true, true)},
		{"io.file.execute", "runs the Hyperlambda file with its children as [.arguments]; its result becomes this node's", read | whitelist.SpawnsCode, whitelist.Arguments, nil, execute(false)},
		{"execute-file", "like io.file.execute, with argument expressions unwrapped first", read | whitelist.SpawnsCode, whitelist.Arguments, nil, execute(true)},
	}
	for _, s := range slots {
		sig := whitelist.Signature{Name: s.name, Doc: s.doc, Value: path, Args: s.args, Children: s.role, Effects: s.effects,
			Dynamic: s.effects&whitelist.SpawnsCode != 0} // runs a file's code, known only then (audit 21)
		if err := e.Register(engine.Slot{Sig: sig, Fn: s.fn}); err != nil {
			return err
		}
	}
	if err := e.Register(engine.Slot{Sig: whitelist.Signature{Name: "io.path.get-folder",
		Doc: "the folder part of a sandbox path, up to and including its last /", Value: path}, Fn: getFolder}); err != nil {
		return err
	}
	if err := registerUnzip(e); err != nil {
		return err
	}
	return registerStreams(e)
}

// sandbox is the files root of the active policy, opened for one slot.
type sandbox struct {
	root *os.Root
	dir  string // the host folder of root, to tell sandboxes apart
	fc   *whitelist.FileConstraints
	data *whitelist.DataConstraints
}

func open(r *engine.Run, n *hyperlambda.Node) (*sandbox, error) {
	c := r.Policy().Constraints().Effects
	dir, err := c.Files.Dir()
	if err != nil {
		return nil, r.Deny(n, fmt.Sprintf("policy %s gives no file sandbox: %v", r.Policy().Name, err))
	}
	// The sandbox is created on first use, private to the user.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sandbox root: %v", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("sandbox root: %v", err)
	}
	return &sandbox{root: root, dir: dir, fc: c.Files, data: c.Data}, nil
}

// resolve checks a sandbox path and returns it relative to the root.
func (s *sandbox) resolve(r *engine.Run, n *hyperlambda.Node, p string) (string, error) {
	rel, err := whitelist.SandboxPath(p)
	if err == nil && s.isDatabase(rel) {
		err = fmt.Errorf("path %q is a database file (or holds one), reachable through data.* only", p)
	}
	if err != nil {
		return "", r.Deny(n, fmt.Sprintf("policy %s refuses %v", r.Policy().Name, err))
	}
	return rel, nil
}

// isDatabase reports whether rel is a database file of the policy, one
// of its side files or a folder holding one (the root aside), by its
// name and, once the root is open, by what it resolves to: a link inside
// the root (made by anyone but the program, which cannot make links) or
// a hard link is another name for the same file (audit 17).
func (s *sandbox) isDatabase(rel string) bool {
	if rel == "." || s.data == nil {
		return false
	}
	if s.data.IsDatabaseFile(rel) {
		return true
	}
	if s.dir == "" {
		return false
	}
	realRoot, err := filepath.EvalSymlinks(s.dir)
	if err != nil {
		return false
	}
	full, ok := realPath(realRoot, filepath.Join(realRoot, filepath.FromSlash(rel)))
	if !ok {
		return false // leads outside the root: os.Root refuses it
	}
	if real, err := filepath.Rel(realRoot, full); err == nil && real != "." && s.data.IsDatabaseFile(filepath.ToSlash(real)) {
		return true
	}
	fi, err := os.Stat(full)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Nlink < 2 {
		return false
	}
	for _, db := range s.data.DatabaseFiles() {
		if dfi, err := os.Stat(filepath.Join(realRoot, filepath.FromSlash(db))); err == nil && os.SameFile(fi, dfi) {
			return true
		}
	}
	return false
}

// realPath is p with every link on its way followed, the last one too
// when its target does not exist yet (a write through it would create
// that target); ok is false when it leads outside realRoot.
func realPath(realRoot, p string) (string, bool) {
	for hops := 0; hops < 40; hops++ {
		fi, err := os.Lstat(p)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			break
		}
		target, err := os.Readlink(p)
		if err != nil {
			break
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(p), target)
		}
		p = target
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(p))
	if err != nil {
		// A folder that does not exist holds nothing yet; an existing one
		// was followed above.
		dir = filepath.Dir(p)
	}
	full := filepath.Join(dir, filepath.Base(p))
	if full != realRoot && !strings.HasPrefix(full, realRoot+string(filepath.Separator)) {
		return "", false
	}
	return full, true
}

// fail turns a file system error into the slot's error: an escape found
// by os.Root (a symlink leaving the root) is a denial, the rest plain
// errors naming the sandbox path, never the host path.
func (s *sandbox) fail(r *engine.Run, n *hyperlambda.Node, p string, err error) error {
	if strings.Contains(err.Error(), "escapes from parent") || strings.Contains(err.Error(), "path escapes") {
		return r.Deny(n, fmt.Sprintf("policy %s refuses path %q: it leads outside the sandbox root (a symlink)", r.Policy().Name, p))
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		err = le.Err
	}
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: no such file or folder in the sandbox", p)
	}
	return fmt.Errorf("%s: %v", p, err)
}

// pathArg reads n's value (expressions followed) as a sandbox path.
func pathArg(r *engine.Run, n *hyperlambda.Node) (*sandbox, string, string, error) {
	v, err := hyperlambda.Value(n)
	if err != nil {
		return nil, "", "", err
	}
	p := hyperlambda.StringOf(v)
	// The path is checked before the sandbox is touched: a refused path
	// creates nothing, not even the root.
	rel, err := (&sandbox{data: r.Policy().Constraints().Effects.Data}).resolve(r, n, p)
	if err != nil {
		return nil, "", "", err
	}
	s, err := open(r, n)
	if err != nil {
		return nil, "", "", err
	}
	if _, err := s.resolve(r, n, p); err != nil { // again, by what it resolves to
		s.root.Close()
		return nil, "", "", err
	}
	return s, p, rel, nil
}

// regular refuses anything but a regular file: a device, pipe or socket
// would block a read or never end it.
func (s *sandbox) regular(r *engine.Run, n *hyperlambda.Node, p string, fi fs.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return r.Deny(n, fmt.Sprintf("policy %s refuses %q: it is %s, not a regular file", r.Policy().Name, p, kind(fi.Mode())))
	}
	return nil
}

// kind names what a file system entry that is not a regular file is.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// notFolder is the error for a file slot given a folder: an ordinary
// error, as the reference's, not a refusal.
func notFolder(p string, fi fs.FileInfo) error {
	if fi.IsDir() {
		return fmt.Errorf("%s is a folder, not a file", p)
	}
	return nil
}

// openRead opens a regular file for reading, refusing one over the
// policy's read size; the caller closes it.
func (s *sandbox) openRead(r *engine.Run, n *hyperlambda.Node, p, rel string) (*os.File, fs.FileInfo, error) {
	fi, err := s.root.Stat(rel)
	if err != nil {
		return nil, nil, s.fail(r, n, p, err)
	}
	if err := notFolder(p, fi); err != nil {
		return nil, nil, err
	}
	if err := s.regular(r, n, p, fi); err != nil {
		return nil, nil, err
	}
	// O_NONBLOCK: should the file be swapped for a pipe after the Stat,
	// the open does not hang; the Stat of the open file decides.
	f, err := s.root.OpenFile(rel, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, s.fail(r, n, p, err)
	}
	if fi, err = f.Stat(); err != nil {
		f.Close()
		return nil, nil, s.fail(r, n, p, err)
	}
	if err := s.regular(r, n, p, fi); err != nil {
		f.Close()
		return nil, nil, err
	}
	if max := s.fc.MaxReadBytes; fi.Size() > max {
		f.Close()
		return nil, nil, r.Deny(n, fmt.Sprintf("policy %s refuses reading %q: %d bytes is over max-read-bytes %d", r.Policy().Name, p, fi.Size(), max))
	}
	return f, fi, nil
}

// readRest reads f to its end within the policy's read size (the file
// may have grown after openRead looked at it).
func (s *sandbox) readRest(r *engine.Run, n *hyperlambda.Node, p string, f *os.File) ([]byte, error) {
	max := s.fc.MaxReadBytes
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, s.fail(r, n, p, err)
	}
	if int64(len(data)) > max { // grew after the Stat
		return nil, r.Deny(n, fmt.Sprintf("policy %s refuses reading %q: over max-read-bytes %d", r.Policy().Name, p, max))
	}
	return data, nil
}

// readFile reads a regular file within the policy's read size.
func (s *sandbox) readFile(r *engine.Run, n *hyperlambda.Node, p, rel string) ([]byte, error) {
	f, _, err := s.openRead(r, n, p, rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return s.readRest(r, n, p, f)
}

// writeFile writes data to a regular file (created when missing) within
// the policy's write size. The parent folder must exist, as in the
// reference.
func (s *sandbox) writeFile(r *engine.Run, n *hyperlambda.Node, p, rel string, data []byte) error {
	return s.write(r, n, p, rel, data, true)
}

// write is writeFile; without overwrite an existing file is an error,
// decided by the create itself (O_EXCL), not by an earlier look.
func (s *sandbox) write(r *engine.Run, n *hyperlambda.Node, p, rel string, data []byte, overwrite bool) error {
	if max := s.fc.MaxWriteBytes; int64(len(data)) > max {
		return r.Deny(n, fmt.Sprintf("policy %s refuses writing %q: %d bytes is over max-write-bytes %d", r.Policy().Name, p, len(data), max))
	}
	if rel == "." {
		return fmt.Errorf("%s: is the sandbox root, not a file", p)
	}
	// What a run writes to disk counts against its output budget: each
	// write is held to max-write-bytes, but a loop of them filled the
	// disk (audit 16).
	if err := r.Output(len(data)); err != nil {
		return err
	}
	if fi, err := s.root.Stat(rel); err == nil {
		if err := notFolder(p, fi); err != nil {
			return err
		}
		if err := s.regular(r, n, p, fi); err != nil {
			return err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return s.fail(r, n, p, err)
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC | syscall.O_NONBLOCK
	if !overwrite {
		flags = os.O_WRONLY | os.O_CREATE | os.O_EXCL | syscall.O_NONBLOCK
	}
	f, err := s.root.OpenFile(rel, flags, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s: the file exists and [overwrite] is false", p)
	}
	if err != nil {
		return s.fail(r, n, p, err)
	}
	fi, err := f.Stat()
	if err == nil {
		err = s.regular(r, n, p, fi)
	}
	if err == nil {
		_, err = f.Write(data)
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = s.fail(r, n, p, cerr)
	}
	return err
}

func load(binary bool) engine.SlotFunc {
	return func(r *engine.Run, n *hyperlambda.Node) error {
		s, p, rel, err := pathArg(r, n)
		if err != nil {
			return err
		}
		defer s.root.Close()
		data, err := s.readFile(r, n, p, rel)
		if err != nil {
			return err
		}
		if err := r.Output(len(data)); err != nil {
			return err
		}
		if binary {
			n.Value = data
		} else {
			n.Value = decodeText(data)
		}
		return nil
	}
}

// decodeText reads a file's bytes as text the way the reference does
// (.NET's StreamReader): a byte order mark chooses UTF-8, UTF-16 or
// UTF-32 and is dropped; without one the text is UTF-8. What is not valid
// in the encoding becomes U+FFFD (one per maximal invalid sequence, as
// .NET), so the loaded text always formats and parses back.
func decodeText(b []byte) string {
	switch {
	case len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF:
		return hyperlambda.StringOf(b[3:])
	case len(b) >= 4 && b[0] == 0xFF && b[1] == 0xFE && b[2] == 0 && b[3] == 0:
		return utf32Text(b[4:], false)
	case len(b) >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0xFE && b[3] == 0xFF:
		return utf32Text(b[4:], true)
	case len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE:
		return engine.UTF16Text(b[2:], false)
	case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
		return engine.UTF16Text(b[2:], true)
	}
	return hyperlambda.StringOf(b)
}

// utf32Text decodes UTF-32; a value that is not a character, or a short
// last group, becomes U+FFFD.
func utf32Text(b []byte, bigEndian bool) string {
	var sb strings.Builder
	for i := 0; i < len(b); i += 4 {
		if i+4 > len(b) {
			sb.WriteRune(utf8.RuneError)
			break
		}
		var c uint32
		if bigEndian {
			c = uint32(b[i])<<24 | uint32(b[i+1])<<16 | uint32(b[i+2])<<8 | uint32(b[i+3])
		} else {
			c = uint32(b[i+3])<<24 | uint32(b[i+2])<<16 | uint32(b[i+1])<<8 | uint32(b[i])
		}
		if c > utf8.MaxRune || c >= 0xD800 && c <= 0xDFFF {
			sb.WriteRune(utf8.RuneError)
		} else {
			sb.WriteRune(rune(c))
		}
	}
	return sb.String()
}

func save(binary bool) engine.SlotFunc {
	return func(r *engine.Run, n *hyperlambda.Node) error {
		if err := r.Eval(n); err != nil {
			return err
		}
		if n.Len() == 0 {
			return fmt.Errorf("needs the content as its first child, e.g. %s:/notes.txt / .:hello", n.Name)
		}
		v, err := hyperlambda.Value(n.Child(0))
		if err != nil {
			return err
		}
		var data []byte
		if b, ok := v.([]byte); ok && binary {
			data = b
		} else {
			data = []byte(hyperlambda.StringOf(v))
		}
		s, p, rel, err := pathArg(r, n)
		if err != nil {
			return err
		}
		defer s.root.Close()
		return s.writeFile(r, n, p, rel, data)
	}
}

func exists(folder bool) engine.SlotFunc {
	return func(r *engine.Run, n *hyperlambda.Node) error {
		s, p, rel, err := pathArg(r, n)
		if err != nil {
			return err
		}
		defer s.root.Close()
		fi, err := s.root.Stat(rel)
		switch {
		case err == nil:
			n.Value = fi.IsDir() == folder && (folder || fi.Mode().IsRegular())
		case errors.Is(err, fs.ErrNotExist):
			n.Value = false
		default:
			return s.fail(r, n, p, err)
		}
		return nil
	}
}

func remove(folder bool) engine.SlotFunc {
	return func(r *engine.Run, n *hyperlambda.Node) error {
		s, p, rel, err := pathArg(r, n)
		if err != nil {
			return err
		}
		defer s.root.Close()
		if rel == "." {
			return r.Deny(n, fmt.Sprintf("policy %s refuses deleting the sandbox root %q", r.Policy().Name, p))
		}
		fi, err := s.root.Lstat(rel)
		if err != nil {
			return s.fail(r, n, p, err)
		}
		if fi.IsDir() != folder {
			if folder {
				return fmt.Errorf("%s: is a file; use io.file.delete", p)
			}
			return fmt.Errorf("%s: is a folder; use io.folder.delete", p)
		}
		if folder {
			err = s.root.RemoveAll(rel)
		} else {
			err = s.root.Remove(rel)
		}
		if err != nil {
			return s.fail(r, n, p, err)
		}
		return nil
	}
}

func mkdir(r *engine.Run, n *hyperlambda.Node) error {
	s, p, rel, err := pathArg(r, n)
	if err != nil {
		return err
	}
	defer s.root.Close()
	if err := s.root.MkdirAll(rel, 0o700); err != nil {
		return s.fail(r, n, p, err)
	}
	return nil
}

// destination is [destination] or, as in the reference, the first child.
func destination(r *engine.Run, n *hyperlambda.Node) (string, error) {
	d, err := r.ArgNode(n, "destination")
	if err != nil {
		return "", err
	}
	if d == nil && n.Len() > 0 {
		d = n.Child(0)
	}
	if d == nil {
		return "", fmt.Errorf("needs a [destination], e.g. %s:/a.txt / destination:/b.txt", n.Name)
	}
	v, err := hyperlambda.Value(d)
	if err != nil {
		return "", err
	}
	return hyperlambda.StringOf(v), nil
}

func copyMove(folder, move bool) engine.SlotFunc {
	return func(r *engine.Run, n *hyperlambda.Node) error {
		dp, err := destination(r, n)
		if err != nil {
			return err
		}
		s, p, rel, err := pathArg(r, n)
		if err != nil {
			return err
		}
		defer s.root.Close()
		if !folder && strings.HasSuffix(dp, "/") && rel != "." {
			// A folder as the destination: the file keeps its name there,
			// as in the reference.
			dp += path.Base(rel)
		}
		drel, err := s.resolve(r, n, dp)
		if err != nil {
			return err
		}
		if rel == "." || drel == "." {
			return r.Deny(n, fmt.Sprintf("policy %s refuses copying or moving the sandbox root", r.Policy().Name))
		}
		if drel == rel {
			return fmt.Errorf("you cannot [%s] %s onto itself: the source and destination are the same path", n.Name, p)
		}
		fi, err := s.root.Lstat(rel)
		if err != nil {
			return s.fail(r, n, p, err)
		}
		if fi.IsDir() != folder {
			return fmt.Errorf("%s: is not a %s", p, map[bool]string{true: "folder", false: "file"}[folder])
		}
		if folder && strings.HasPrefix(drel, rel+"/") {
			return fmt.Errorf("%s: cannot be copied or moved into itself (%s)", p, dp)
		}
		if move {
			if dfi, err := s.root.Stat(drel); err == nil && !folder {
				if err := notFolder(dp, dfi); err != nil {
					return err
				}
			}
			if err := s.root.Rename(rel, drel); err != nil {
				return s.fail(r, n, dp, err)
			}
			return nil
		}
		if !folder {
			data, err := s.readFile(r, n, p, rel)
			if err != nil {
				return err
			}
			return s.writeFile(r, n, dp, drel, data)
		}
		return fs.WalkDir(s.root.FS(), rel, func(from string, d fs.DirEntry, err error) error {
			if err != nil {
				return s.fail(r, n, "/"+from, err)
			}
			if err := r.Step(); err != nil {
				return err
			}
			to := path.Join(drel, strings.TrimPrefix(from, rel))
			switch {
			case d.IsDir():
				if err := s.root.MkdirAll(to, 0o700); err != nil {
					return s.fail(r, n, "/"+to, err)
				}
				return nil
			case s.isDatabase(from):
				return nil
			}
			data, err := s.readFile(r, n, "/"+from, from)
			if err != nil {
				return err
			}
			return s.writeFile(r, n, "/"+to, to, data)
		})
	}
}

// list puts the files (or folders) in a folder, or under it, as children
// named "" holding sandbox paths; dot files and the database are skipped.
func list(folders, recursive bool) engine.SlotFunc {
	return func(r *engine.Run, n *hyperlambda.Node) error {
		s, p, rel, err := pathArg(r, n)
		if err != nil {
			return err
		}
		defer s.root.Close()
		var found []string
		err = fs.WalkDir(s.root.FS(), rel, func(at string, d fs.DirEntry, err error) error {
			if err != nil {
				return s.fail(r, n, p, err)
			}
			if at == rel {
				return nil
			}
			if err := r.Step(); err != nil {
				return err
			}
			if strings.HasPrefix(d.Name(), ".") || s.isDatabase(at) && !d.IsDir() {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() == folders {
				// A name that is not UTF-8 is listed with U+FFFD in it:
				// always text, never a path to it (such paths are refused).
				entry := hyperlambda.StringOf([]byte("/" + at))
				if folders {
					entry += "/"
				}
				found = append(found, entry)
			}
			if d.IsDir() && !recursive {
				return fs.SkipDir
			}
			return nil
		})
		if err != nil {
			return err
		}
		sort.Strings(found)
		if err := r.Created(len(found)); err != nil {
			return err
		}
		n.Clear()
		for _, f := range found {
			if err := r.Output(len(f)); err != nil {
				return err
			}
			n.Add(hyperlambda.New("", f))
		}
		return nil
	}
}

func getFolder(r *engine.Run, n *hyperlambda.Node) error {
	v, err := hyperlambda.Value(n)
	if err != nil {
		return err
	}
	p := hyperlambda.StringOf(v)
	n.Value = p[:strings.LastIndexByte(p, '/')+1]
	return nil
}

// execute runs a Hyperlambda file as a function: its own [.arguments]
// declaration is replaced by the caller's children, [.filename] is set,
// and what it returns becomes the calling node's value and children. The
// file's code runs under the active policy, like any other code.
func execute(unwrap bool) engine.SlotFunc {
	return func(r *engine.Run, n *hyperlambda.Node) error {
		s, p, rel, err := pathArg(r, n)
		if err != nil {
			return err
		}
		data, err := s.readFile(r, n, p, rel)
		s.root.Close()
		if err != nil {
			return err
		}
		body, err := hyperlambda.Parse(data, r.ParseOptions(false))
		if stopped := r.ParseStopped(err); stopped != nil {
			return stopped
		}
		if err != nil {
			return fmt.Errorf("%s: %v", p, err)
		}
		count := 0
		body.Walk(func(*hyperlambda.Node) bool { count++; return true })
		if err := r.Created(count + 2); err != nil {
			return err
		}
		for _, c := range append([]*hyperlambda.Node(nil), body.Children()...) {
			if c.Name == ".arguments" {
				c.Detach()
			}
		}
		args := hyperlambda.New(".arguments", nil)
		for _, c := range n.Children() {
			if unwrap {
				v, err := hyperlambda.Value(c)
				if err != nil {
					return err
				}
				c.Value = v
			}
		}
		args.MoveChildren(n)
		body.Insert(0, hyperlambda.New(".filename", p))
		body.Insert(0, args)
		return r.Call(body, n)
	}
}
