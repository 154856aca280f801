package whitelist

import (
	"strings"
	"testing"
)

// Audit 22: an effect rule in deny reads "every slot whose effects are
// within this set" (the allow reading), so `deny effects:write-files`
// denies every pure slot and lets through a slot that writes files and
// also reads them (io.file.copy/move/unzip, io.folder.copy/move,
// io.stream.save-file are read-files,write-files; 19 data.* slots are
// db-read,db-write). A deny by effect must deny every slot having that
// effect, and nothing else.
func TestDenyByEffectDeniesEverySlotWithTheEffect(t *testing.T) {
	cases := []struct {
		deny  string
		slot  string
		sig   *Signature
		allow bool
	}{
		{"write-files", "io.file.move", &Signature{Effects: ReadFiles | WriteFiles}, false},
		{"write-files", "io.file.save", &Signature{Effects: WriteFiles}, false},
		{"write-files", "strings.concat", &Signature{}, true},
		{"db-write", "data.execute", &Signature{Effects: DBRead | DBWrite}, false},
		{"db-write", "data.read", &Signature{Effects: DBRead}, true},
		{"network", "eq", &Signature{}, true},
		{"network", "http.get", &Signature{Effects: Network}, false},
		{"spawns-code", "io.file.execute", &Signature{Effects: ReadFiles | SpawnsCode}, false},
	}
	for _, c := range cases {
		p, err := Parse("p.hl", []byte("name:p\r\nallow\r\n   *\r\ndeny\r\n   effects:"+c.deny+"\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Allows(c.slot, c.sig).Allowed; got != c.allow {
			t.Errorf("allow * / deny effects:%s: %s (effects %s) allowed=%v, want %v", c.deny, c.slot, c.sig.Effects, got, c.allow)
		}
	}
}

// An effects rule whose value is not text (or missing) silently became
// effects:pure: in deny it denies every pure slot, in allow it grants
// them, whatever the author meant.
func TestEffectsRuleNeedsEffectNames(t *testing.T) {
	for _, src := range []string{
		"name:p\r\nallow\r\n   effects:int:5\r\n",
		"name:p\r\nallow\r\n   effects\r\n",
		"name:p\r\nallow\r\n   *\r\ndeny\r\n   effects:bool:true\r\n",
	} {
		if _, err := Parse("p.hl", []byte(src)); err == nil {
			t.Errorf("%q accepted (as effects:pure)", src)
		}
	}
}

// The rule an allowed slot is allowed by names what it admits: an allowed
// set of effects admits pure slots too, so a pure slot's reason does not
// read as if a rule of file and database effects let it through. A deny
// rule is named as written.
func TestEffectsRuleTextNamesWhatItAdmits(t *testing.T) {
	p, err := Parse("p.hl", []byte("name:p\r\nallow\r\n   effects:logs,db-read\r\ndeny\r\n   effects:db-read\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d := p.Allows("strings.concat", &Signature{}); !d.Allowed || d.Rule != "effects:pure,db-read,logs" {
		t.Errorf("pure slot: %+v", d)
	}
	if d := p.Allows("data.read", &Signature{Effects: DBRead}); d.Allowed || !strings.Contains(d.Reason, "(deny effects:db-read)") {
		t.Errorf("denied slot: %+v", d)
	}
	q, err := Parse("q.hl", []byte("name:q\r\nallow\r\n   effects:pure\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d := q.Allows("eq", &Signature{}); d.Rule != "effects:pure" {
		t.Errorf("effects:pure reads %q", d.Rule)
	}
}
