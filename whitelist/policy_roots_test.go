package whitelist

import "testing"

// Audit 22: a files root starting with {data} reads as "inside the
// per-user data folder", and a relative root is refused, but ".."
// after {data} is joined and cleaned away: root:"{data}/../../../../.."
// is accepted and expands to / (the whole disk) for a user whose data
// folder is /home/u/.local/share/hlstudio. A sandbox path's ".." is
// refused; a root's ".." after {data} must be too.
func TestDataRootCannotClimbOutOfDataHome(t *testing.T) {
	for _, root := range []string{`{data}/../../../../..`, `{data}/..`, `{data}/sandbox/../..`} {
		src := "name:p\r\nconstraints\r\n   files\r\n      root:\"" + root + "\"\r\n"
		p, err := Parse("p.hl", []byte(src))
		if err != nil {
			continue
		}
		home := func(string) string { return "" }
		dir, _ := expandRoot(p.Constraints().Effects.Files.Root, home, func() (string, error) { return "/home/u", nil })
		t.Errorf("root %q accepted; it expands to %q, outside /home/u/.local/share/hlstudio", root, dir)
	}
}

// An origin with an unclosed bracket is accepted: "http://[::1:80" as
// http://[::1]:80 (loopback), "https://[::1" as host ":" port 1.
func TestMalformedOriginIsRefused(t *testing.T) {
	for _, o := range []string{"https://[::1", "http://[::1:80"} {
		src := "name:p\r\nconstraints\r\n   http\r\n      origins\r\n         .:\"" + o + "\"\r\n"
		if p, err := Parse("p.hl", []byte(src)); err == nil {
			t.Errorf("origin %q accepted as %+v", o, p.Constraints().Effects.HTTP.Origins)
		}
	}
}
