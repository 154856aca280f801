package whitelist

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestEffectConstraintErrors(t *testing.T) {
	head := "name:p\r\nconstraints\r\n"
	cases := []struct{ src, want string }{
		{"   files\r\n      max-read-bytes:long:5\r\n", "p.hl:3:4: files needs a root"},
		{"   files\r\n      root:relative/dir\r\n", "p.hl:4:7: root \"relative/dir\" must be an absolute folder"},
		{"   files\r\n      root:/x\r\n      max-read-bytes:-1\r\n", "p.hl:5:7: max-read-bytes needs a positive integer"},
		{"   http\r\n      origins\r\n         .:\"ftp://x\"\r\n", "p.hl:5:10: origin \"ftp://x\" must be"},
		{"   http\r\n      origins\r\n         .:\"https://a.*.com\"\r\n", "host must be a name"},
		{"   http\r\n      private-addresses:yes\r\n", "private-addresses needs a bool"},
		{"   data\r\n      tables\r\n         \"a-b\":read\r\n", "table name \"a-b\" must be an identifier"},
		{"   data\r\n      tables\r\n         a:everything\r\n", "table a needs read, read-write or none"},
		{"   data\r\n      databases\r\n         app:../app.db\r\n", "database app needs a file path inside the files root"},
		{"   data\r\n      raw-sql:all\r\n", "raw-sql needs none, read or read-write"},
		{"   data\r\n      colour:red\r\n", "unknown data constraint \"colour\""},
		{"   identity\r\n      roles:admin\r\n", "p.hl:3:4: an identity needs a username"},
		{"   identity\r\n      username:jane\r\n      password:x\r\n", "p.hl:5:7: unknown identity entry \"password\""},
		{"   weather:sunny\r\n", "known constraints are clock, config, identity, files, http and data"},
	}
	for _, c := range cases {
		_, err := Parse("p.hl", []byte(head+c.src))
		var pe *Error
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.src, err, c.want)
		}
	}
}

func TestSandboxPath(t *testing.T) {
	ok := map[string]string{"/": ".", "": ".", "/a/b.txt": "a/b.txt", "a/./b/": "a/b", "/a//b": "a/b", "/ä/ü.txt": "ä/ü.txt"}
	for in, want := range ok {
		if got, err := SandboxPath(in); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"..", "/a/../../b", "a/..", "%2e%2e/x", "a%2Fb", "C:/x", "\\\\server\\share", "a\\b", "~/x", "//host/x",
		"a\x00b", "a\nb", "\u2024\u2024/x", "a\uff0fb", "\xff", strings.Repeat("a", 1025)} {
		if got, err := SandboxPath(in); err == nil {
			t.Errorf("%q: accepted as %q", in, got)
		}
	}
}

func TestPrivateAddresses(t *testing.T) {
	for _, s := range []string{"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
		"::1", "::", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:a00:1::", "::127.0.0.1", "224.0.0.1", "ff02::1"} {
		if !Private(netip.MustParseAddr(s)) {
			t.Errorf("%s is not private?", s)
		}
	}
	for _, s := range []string{"8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"} {
		if Private(netip.MustParseAddr(s)) {
			t.Errorf("%s is private?", s)
		}
	}
}

// An intersection allows only what both parts allow: the tighter sizes,
// origins of both, private addresses only if both, tables and raw SQL at
// the lesser grant, no files at all when the roots differ.
func TestNarrowEffects(t *testing.T) {
	outer, err := Parse("o", []byte("name:o\r\nallow\r\n   *\r\nconstraints\r\n   files\r\n      root:/srv/a\r\n      max-read-bytes:long:100\r\n   http\r\n      origins\r\n         .:\"https://*.example.com\"\r\n      private-addresses:bool:true\r\n   data\r\n      databases\r\n         app:/app.db\r\n      tables\r\n         todos:read-write\r\n         *:read\r\n      raw-sql:read-write\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	inner, err := Parse("i", []byte("name:i\r\nallow\r\n   *\r\nconstraints\r\n   files\r\n      root:/srv/a\r\n      max-read-bytes:long:50\r\n   http\r\n      origins\r\n         .:\"https://api.example.com\"\r\n         .:\"https://evil.com\"\r\n   data\r\n      databases\r\n         app:/app.db\r\n      tables\r\n         todos:read\r\n         users:read-write\r\n      raw-sql:read\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := Intersect(outer, inner).Constraints().Effects
	if c.Files.MaxReadBytes != 50 || c.Files.Root != "/srv/a" {
		t.Errorf("files %+v", c.Files)
	}
	if _, err := c.HTTP.CheckURL("https://api.example.com/x"); err != nil {
		t.Error(err)
	}
	if _, err := c.HTTP.CheckURL("https://evil.com/"); err == nil {
		t.Error("evil.com allowed by the intersection")
	}
	if _, err := c.HTTP.CheckURL("https://www.example.com/"); err == nil {
		t.Error("www.example.com allowed by the intersection")
	}
	if c.HTTP.PrivateAddresses {
		t.Error("private addresses allowed")
	}
	if c.Data.TableAccess("todos") != ReadOnly || c.Data.TableAccess("users") != ReadOnly || c.Data.TableAccess("other") != NoAccess || c.Data.RawSQL != ReadOnly {
		t.Errorf("data %+v", c.Data)
	}
	other, _ := Parse("x", []byte("name:x\r\nallow\r\n   *\r\nconstraints\r\n   files\r\n      root:/srv/b\r\n"))
	if _, err := Intersect(outer, other).Constraints().Effects.Files.Dir(); err == nil {
		t.Error("two different roots must share no file")
	}
	// A nested [whitelist] has no constraints and keeps the outer ones.
	if c := Intersect(outer, Exactly("w", []string{"io.file.load"})).Constraints().Effects; c.Files == nil || c.Files.Root != "/srv/a" {
		t.Errorf("nested whitelist: %+v", c.Files)
	}
}

func TestDataHome(t *testing.T) {
	env := map[string]string{"XDG_DATA_HOME": "/xdg"}
	home := func() (string, error) { return "/home/u", nil }
	if d, _ := expandRoot("{data}/sandbox", func(k string) string { return env[k] }, home); d != "/xdg/hlstudio/sandbox" {
		t.Errorf("with XDG_DATA_HOME: %s", d)
	}
	if d, _ := expandRoot("{data}/sandbox", func(string) string { return "" }, home); d != "/home/u/.local/share/hlstudio/sandbox" {
		t.Errorf("without: %s", d)
	}
	if _, err := expandRoot("{data}x", func(string) string { return "" }, home); err == nil {
		t.Error("{data}x accepted")
	}
}

func TestCheckIdentifier(t *testing.T) {
	long := strings.Repeat("a", 64)
	for s, ok := range map[string]bool{
		"todos": true, "_x": true, "A1_b": true, long: true,
		"": false, "1a": false, "a-b": false, "a b": false, "ä": false, "a;": false,
		long + "a": false, "[x]": false, "a\x00": false, "x.y": false,
	} {
		if err := CheckIdentifier("table", s); (err == nil) != ok {
			t.Errorf("%q: got %v, want ok=%v", s, err, ok)
		}
	}
}
