package dataslots

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// Each kind of pattern, in the forms the reference accepts, with its
// canonical text and its next due date from a fixed now (a Saturday, the
// last day of January, half a second past ten).
func TestRepetitionPatterns(t *testing.T) {
	now := at("2026-01-31T10:00:00.5Z")
	cases := []struct{ pattern, canonical, next string }{
		{"5.seconds", "5.seconds", "2026-01-31T10:00:05.5Z"},
		{"+07.minutes", "7.minutes", "2026-01-31T10:07:00.5Z"},
		{" 2 .hours", "2.hours", "2026-01-31T12:00:00.5Z"},
		{"1.days", "1.days", "2026-02-01T10:00:00.5Z"},
		{"2.weeks", "2.weeks", "2026-02-14T10:00:00.5Z"},
		// .NET's AddMonths keeps the day or clamps it to the month's last.
		{"1.months", "1.months", "2026-02-28T10:00:00.5Z"},
		{"13.months", "13.months", "2027-02-28T10:00:00.5Z"},
		{"25.months", "25.months", "2028-02-29T10:00:00.5Z"},
		{"2147483647.seconds", "2147483647.seconds", "2094-02-18T13:14:07.5Z"},
		{"**.00.00.00", "**.00.00.00", "2026-02-01T00:00:00Z"},
		// Today at the time, when that is later than now; else the next day.
		{"saturday.10.00.01", "Saturday.10.00.01", "2026-01-31T10:00:01Z"},
		{"Saturday.10.00.00", "Saturday.10.00.00", "2026-02-07T10:00:00Z"},
		{"6|0.9.0.0", "Saturday|Sunday.09.00.00", "2026-02-01T09:00:00Z"},
		{" Monday | FRIDAY .23.59.59", "Monday|Friday.23.59.59", "2026-02-02T23:59:59Z"},
		{"**.**.10.00.00", "**.**.10.00.00", "2026-02-01T10:00:00Z"},
		{"**.31.12.00.00", "**.31.12.00.00", "2026-01-31T12:00:00Z"},
		{"02|04.30.00.00.00", "02|04.30.00.00.00", "2026-04-30T00:00:00Z"},
		{"2.29.0.0.0", "02.29.00.00.00", "2028-02-29T00:00:00Z"},
		{"12.25.8.5.3", "12.25.08.05.03", "2026-12-25T08:05:03Z"},
		{"01.31.09.59.59", "01.31.09.59.59", "2027-01-31T09:59:59Z"},
		{"01|07.5|15.05.00.00", "01|07.05|15.05.00.00", "2026-07-05T05:00:00Z"},
	}
	for _, c := range cases {
		p, err := parseRepetition(c.pattern)
		if err != nil {
			t.Errorf("%q: %v", c.pattern, err)
			continue
		}
		if got := p.String(); got != c.canonical {
			t.Errorf("%q: canonical %q, want %q", c.pattern, got, c.canonical)
		}
		next, err := p.next(now)
		if err != nil {
			t.Errorf("%q: next: %v", c.pattern, err)
			continue
		}
		if want := at(c.next); !next.Equal(want) {
			t.Errorf("%q: next %s, want %s", c.pattern, next.Format(time.RFC3339Nano), c.next)
		}
		// The canonical text reads back as the same pattern.
		if again, err := parseRepetition(p.String()); err != nil || again.String() != p.String() {
			t.Errorf("%q: canonical %q does not read back: %v", c.pattern, p.String(), err)
		}
	}
}

// Patterns the reference refuses, and those it accepts but fails on (or
// loops forever on) when it computes a due date: all refused up front.
func TestBadRepetitionPatterns(t *testing.T) {
	cases := []struct{ pattern, want string }{
		{"", "a pattern is"},
		{"5", "a pattern is"},
		{"5..days", "a pattern is"},
		{"01.**.**.**.**.Monday", "a pattern is"},
		{"0.seconds", "the interval must be from 1 to 2147483647, not 0"},
		{"-5.seconds", "the interval must be from 1 to 2147483647, not -5"},
		{"2147483648.seconds", "the interval must be from 1"},
		{"99999999999999999999.days", "the interval must be from 1"},
		{"x.days", "the interval must be a number"},
		{"++5.days", "the interval must be a number"},
		{"5.Seconds", "the unit must be"},
		{"5.years", "the unit must be"},
		{"Monday|Wrongday.01.01.01", `"Wrongday" is not a weekday`},
		{"Monday|.01.01.01", `"" is not a weekday`},
		{"7.01.01.01", `"7" is not a weekday`},
		{"Monday.01.01.**", "the second must be a number (** stands only"},
		{"MM.dd.HH.mm.ss", "the month must be a number"},
		{"**.**.**.**.ss", "the hour must be a number (** stands only"},
		{"13.01.00.00.00", "the month must be from 1 to 12, not 13"},
		{"00.01.00.00.00", "the month must be from 1 to 12, not 00"},
		{"**.32.00.00.00", "the day of the month must be from 1 to 31, not 32"},
		{"02.30|31.00.00.00", "would never come due"},
		{"04|06|09|11.31.00.00.00", "would never come due"},
		{"**.**.24.00.00", "the hour must be from 0 to 23, not 24"},
		{"**.**.00.60.00", "the minute must be from 0 to 59, not 60"},
		{"**.00.00.60", "the second must be from 0 to 59, not 60"},
		{"ext:foo:bar", "extension patterns"},
		{strings.Repeat("1|", 300) + "1.01.00.00.00", "a repetition pattern is at most 512"},
	}
	for _, c := range cases {
		_, err := parseRepetition(c.pattern)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want an error containing %q", c.pattern, err, c.want)
		}
	}
}

// No due date past what a .NET DateTime holds: an error, not a wrapped or
// endless search.
func TestRepetitionBeyondTheCalendar(t *testing.T) {
	for _, c := range []struct{ pattern, now string }{
		{"2147483647.months", "2026-01-31T10:00:00Z"},
		{"2147483647.weeks", "2026-01-31T10:00:00Z"},
		{"1.days", "9999-12-31T12:00:00Z"},
		{"**.**.00.00.00", "9999-12-31T12:00:00Z"},
		{"02.29.00.00.00", "9997-03-01T00:00:00Z"},
	} {
		p, err := parseRepetition(c.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if next, err := p.next(at(c.now)); err != errBeyondCalendar {
			t.Errorf("%q from %s: got %s, %v", c.pattern, c.now, next, err)
		}
	}
}

// The seal key is made once, private to the user, and read back the same;
// a damaged key file is an error, never a silently new key.
func TestSealKey(t *testing.T) {
	home := filepath.Join(t.TempDir(), "hlstudio")
	file := filepath.Join(home, sealKeyFile)
	k1, err := loadSealKey(home, file)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := loadSealKey(home, file)
	if err != nil || string(k1) != string(k2) || len(k1) != 32 {
		t.Fatalf("second load: %x %v, first %x", k2, err, k1)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	if err := os.WriteFile(file, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadSealKey(home, file); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("damaged key: %v", err)
	}
	// Every field counts, and where one ends and the next begins.
	if seal(k1, "a", "bc") == seal(k1, "ab", "c") || seal(k1, "a", "b") == seal(k2[:31], "a", "b") {
		t.Fatal("seals collide")
	}
}
