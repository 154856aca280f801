package whitelist

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"hlstudio/hyperlambda"
)

// EffectConstraints limit the slots that reach outside the run: the file
// sandbox root, HTTP origins, the database and its tables, size limits.
// A nil section grants nothing: a policy that allows io.* without a files
// section still cannot touch a file.
type EffectConstraints struct {
	Files *FileConstraints
	HTTP  *HTTPConstraints
	Data  *DataConstraints
}

// knownConstraints lists every constraint section, for error messages.
const knownConstraints = "clock, config, identity, files, http and data"

// Default size limits where a section does not say.
const (
	DefaultMaxFileBytes     = 4 << 20
	DefaultMaxResponseBytes = 4 << 20
	DefaultMaxRequestBytes  = 1 << 20
	DefaultMaxRedirects     = 5
	// A database file grows past no more than this unless its policy
	// says (SQLite's max_page_count, set on every checkout).
	DefaultMaxDatabaseBytes = 256 << 20
)

// FileConstraints is the file sandbox: every path a slot is given is
// resolved inside Root, and sizes are bounded.
type FileConstraints struct {
	// Root is the host folder as written; "{data}" at its start is the
	// per-user data folder (see DataHome). It is expanded at use, so a
	// policy file means the same thing for every user.
	Root          string
	MaxReadBytes  int64
	MaxWriteBytes int64
}

// HTTPConstraints say where http.* may go.
type HTTPConstraints struct {
	Origins []Origin
	// PrivateAddresses lets requests reach loopback, private, link-local
	// and other non-public addresses (by literal or by DNS answer).
	PrivateAddresses bool
	MaxResponseBytes int64
	MaxRequestBytes  int64
	MaxRedirects     int
	// also holds the other part's constraints after narrowing: a URL must
	// pass both.
	also *HTTPConstraints
}

// Origin is one allowed scheme://host:port. Host "*" is any host,
// "*.example.com" any subdomain of example.com; Port "*" is any port,
// "" the scheme's default.
type Origin struct{ Scheme, Host, Port string }

func (o Origin) String() string {
	s := o.Scheme + "://" + o.Host
	if o.Port != "" {
		s += ":" + o.Port
	}
	return s
}

// Access is what a policy grants on a table or on raw SQL.
type Access uint8

const (
	NoAccess Access = iota
	ReadOnly
	ReadWrite
)

func (a Access) String() string { return [...]string{"none", "read", "read-write"}[a] }

func parseAccess(s string) (Access, bool) {
	switch s {
	case "none":
		return NoAccess, true
	case "read":
		return ReadOnly, true
	case "read-write", "write":
		return ReadWrite, true
	}
	return 0, false
}

// DataConstraints say which database files data.* may open and what it
// may do with which tables.
type DataConstraints struct {
	// Databases maps the name data.connect uses to a sandbox path of the
	// database file (inside the files root).
	Databases map[string]string
	// Tables grants access per table; "*" is every other table.
	Tables map[string]Access
	// RawSQL is what data.select/scalar/execute may do: none unless the
	// policy says, and never more than the tables they touch allow.
	RawSQL Access
	// MaxDatabaseBytes bounds how large a database grows through this
	// policy's statements: a statement doubling a table each time filled
	// the disk in a few steps (audit 16).
	MaxDatabaseBytes int64
	// protected are the sandbox paths of the database files of every
	// policy an intersection is built from, granted here or not: io.*
	// never reaches them (IsDatabaseFile), so no part's table grants are
	// bypassed through another part's files root (audit 11).
	protected []string
}

// TableAccess is the access granted on table.
func (d *DataConstraints) TableAccess(table string) Access {
	if d == nil {
		return NoAccess
	}
	// SQLite's table names are case-insensitive, and its authorizer
	// reports them as declared: grants are kept in lower case (audit 12).
	if a, ok := d.Tables[strings.ToLower(table)]; ok {
		return a
	}
	return d.Tables["*"]
}

// DatabaseNames lists the database names, sorted (for error messages).
func (d *DataConstraints) DatabaseNames() string {
	if d == nil {
		return ""
	}
	names := make([]string, 0, len(d.Databases))
	for k := range d.Databases {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// Database resolves the value of data.connect to a database name: "" picks
// the only one, and the reference's "[generic|name]" and "[sqlite|name]"
// forms are accepted.
func (d *DataConstraints) Database(value string) (name, file string, err error) {
	if d == nil || len(d.Databases) == 0 {
		return "", "", errors.New("it names no database")
	}
	name = value
	if strings.HasPrefix(name, "[") && strings.HasSuffix(name, "]") {
		kind, rest, ok := strings.Cut(name[1:len(name)-1], "|")
		if !ok || (kind != "generic" && kind != "sqlite") {
			return "", "", fmt.Errorf("database %q: only [generic|name] and [sqlite|name] connection forms exist here", value)
		}
		name = rest
	}
	if name == "" && len(d.Databases) == 1 {
		for k, v := range d.Databases {
			return k, v, nil
		}
	}
	file, ok := d.Databases[name]
	if !ok {
		return "", "", fmt.Errorf("database %q is not one it names (%s)", value, d.DatabaseNames())
	}
	return name, file, nil
}

// databaseFiles are the database files io.* must not reach: those d
// names and those of the other parts of an intersection.
func (d *DataConstraints) databaseFiles() []string {
	files := append([]string(nil), d.protected...)
	for _, f := range d.Databases {
		files = append(files, f)
	}
	return files
}

// DatabaseFiles are the sandbox paths (as SandboxPath returns them) of
// the database files io.* must not reach.
func (d *DataConstraints) DatabaseFiles() []string {
	if d == nil {
		return nil
	}
	var out []string
	for _, f := range d.databaseFiles() {
		if db, err := SandboxPath(f); err == nil {
			out = append(out, db)
		}
	}
	return out
}

// IsDatabaseFile reports whether the sandbox path rel (as SandboxPath
// returns it) is one of the policy's database files, a SQLite side file
// of one, or a folder holding one: those are reachable through data.*
// only, so table grants cannot be bypassed by reading the file.
func (d *DataConstraints) IsDatabaseFile(rel string) bool {
	if d == nil {
		return false
	}
	for _, f := range d.databaseFiles() {
		db, err := SandboxPath(f)
		if err != nil {
			continue
		}
		if rel == "." || rel == db || strings.HasPrefix(db, rel+"/") {
			return true
		}
		for _, side := range []string{"-wal", "-shm", "-journal"} {
			if rel == db+side {
				return true
			}
		}
	}
	return false
}

// parseEffectConstraint reads one effect constraint section (files, http,
// data) into c; handled is false for a name it does not know.
func parseEffectConstraint(file string, n *hyperlambda.Node, c *EffectConstraints) (handled bool, err error) {
	bad := func(n *hyperlambda.Node, format string, args ...any) error {
		return &Error{File: file, Pos: n.Pos, Msg: fmt.Sprintf(format, args...)}
	}
	size := func(e *hyperlambda.Node) (int64, error) {
		v, ok := integer(e.Value)
		if !ok || v <= 0 {
			return 0, bad(e, "%s needs a positive integer, e.g. %s:long:1048576", e.Name, e.Name)
		}
		return v, nil
	}
	switch n.Name {
	case "files", "http", "data":
		if n.Value != nil {
			return true, bad(n, "%s takes its entries as children, not a value", n.Name)
		}
		if err := repeatedEntry(file, n.Children(), false); err != nil {
			return true, err
		}
	}
	switch n.Name {
	case "files":
		f := &FileConstraints{MaxReadBytes: DefaultMaxFileBytes, MaxWriteBytes: DefaultMaxFileBytes}
		for _, e := range n.Children() {
			switch e.Name {
			case "root":
				f.Root, _ = e.Value.(string)
				if _, err := expandRoot(f.Root, func(string) string { return "/home" }, func() (string, error) { return "/home", nil }); err != nil {
					return true, bad(e, "%v", err)
				}
			case "max-read-bytes":
				if f.MaxReadBytes, err = size(e); err != nil {
					return true, err
				}
			case "max-write-bytes":
				if f.MaxWriteBytes, err = size(e); err != nil {
					return true, err
				}
			default:
				return true, bad(e, "unknown files constraint %q; known are root, max-read-bytes, max-write-bytes", e.Name)
			}
		}
		if f.Root == "" {
			return true, bad(n, `files needs a root, e.g. root:"{data}/sandbox"`)
		}
		c.Files = f
	case "http":
		h := &HTTPConstraints{MaxResponseBytes: DefaultMaxResponseBytes, MaxRequestBytes: DefaultMaxRequestBytes, MaxRedirects: DefaultMaxRedirects}
		for _, e := range n.Children() {
			switch e.Name {
			case "origins":
				for _, o := range e.Children() {
					s, _ := o.Value.(string)
					origin, err := parseOrigin(s)
					if err != nil {
						return true, bad(o, "%v", err)
					}
					h.Origins = append(h.Origins, origin)
				}
			case "private-addresses":
				b, ok := e.Value.(bool)
				if !ok {
					return true, bad(e, "private-addresses needs a bool, e.g. private-addresses:bool:true")
				}
				h.PrivateAddresses = b
			case "max-response-bytes":
				if h.MaxResponseBytes, err = size(e); err != nil {
					return true, err
				}
			case "max-request-bytes":
				if h.MaxRequestBytes, err = size(e); err != nil {
					return true, err
				}
			case "max-redirects":
				v, ok := integer(e.Value)
				if !ok || v < 0 {
					return true, bad(e, "max-redirects needs an integer >= 0")
				}
				h.MaxRedirects = int(v)
			default:
				return true, bad(e, "unknown http constraint %q; known are origins, private-addresses, max-response-bytes, max-request-bytes, max-redirects", e.Name)
			}
		}
		c.HTTP = h
	case "data":
		d := &DataConstraints{Databases: map[string]string{}, Tables: map[string]Access{}, MaxDatabaseBytes: DefaultMaxDatabaseBytes}
		for _, e := range n.Children() {
			switch e.Name {
			case "databases":
				if err := repeatedEntry(file, e.Children(), false); err != nil {
					return true, err
				}
				for _, db := range e.Children() {
					p, _ := db.Value.(string)
					if !validIdentifier(db.Name) {
						return true, bad(db, "database name %q must be an identifier (letters, digits, _)", db.Name)
					}
					if _, err := SandboxPath(p); err != nil || p == "" || strings.HasSuffix(p, "/") {
						return true, bad(db, "database %s needs a file path inside the files root, e.g. %s:/data/%s.db", db.Name, db.Name, db.Name)
					}
					d.Databases[db.Name] = p
				}
			case "tables":
				// SQLite's table names are case-insensitive: users and Users
				// are one grant.
				if err := repeatedEntry(file, e.Children(), true); err != nil {
					return true, err
				}
				for _, t := range e.Children() {
					if t.Name != "*" && !validIdentifier(t.Name) {
						return true, bad(t, "table name %q must be an identifier (letters, digits, _) or *", t.Name)
					}
					s, _ := t.Value.(string)
					a, ok := parseAccess(s)
					if !ok {
						return true, bad(t, "table %s needs read, read-write or none, e.g. %s:read", t.Name, t.Name)
					}
					d.Tables[strings.ToLower(t.Name)] = a
				}
			case "raw-sql":
				s, _ := e.Value.(string)
				a, ok := parseAccess(s)
				if !ok {
					return true, bad(e, "raw-sql needs none, read or read-write")
				}
				d.RawSQL = a
			case "max-database-bytes":
				if d.MaxDatabaseBytes, err = size(e); err != nil {
					return true, err
				}
			default:
				return true, bad(e, "unknown data constraint %q; known are databases, tables, raw-sql, max-database-bytes", e.Name)
			}
		}
		c.Data = d
	default:
		return false, nil
	}
	return true, nil
}

// narrowEffects combines the effect constraints of two parts of an
// intersection: the result allows only what both allow. A part without a
// section (a nested [whitelist]) adds no opinion, like config.
func narrowEffects(a, b EffectConstraints) EffectConstraints {
	out := a
	switch {
	case a.Files == nil:
		out.Files = b.Files
	case b.Files != nil:
		f := *a.Files
		if a.Files.Root != b.Files.Root {
			f.Root = "" // two different sandboxes share no file
		}
		f.MaxReadBytes = min(a.Files.MaxReadBytes, b.Files.MaxReadBytes)
		f.MaxWriteBytes = min(a.Files.MaxWriteBytes, b.Files.MaxWriteBytes)
		out.Files = &f
	}
	switch {
	case a.HTTP == nil:
		out.HTTP = b.HTTP
	case b.HTTP != nil:
		h := *a.HTTP
		h.PrivateAddresses = a.HTTP.PrivateAddresses && b.HTTP.PrivateAddresses
		h.MaxResponseBytes = min(a.HTTP.MaxResponseBytes, b.HTTP.MaxResponseBytes)
		h.MaxRequestBytes = min(a.HTTP.MaxRequestBytes, b.HTTP.MaxRequestBytes)
		h.MaxRedirects = min(a.HTTP.MaxRedirects, b.HTTP.MaxRedirects)
		// Every part's origins hold: b's after the ones a already chains
		// (overwriting a's chain let a third part's origins go; audit 11).
		h.also = chainHTTP(a.HTTP.also, b.HTTP)
		out.HTTP = &h
	}
	switch {
	case a.Data == nil:
		out.Data = b.Data
	case b.Data != nil:
		d := &DataConstraints{Databases: map[string]string{}, Tables: map[string]Access{}, RawSQL: min(a.Data.RawSQL, b.Data.RawSQL),
			MaxDatabaseBytes: min(a.Data.MaxDatabaseBytes, b.Data.MaxDatabaseBytes),
			protected:        append(a.Data.databaseFiles(), b.Data.databaseFiles()...)}
		for k, v := range a.Data.Databases {
			if b.Data.Databases[k] == v {
				d.Databases[k] = v
			}
		}
		for k := range a.Data.Tables {
			d.Tables[k] = min(a.Data.TableAccess(k), b.Data.TableAccess(k))
		}
		for k := range b.Data.Tables {
			d.Tables[k] = min(a.Data.TableAccess(k), b.Data.TableAccess(k))
		}
		out.Data = d
	}
	return out
}

// chainHTTP appends add (with what it chains) to the chain rest, copying
// rest's links: constraints are shared between policies, never changed.
func chainHTTP(rest, add *HTTPConstraints) *HTTPConstraints {
	if rest == nil {
		return add
	}
	c := *rest
	c.also = chainHTTP(rest.also, add)
	return &c
}

// DataHome is the per-user data folder "{data}" stands for:
// $XDG_DATA_HOME/hlstudio, or ~/.local/share/hlstudio (as the dataset).
func DataHome() (string, error) {
	return dataHome(os.Getenv, os.UserHomeDir)
}

func dataHome(getenv func(string) string, home func() (string, error)) (string, error) {
	if d := getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "hlstudio"), nil
	}
	h, err := home()
	if err != nil {
		return "", fmt.Errorf("no per-user data folder: set XDG_DATA_HOME or HOME (%v)", err)
	}
	return filepath.Join(h, ".local", "share", "hlstudio"), nil
}

func expandRoot(root string, getenv func(string) string, home func() (string, error)) (string, error) {
	if rest, ok := strings.CutPrefix(root, "{data}"); ok {
		if rest != "" && rest[0] != '/' {
			return "", fmt.Errorf("root %q: {data} must be followed by / or nothing", root)
		}
		if slices.Contains(strings.Split(rest, "/"), "..") {
			// Joined and cleaned, it climbed out of the data folder
			// (audit 22), as a sandbox path's ".." would.
			return "", fmt.Errorf("root %q: .. may not climb out of {data}", root)
		}
		d, err := dataHome(getenv, home)
		if err != nil {
			return "", err
		}
		return filepath.Join(d, filepath.FromSlash(rest)), nil
	}
	if !filepath.IsAbs(root) {
		return "", fmt.Errorf("root %q must be an absolute folder or start with {data}", root)
	}
	return filepath.Clean(root), nil
}

// Dir is the sandbox root as a host folder, "{data}" expanded.
func (f *FileConstraints) Dir() (string, error) {
	if f == nil || f.Root == "" {
		return "", errors.New("it sets no files root")
	}
	if !strings.HasPrefix(f.Root, "{data}") {
		return expandRoot(f.Root, os.Getenv, os.UserHomeDir)
	}
	// Every data.* and io.* call asks: remember the expansion for the
	// environment it was made in (the joins and cleans were a visible
	// share of a small endpoint).
	k := dirKey{f.Root, os.Getenv("XDG_DATA_HOME"), os.Getenv("HOME")}
	if d, ok := expanded.Load(k); ok {
		return d.(string), nil
	}
	d, err := expandRoot(f.Root, os.Getenv, os.UserHomeDir)
	if err == nil {
		expanded.Store(k, d)
	}
	return d, err
}

type dirKey struct{ root, xdgDataHome, home string }

var expanded sync.Map // dirKey -> expanded root

// confusables look like '.', '/' or '\' to a person or to a normalising
// file system; a generated path holding them is refused rather than guessed.
const confusables = "\u2024\uFE52\uFF0E\u2215\u2044\uFF0F\uFF3C\u29F5\u29F8\uFE68"

var percentEncoded = regexp.MustCompile(`%[0-9A-Fa-f]{2}`)

// SandboxPath checks a Hyperlambda file path ("/folder/file.txt", relative
// to the sandbox root as in the reference; the leading slash is optional)
// and returns it slash-separated and relative to the root ("." for the
// root itself). Anything that could mean a place outside the root, or
// that a person could misread, is refused: ".." segments, backslashes,
// drive letters and other colons, "~", percent-encoded bytes, control
// characters, look-alike dots and slashes, invalid UTF-8. Symlinks are
// the file system's business: the slots open files through an os.Root,
// which refuses links that leave it.
func SandboxPath(p string) (string, error) {
	switch {
	case len(p) > 1024:
		return "", fmt.Errorf("path is longer than 1024 bytes")
	case !utf8.ValidString(p):
		return "", fmt.Errorf("path %q is not valid UTF-8", p)
	case strings.ContainsRune(p, '\\'):
		return "", fmt.Errorf("path %q holds a backslash; use / between folders", p)
	case strings.ContainsRune(p, ':'):
		return "", fmt.Errorf("path %q holds a colon (a drive letter or URL is not a sandbox path)", p)
	case strings.HasPrefix(p, "~"):
		return "", fmt.Errorf("path %q starts with ~; paths are relative to the sandbox root, e.g. /notes.txt", p)
	case strings.HasPrefix(p, "//"):
		return "", fmt.Errorf("path %q starts with //", p)
	case percentEncoded.MatchString(p):
		return "", fmt.Errorf("path %q holds a percent-encoded byte; paths are not URL-decoded", p)
	case strings.ContainsAny(p, confusables):
		return "", fmt.Errorf("path %q holds a character that looks like . or /", p)
	}
	for _, r := range p {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return "", fmt.Errorf("path %q holds a control character", p)
		}
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." {
			return "", fmt.Errorf("path %q goes up a folder (..); paths stay inside the sandbox root", p)
		}
	}
	rel := path.Clean("/" + p)[1:]
	if rel == "" {
		rel = "."
	}
	return rel, nil
}

func parseOrigin(s string) (Origin, error) {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || (scheme != "http" && scheme != "https") {
		return Origin{}, fmt.Errorf("origin %q must be http://host[:port] or https://host[:port]", s)
	}
	if strings.Count(rest, "[") != strings.Count(rest, "]") || strings.HasPrefix(rest, "[") != strings.Contains(rest, "]") {
		// "[::1:80" read as [::1]:80 (audit 22).
		return Origin{}, fmt.Errorf("origin %q: an IPv6 address goes in [ ], closed", s)
	}
	host, port := rest, ""
	if i := strings.LastIndexByte(rest, ':'); i >= 0 && !strings.HasSuffix(rest, "]") {
		host, port = rest[:i], rest[i+1:]
		if _, err := strconv.ParseUint(port, 10, 16); err != nil && port != "*" {
			return Origin{}, fmt.Errorf("origin %q: port must be a number or *", s)
		}
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if host == "" || strings.ContainsAny(host, "/?#@") || (strings.Contains(host, "*") && host != "*" && !(strings.HasPrefix(host, "*.") && !strings.Contains(host[2:], "*"))) {
		return Origin{}, fmt.Errorf("origin %q: host must be a name, an address, *.domain or *", s)
	}
	return Origin{Scheme: scheme, Host: host, Port: port}, nil
}

func defaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}

func (o Origin) matches(scheme, host, port string) bool {
	if o.Scheme != scheme {
		return false
	}
	want := o.Port
	if want == "" {
		want = defaultPort(o.Scheme)
	}
	if want != "*" && want != port {
		return false
	}
	switch {
	case o.Host == "*":
		return true
	case strings.HasPrefix(o.Host, "*."):
		return strings.HasSuffix(host, o.Host[1:])
	}
	return host == o.Host
}

// CheckURL parses raw and checks it against the allowed origins, and a
// literal address against the private-address rule. It returns the URL
// and its host as dialled (lower case, no brackets, no trailing dot).
// Names are checked again at dial time against their DNS answers
// (CheckAddress), since a public-looking name can point anywhere.
func (h *HTTPConstraints) CheckURL(raw string) (*url.URL, error) {
	if h == nil {
		return nil, errors.New("it allows no HTTP origin")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("URL %q does not parse: %v", raw, err)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return nil, fmt.Errorf("URL %q: only http and https are allowed", raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("URL %q carries user information before the host", raw)
	}
	if u.Opaque != "" || u.Host == "" {
		return nil, fmt.Errorf("URL %q has no host", raw)
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	port := u.Port()
	if port == "" {
		port = defaultPort(scheme)
	}
	if strings.Contains(host, "%") {
		return nil, fmt.Errorf("URL %q: zoned or encoded hosts are not allowed", raw)
	}
	if addr, err := netip.ParseAddr(host); err == nil {
		if err := h.CheckAddress(addr); err != nil {
			return nil, fmt.Errorf("URL %q: %v", raw, err)
		}
	} else if numericHost(host) {
		// 2130706433, 0x7f.1, 127.1: the C resolver reads these as
		// addresses; refuse the ambiguity instead of guessing.
		return nil, fmt.Errorf("URL %q: host %q is an address in a non-standard form", raw, host)
	}
	for c := h; c != nil; c = c.also {
		ok := false
		for _, o := range c.Origins {
			if o.matches(scheme, host, port) {
				ok = true
				break
			}
		}
		if !ok {
			return nil, fmt.Errorf("%s://%s:%s is not an allowed origin (allowed: %s)", scheme, host, port, c.originList())
		}
	}
	if strings.HasSuffix(u.Hostname(), ".") {
		// Dialled as checked: "127.0.0.1." was checked as the address and
		// then looked up in DNS as a name (audit 19).
		dialled := *u
		dialled.Host = host
		if p := u.Port(); p != "" {
			dialled.Host = net.JoinHostPort(host, p)
		} else if strings.Contains(host, ":") {
			dialled.Host = "[" + host + "]"
		}
		return &dialled, nil
	}
	return u, nil
}

func (h *HTTPConstraints) originList() string {
	if len(h.Origins) == 0 {
		return "none"
	}
	var s []string
	for _, o := range h.Origins {
		s = append(s, o.String())
	}
	return strings.Join(s, ", ")
}

func numericHost(host string) bool {
	if host == "" {
		return false
	}
	for _, label := range strings.Split(host, ".") {
		l := strings.TrimPrefix(strings.TrimPrefix(label, "0x"), "0X")
		if l == "" {
			return false
		}
		for _, r := range l {
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
		if strings.HasPrefix(label, "0x") || strings.HasPrefix(label, "0X") {
			continue
		}
		if _, err := strconv.ParseUint(l, 10, 64); err != nil {
			return false // a hex-looking word like "cafe" is a name
		}
	}
	return true
}

var nonPublic = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
		"192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
		"203.0.113.0/24", "224.0.0.0/3",
		"::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8", "2001:db8::/32", "100::/64",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// Embedding prefixes: an IPv6 address that carries an IPv4 one.
var (
	nat64  = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4 = netip.MustParsePrefix("2002::/16")
	compat = netip.MustParsePrefix("::/96")
)

// Private reports whether addr is not a public unicast address: loopback,
// private, link-local, CGNAT, documentation, multicast, unspecified, or an
// IPv6 form embedding such an IPv4 address (mapped, NAT64, 6to4,
// compatible).
func Private(addr netip.Addr) bool {
	addr = addr.Unmap().WithZone("")
	if addr.Is6() {
		b := addr.As16()
		switch {
		case nat64.Contains(addr), compat.Contains(addr) && addr != netip.IPv6Unspecified() && addr != netip.IPv6Loopback():
			return Private(netip.AddrFrom4([4]byte(b[12:16])))
		case sixTo4.Contains(addr):
			return Private(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	for _, p := range nonPublic {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// CheckAddress refuses a non-public address unless private addresses are
// allowed (by every part of a narrowed policy).
func (h *HTTPConstraints) CheckAddress(addr netip.Addr) error {
	if h == nil {
		return errors.New("it allows no HTTP origin")
	}
	if Private(addr) && !h.PrivateAddresses {
		return fmt.Errorf("address %s is loopback, private or otherwise not public, and private-addresses is not allowed", addr)
	}
	return nil
}

// validIdentifier is ^[A-Za-z_][A-Za-z0-9_]{0,63}$, by hand: it runs for
// every table and column of every data.* call, where the regexp was a
// measurable share of an endpoint's time.
func validIdentifier(s string) bool {
	if len(s) == 0 || len(s) > 64 || ('0' <= s[0] && s[0] <= '9') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// CheckIdentifier refuses a table or column name that is not a plain
// identifier: names are quoted into SQL, so only letters, digits and _
// (not starting with a digit, at most 64) ever reach it.
func CheckIdentifier(kind, s string) error {
	if !validIdentifier(s) {
		return fmt.Errorf("%s name %q is not an identifier (letters, digits and _, not starting with a digit)", kind, s)
	}
	return nil
}

// CheckTable refuses table unless it is an identifier granted at least
// need.
func (d *DataConstraints) CheckTable(table string, need Access) error {
	if err := CheckIdentifier("table", table); err != nil {
		return err
	}
	if d == nil {
		return errors.New("it grants no database")
	}
	if got := d.TableAccess(table); got < need {
		return fmt.Errorf("table %s needs %s access and is granted %s", table, need, got)
	}
	return nil
}

// LiteralDenial is the static check of a slot's literal arguments against
// the effect constraints, read from what the signature's effects say the
// slot reaches: a file slot's value (and a copy/move's destination) is a
// sandbox path, a network slot's value is a URL, a database slot's
// [table] is a table (read or write by its effects) and data.connect's
// value a database name. Expressions are left to the guard at dispatch.
// It returns "" when nothing literal is wrong.
func (p *Policy) LiteralDenial(n *hyperlambda.Node, sig *Signature) string {
	if sig == nil || sig.Effects&(ReadFiles|WriteFiles|Network|DBRead|DBWrite) == 0 {
		return ""
	}
	c := p.Constraints().Effects
	literal := func(v any) (string, bool) { s, ok := v.(string); return s, ok }
	deny := func(err error) string {
		return fmt.Sprintf("%s is denied by policy %s: %v", n.Name, p.Name, err)
	}
	if sig.Effects&(ReadFiles|WriteFiles) != 0 {
		paths := []any{n.Value}
		if _, ok := sig.Arg("destination"); ok {
			// [destination], or the reference's unnamed first child.
			for i, ch := range n.Children() {
				if ch.Name == "destination" || i == 0 && (ch.Name == "" || ch.Name == ".") {
					paths = append(paths, ch.Value)
				}
			}
		}
		for _, v := range paths {
			s, ok := literal(v)
			if !ok {
				continue
			}
			if c.Files == nil || c.Files.Root == "" {
				return deny(errors.New("it sets no files root"))
			}
			rel, err := SandboxPath(s)
			if err == nil && c.Data.IsDatabaseFile(rel) && rel != "." { // the root itself is listed, as io.* does
				err = fmt.Errorf("path %q is a database file (or holds one), reachable through data.* only", s)
			}
			if err != nil {
				return deny(err)
			}
		}
	}
	if sig.Effects&Network != 0 {
		if s, ok := literal(n.Value); ok {
			if _, err := c.HTTP.CheckURL(s); err != nil {
				return deny(err)
			}
		}
	}
	if sig.Effects&(DBRead|DBWrite) != 0 {
		if n.Name == "data.connect" {
			if s, ok := literal(n.Value); ok || n.Value == nil {
				if _, _, err := c.Data.Database(s); err != nil {
					return deny(err)
				}
			}
		}
		if _, ok := sig.Arg("table"); ok {
			for _, ch := range n.Children() {
				if ch.Name != "table" {
					continue
				}
				if s, ok := literal(ch.Value); ok {
					need := ReadOnly
					if sig.Effects&DBWrite != 0 {
						need = ReadWrite
					}
					if err := c.Data.CheckTable(s, need); err != nil {
						return deny(err)
					}
				}
			}
		}
	}
	return ""
}
