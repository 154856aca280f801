package hyperlambda

import (
	"strconv"
	"strings"
	"time"
)

// DateKind is the .NET DateTimeKind of a Date. It decides the zone suffix
// of the canonical text.
type DateKind uint8

// Date kinds, as in .NET.
const (
	DateUnspecified DateKind = iota // wall time as written, no zone
	DateUTC                         // written with a "Z" suffix
	DateLocal                       // an instant shown in DateZone, written with its offset
)

// Date is the value of the "date" type: a .NET DateTime, i.e. a time and
// a kind. ConvertText stores UTC dates in time.UTC, Local dates in
// DateZone and Unspecified dates as their wall clock in time.UTC. Formatting
// converts UTC and Local dates as needed and uses the wall clock of
// Unspecified ones whatever their location.
type Date struct {
	Time time.Time
	Kind DateKind
}

// Clock is d's time as its kind shows it: in UTC for a UTC date, in
// DateZone for a local one, as written for an unspecified one (the wall
// clock a .NET DateTime holds).
func (d Date) Clock() time.Time {
	switch d.Kind {
	case DateUTC:
		return d.Time.UTC()
	case DateLocal:
		return d.Time.In(DateZone)
	}
	return d.Time
}

// DateZone is the zone of kind-Local dates. The reference converts text
// with an explicit offset into the *server's* local zone, so its canonical
// text depends on the machine; we use this fixed zone instead (UTC by
// default, which is what the reference does on a UTC server). Set it once
// at start-up; it is not synchronised.
var DateZone = time.UTC

// Range of .NET DateTime.
const (
	minDateYear = 1
	maxDateYear = 9999
)

// dateReader is a small cursor over date text.
type dateReader struct {
	s string
	i int
}

func (r *dateReader) eof() bool { return r.i >= len(r.s) }

func (r *dateReader) peek() byte {
	if r.i < len(r.s) {
		return r.s[r.i]
	}
	return 0
}

func (r *dateReader) accept(c byte) bool {
	if r.peek() == c && !r.eof() {
		r.i++
		return true
	}
	return false
}

// digits reads between lo and hi decimal digits.
func (r *dateReader) digits(lo, hi int) (int, bool) {
	v, n := 0, 0
	for n < hi && r.i < len(r.s) && r.s[r.i] >= '0' && r.s[r.i] <= '9' {
		v = v*10 + int(r.s[r.i]-'0')
		r.i++
		n++
	}
	return v, n >= lo
}

func (r *dateReader) spaces() bool {
	start := r.i
	for r.i < len(r.s) && r.s[r.i] == ' ' {
		r.i++
	}
	return r.i > start
}

// word reads ASCII letters.
func (r *dateReader) word() string {
	start := r.i
	for r.i < len(r.s) && (r.s[r.i]|0x20) >= 'a' && (r.s[r.i]|0x20) <= 'z' {
		r.i++
	}
	return r.s[start:r.i]
}

var monthAbbr = [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
var dayAbbr = [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// dateFields is what was read from the text.
type dateFields struct {
	year, month, day     int
	hour, minute, second int
	ticks                int // fraction of a second in 100 ns
	zone                 byte
	offset               int // seconds east of UTC when zone is '+'
	weekday              int // -1 when not given
}

// timeOfDay reads H[H]:mm[:ss[.f{1,7}]] and an optional AM/PM designator.
func (r *dateReader) timeOfDay(f *dateFields) string {
	var ok bool
	if f.hour, ok = r.digits(1, 2); !ok {
		return "expected an hour"
	}
	if !r.accept(':') {
		return "expected ':' after the hour"
	}
	if f.minute, ok = r.digits(2, 2); !ok {
		return "expected two-digit minutes"
	}
	if r.accept(':') {
		if f.second, ok = r.digits(2, 2); !ok {
			return "expected two-digit seconds"
		}
		if r.accept('.') {
			start := r.i
			frac, ok := r.digits(1, 7)
			if !ok {
				return "expected fraction digits"
			}
			for n := r.i - start; n < 7; n++ {
				frac *= 10
			}
			f.ticks = frac
			if c := r.peek(); c >= '0' && c <= '9' {
				return "more than 7 fraction digits"
			}
		}
	}
	save := r.i
	r.spaces()
	switch strings.ToUpper(r.word()) {
	case "AM":
		if f.hour < 1 || f.hour > 12 {
			return "hour out of range for AM"
		}
		f.hour %= 12
		return ""
	case "PM":
		if f.hour < 1 || f.hour > 12 {
			return "hour out of range for PM"
		}
		f.hour = f.hour%12 + 12
		return ""
	}
	r.i = save
	return ""
}

// zoneSuffix reads an optional "Z", "GMT" or numeric offset
// (+hh, +hhmm, +hh:mm).
func (r *dateReader) zoneSuffix(f *dateFields) string {
	save := r.i
	r.spaces()
	switch c := r.peek(); {
	case c == 'Z':
		r.i++
		f.zone = 'Z'
		return ""
	case c == '+' || c == '-':
		r.i++
		hh, ok := r.digits(2, 2)
		if !ok {
			return "expected a two-digit offset hour"
		}
		mm := 0
		if r.accept(':') {
			if mm, ok = r.digits(2, 2); !ok {
				return "expected two-digit offset minutes"
			}
		} else if d := r.peek(); d >= '0' && d <= '9' {
			if mm, ok = r.digits(2, 2); !ok {
				return "expected two-digit offset minutes"
			}
		}
		if hh > 14 || mm > 59 || hh == 14 && mm > 0 {
			return "offset out of range"
		}
		f.zone = '+'
		f.offset = hh*3600 + mm*60
		if c == '-' {
			f.offset = -f.offset
		}
		return ""
	case c == 'G' || c == 'g':
		if w := r.word(); strings.EqualFold(w, "GMT") {
			f.zone = 'G'
			return ""
		}
	}
	r.i = save
	return ""
}

// parseDate parses date text. Accepted: ISO 8601 "yyyy-M-d" (or .NET's
// "yyyy/M/d") optionally followed by 'T' or ' ' and a time; .NET invariant
// "M/d/yyyy" optionally followed by a time; RFC 1123 "[ddd,] d MMM yyyy
// time GMT". A time may be followed by "Z", an offset or "GMT". The kind
// follows the reference: text ending in Z is UTC (Converter uses
// AdjustToUniversal); any other zone makes a Local date converted into
// DateZone (plain DateTime.Parse); no zone gives Unspecified.
func parseDate(text string) (Date, string) {
	d, reason, syntax := scanDate(text)
	if syntax {
		return d, "not a date (" + reason + "); use ISO 8601, e.g. 2024-12-01T10:00:00Z, or MM/dd/yyyy HH:mm:ss"
	}
	return d, reason
}

// scanDate does parseDate's work; syntax tells a text that is not a date
// at all from an impossible date.
func scanDate(text string) (_ Date, reason string, syntax bool) {
	r := dateReader{s: strings.TrimSpace(text)}
	f := dateFields{weekday: -1}
	if r.eof() {
		return Date{}, "empty text", true
	}
	var ok bool
	hasTime := false
	switch c := r.peek(); {
	case c >= '0' && c <= '9':
		start := r.i
		first, _ := r.digits(1, 4)
		switch {
		case r.i-start == 4 && (r.peek() == '-' || r.peek() == '/'): // ISO, or .NET's yyyy/MM/dd
			sep := r.peek()
			r.i++
			f.year = first
			if f.month, ok = r.digits(1, 2); !ok || !r.accept(sep) {
				return Date{}, "expected yyyy-MM-dd", true
			}
			if f.day, ok = r.digits(1, 2); !ok {
				return Date{}, "expected yyyy-MM-dd", true
			}
			if r.accept('T') || (r.peek() == ' ' && r.spaces() && !r.eof()) {
				hasTime = true
			}
		case r.i-start <= 2 && r.accept('/'): // .NET invariant M/d/yyyy
			f.month = first
			if f.day, ok = r.digits(1, 2); !ok || !r.accept('/') {
				return Date{}, "expected MM/dd/yyyy", true
			}
			start = r.i
			if f.year, ok = r.digits(4, 4); !ok {
				return Date{}, "expected a four-digit year", true
			}
			if r.spaces() && !r.eof() {
				hasTime = true
			}
		case r.i-start <= 2 && r.spaces(): // RFC 1123 without weekday
			f.day = first
			if reason = r.rfc1123(&f); reason != "" {
				return Date{}, reason, true
			}
			hasTime = true
		default:
			return Date{}, "unrecognised date format", true
		}
	default: // RFC 1123 with weekday
		w := strings.ToLower(r.word())
		for i, d := range dayAbbr {
			if w == d {
				f.weekday = i
			}
		}
		if f.weekday < 0 || !r.accept(',') || !r.spaces() {
			return Date{}, "unrecognised date format", true
		}
		if f.day, ok = r.digits(1, 2); !ok || !r.spaces() {
			return Date{}, "expected a day of month", true
		}
		if reason = r.rfc1123(&f); reason != "" {
			return Date{}, reason, true
		}
		hasTime = true
	}
	if hasTime {
		if reason = r.timeOfDay(&f); reason != "" {
			return Date{}, reason, true
		}
		if reason = r.zoneSuffix(&f); reason != "" {
			return Date{}, reason, true
		}
	}
	if !r.eof() {
		return Date{}, "unexpected text after the date", true
	}
	// The reference only uses AdjustToUniversal (kind UTC) when the raw
	// text ends in "Z"; a "Z" followed by white space goes through plain
	// DateTime.Parse, which makes any zone designator a Local date.
	d, why := f.date(strings.HasSuffix(text, "Z"))
	return d, why, false
}

// rfc1123 reads "MMM yyyy " after the day of month.
func (r *dateReader) rfc1123(f *dateFields) string {
	w := strings.ToLower(r.word())
	for i, m := range monthAbbr {
		if w == m {
			f.month = i + 1
		}
	}
	if f.month == 0 || !r.spaces() {
		return "expected a month name"
	}
	var ok bool
	if f.year, ok = r.digits(4, 4); !ok || !r.spaces() {
		return "expected a four-digit year"
	}
	return ""
}

// date validates the fields and applies the zone rules; endsZ tells
// whether the raw text ends in "Z".
func (f *dateFields) date(endsZ bool) (Date, string) {
	if f.year < minDateYear || f.month < 1 || f.month > 12 || f.day < 1 ||
		f.day > daysIn(f.year, f.month) {
		return Date{}, "not a valid date: day, month or year out of range"
	}
	if f.hour > 23 || f.minute > 59 || f.second > 59 {
		return Date{}, "not a valid date: time of day out of range"
	}
	t := time.Date(f.year, time.Month(f.month), f.day, f.hour, f.minute, f.second, f.ticks*100, time.UTC)
	if f.weekday >= 0 && int(t.Weekday()) != f.weekday {
		return Date{}, "not a valid date: the day of week is incorrect"
	}
	if f.zone == 'Z' && endsZ {
		return Date{Time: t, Kind: DateUTC}, ""
	}
	switch f.zone {
	case 'Z', '+', 'G':
		t = t.Add(-time.Duration(f.offset) * time.Second).In(DateZone)
		if y := t.Year(); y < minDateYear || y > maxDateYear {
			return Date{}, "not a valid date: out of range after conversion to the local zone"
		}
		return Date{Time: t, Kind: DateLocal}, ""
	}
	return Date{Time: t, Kind: DateUnspecified}, ""
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func append2(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }

func append4(b []byte, v int) []byte {
	return append(append2(b, v/100), byte('0'+v/10%10), byte('0'+v%10))
}

// formatDate writes the canonical "yyyy-MM-ddTHH:mm:ss.fff" with "Z" for
// UTC or DateZone's "+hh:mm" for Local. Milliseconds are truncated, as
// .NET's "fff" does.
func formatDate(d Date) (string, bool) {
	t := d.Clock()
	if t.Year() < minDateYear || t.Year() > maxDateYear || d.Kind > DateLocal {
		return "", false
	}
	b := make([]byte, 0, 29)
	b = append4(b, t.Year())
	b = append(b, '-')
	b = append2(b, int(t.Month()))
	b = append(b, '-')
	b = append2(b, t.Day())
	b = append(b, 'T')
	b = append2(b, t.Hour())
	b = append(b, ':')
	b = append2(b, t.Minute())
	b = append(b, ':')
	b = append2(b, t.Second())
	ms := t.Nanosecond() / 1e6
	b = append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	switch d.Kind {
	case DateUTC:
		b = append(b, 'Z')
	case DateLocal:
		_, off := t.Zone()
		off /= 60 // .NET offsets are whole minutes
		if off < 0 {
			b = append(b, '-')
			off = -off
		} else {
			b = append(b, '+')
		}
		b = append2(b, off/60)
		b = append(b, ':')
		b = append2(b, off%60)
	}
	return string(b), true
}

// dateString is .NET's DateTime.ToString() with the invariant culture:
// "MM/dd/yyyy HH:mm:ss", no zone, no fraction.
func dateString(d Date) string {
	t := d.Clock()
	b := make([]byte, 0, 19)
	b = append2(b, int(t.Month()))
	b = append(b, '/')
	b = append2(b, t.Day())
	b = append(b, '/')
	b = append4(b, t.Year())
	b = append(b, ' ')
	b = append2(b, t.Hour())
	b = append(b, ':')
	b = append2(b, t.Minute())
	b = append(b, ':')
	b = append2(b, t.Second())
	return string(b)
}

// String is .NET's TimeSpan.ToString() ("c" format):
// [-][d.]hh:mm:ss[.fffffff], e.g. "1.02:03:04.5000000".
func (ts TimeSpan) String() string { return timeSpanString(ts) }

func timeSpanString(ts TimeSpan) string {
	u := uint64(ts)
	neg := ts < 0
	if neg {
		u = -u
	}
	frac := u % 1e7
	secs := u / 1e7
	days := secs / 86400
	b := make([]byte, 0, 26)
	if neg {
		b = append(b, '-')
	}
	if days > 0 {
		b = strconv.AppendUint(b, days, 10)
		b = append(b, '.')
	}
	b = append2(b, int(secs/3600%24))
	b = append(b, ':')
	b = append2(b, int(secs/60%60))
	b = append(b, ':')
	b = append2(b, int(secs%60))
	if frac > 0 {
		b = append(b, '.')
		s := strconv.FormatUint(frac+1e7, 10) // leading "1" keeps the zeros
		b = append(b, s[1:]...)
	}
	return string(b)
}
