package ioslots

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// bytesPerStep is what extracting one step's worth of a zip writes: a
// step is ~5 us of work, about what inflating and writing 4 KiB takes.
const bytesPerStep = 4096

func registerUnzip(e *engine.Engine) error {
	return e.Register(engine.Slot{Sig: whitelist.Signature{Name: "io.file.unzip",
		Doc:     "extracts the zip file's files into [folder] (default: the zip's folder), creating folders and replacing files",
		Value:   whitelist.ValueSpec{Required: true, Expr: true, Doc: "sandbox path of the zip file"},
		Args:    []whitelist.Arg{{Name: "folder", Doc: "an existing sandbox folder to extract into (an expression is followed)"}},
		Effects: read | write}, Fn: unzip})
}

// unzipEntry is one file of a zip to write: where, and the entry.
type unzipEntry struct {
	path, rel string
	file      *zip.File
}

// unzip is the reference's io.file.unzip: every entry whose last segment
// has a dot (a file, as the reference tells them) is written under the
// destination folder, which must exist; entries under __MACOSX or
// .DS_Store are skipped. Unlike the reference, an entry's name cannot
// lead out of the folder ("..", an absolute path, a drive): the whole zip
// is refused before anything is written, as is an entry over the policy's
// write size (however small its header says it is). The zip is read
// within the policy's read size; extracting charges a step per 4 KiB.
func unzip(r *engine.Run, n *hyperlambda.Node) error {
	s, p, rel, err := pathArg(r, n)
	if err != nil {
		return err
	}
	defer s.root.Close()
	dest := path.Dir(p)
	if !strings.HasSuffix(dest, "/") {
		dest += "/"
	}
	if d, err := r.ArgNode(n, "folder"); err != nil {
		return err
	} else if d != nil {
		v, err := hyperlambda.Value(d)
		if err != nil {
			return err
		}
		dest = hyperlambda.StringOf(v)
	}
	destRel, err := s.resolve(r, n, dest)
	if err != nil {
		return err
	}
	if fi, err := s.root.Stat(destRel); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("destination folder %q for [io.file.unzip] does not exist", dest)
	} else if err != nil {
		return s.fail(r, n, dest, err) // a symlink leaving the root is refused
	} else if !fi.IsDir() {
		return fmt.Errorf("destination %q for [io.file.unzip] is a file, not a folder", dest)
	}
	data, err := s.readFile(r, n, p, rel)
	if err != nil {
		return err
	}
	if err := r.Charge(int64(len(data))/bytesPerStep + 1); err != nil {
		return err
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("%s: not a zip file: %v", p, err)
	}
	entries, err := unzipPlan(r, n, s, zr, dest, destRel)
	if err != nil {
		return err
	}
	max := s.fc.MaxWriteBytes
	for _, e := range entries {
		if err := r.Charge(int64(e.file.UncompressedSize64)/bytesPerStep + 1); err != nil {
			return err
		}
		rc, err := e.file.Open()
		if err != nil {
			return fmt.Errorf("%s: entry %q: %v", p, e.file.Name, err)
		}
		// Read to one byte over the write size: a header can lie.
		content, err := io.ReadAll(io.LimitReader(rc, max+1))
		rc.Close()
		if err != nil {
			return fmt.Errorf("%s: entry %q: %v", p, e.file.Name, err)
		}
		if int64(len(content)) > max {
			return r.Deny(n, fmt.Sprintf("policy %s refuses extracting %q from %s: over max-write-bytes %d", r.Policy().Name, e.file.Name, p, max))
		}
		if dir := path.Dir(e.rel); dir != "." {
			if err := s.root.MkdirAll(dir, 0o700); err != nil {
				return s.fail(r, n, e.path, err)
			}
		}
		if err := s.writeFile(r, n, e.path, e.rel, content); err != nil {
			return err
		}
	}
	n.Clear()
	n.Value = nil
	return nil
}

// unzipPlan checks every entry's name and declared size before anything
// is written, and lists the files to write, as the reference picks them.
func unzipPlan(r *engine.Run, n *hyperlambda.Node, s *sandbox, zr *zip.Reader, dest, destRel string) ([]unzipEntry, error) {
	var out []unzipEntry
	for _, f := range zr.File {
		name := strings.ReplaceAll(f.Name, "\\", "/")
		segments := strings.Split(strings.TrimSuffix(name, "/"), "/")
		if !strings.Contains(segments[len(segments)-1], ".") || strings.HasSuffix(name, "/") {
			continue // a folder (or a file without a dot, which the reference takes for one)
		}
		skip := false
		for _, seg := range segments[:len(segments)-1] {
			skip = skip || seg == "__MACOSX" || seg == ".DS_Store"
		}
		if skip {
			continue
		}
		clean, err := entryName(name)
		if err != nil || strings.HasPrefix(name, "/") {
			if err == nil {
				err = fmt.Errorf("entry %q: an absolute path", f.Name)
			}
			return nil, r.Deny(n, fmt.Sprintf("policy %s refuses the zip: %v, which would be written outside folder %s", r.Policy().Name, err, dest))
		}
		if f.UncompressedSize64 > uint64(s.fc.MaxWriteBytes) {
			return nil, r.Deny(n, fmt.Sprintf("policy %s refuses extracting %q: %d bytes is over max-write-bytes %d", r.Policy().Name, f.Name, f.UncompressedSize64, s.fc.MaxWriteBytes))
		}
		target := strings.TrimSuffix(dest, "/") + "/" + clean
		rel, err := s.resolve(r, n, target)
		if err != nil {
			return nil, err
		}
		if destRel != "." && !strings.HasPrefix(rel, destRel+"/") {
			return nil, r.Deny(n, fmt.Sprintf("policy %s refuses the zip: entry %q leads outside folder %s", r.Policy().Name, f.Name, dest))
		}
		out = append(out, unzipEntry{path: target, rel: rel, file: f})
	}
	return out, nil
}
