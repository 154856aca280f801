package netformat

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"hlstudio/hyperlambda"
)

// The invariant culture's standard date formats (one letter), as .NET
// expands them; anything longer is a custom format.
var standardDate = map[string]string{
	"d": "MM/dd/yyyy", "D": "dddd, dd MMMM yyyy", "f": "dddd, dd MMMM yyyy HH:mm", "F": "dddd, dd MMMM yyyy HH:mm:ss",
	"g": "MM/dd/yyyy HH:mm", "G": "MM/dd/yyyy HH:mm:ss", "m": "MMMM dd", "M": "MMMM dd",
	"o": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK", "O": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
	"r": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'", "R": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
	"s": "yyyy'-'MM'-'dd'T'HH':'mm':'ss", "t": "HH:mm", "T": "HH:mm:ss",
	"u": "yyyy'-'MM'-'dd HH':'mm':'ss'Z'", "U": "dddd, dd MMMM yyyy HH:mm:ss", "y": "yyyy MMMM", "Y": "yyyy MMMM",
}

// Date formats d with a .NET date format string (invariant culture):
// "" is "G". Unknown letters are copied, as .NET does. As for a .NET
// DateTime, "r", "R" and "u" write the date's own clock (they assume it
// is UTC); "U" converts it to UTC first (an unspecified date is read as
// local time, in hyperlambda.DateZone).
func Date(d hyperlambda.Date, layout string) (string, error) {
	t := d.Clock()
	if layout == "" {
		layout = "G"
	}
	if std, ok := standardDate[layout]; ok {
		if layout == "U" {
			t = universal(d)
		}
		layout = std
	} else if len(layout) == 1 {
		return "", fmt.Errorf("unknown standard date format %q", layout)
	}
	var b strings.Builder
	err := walkFormat(layout, &b, func(c byte, run int) (int, error) {
		switch c {
		case '%':
			return 1, nil
		case 'y':
			switch run {
			case 1:
				b.WriteString(strconv.Itoa(t.Year() % 100))
			case 2:
				fmt.Fprintf(&b, "%02d", t.Year()%100)
			default:
				fmt.Fprintf(&b, "%0*d", run, t.Year())
			}
		case 'M':
			switch run {
			case 1:
				b.WriteString(strconv.Itoa(int(t.Month())))
			case 2:
				fmt.Fprintf(&b, "%02d", int(t.Month()))
			case 3:
				b.WriteString(t.Month().String()[:3])
			default:
				b.WriteString(t.Month().String())
			}
		case 'd':
			switch run {
			case 1:
				b.WriteString(strconv.Itoa(t.Day()))
			case 2:
				fmt.Fprintf(&b, "%02d", t.Day())
			case 3:
				b.WriteString(t.Weekday().String()[:3])
			default:
				b.WriteString(t.Weekday().String())
			}
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			pad(&b, h, run)
		case 'H':
			pad(&b, t.Hour(), run)
		case 'm':
			pad(&b, t.Minute(), run)
		case 's':
			pad(&b, t.Second(), run)
		case 'f', 'F':
			n := b.Len()
			if err := fraction(&b, layout, c, run, int64(t.Nanosecond()/100)); err != nil {
				return 0, err
			}
			// An F fraction that writes nothing takes the '.' before it
			// along, as in .NET ("HH:mm:ss.FFF" of a whole second).
			if s := b.String(); b.Len() == n && strings.HasSuffix(s, ".") {
				b.Reset()
				b.WriteString(s[:len(s)-1])
			}
		case 'g':
			b.WriteString("A.D.") // the invariant culture's only era
		case 't':
			ampm := "AM"
			if t.Hour() >= 12 {
				ampm = "PM"
			}
			b.WriteString(ampm[:min(run, 2)])
		case 'z':
			// z: +h, zz: +hh, zzz: +hh:mm
			zone(&b, t, []string{"%c%d", "%c%02d", "%c%02d:%02d"}[min(run, 3)-1])
		case 'K':
			switch d.Kind {
			case hyperlambda.DateUTC:
				b.WriteByte('Z')
			case hyperlambda.DateLocal:
				zone(&b, t, "%c%02d:%02d")
			}
			return 1, nil
		default:
			b.WriteString(strings.Repeat(string(c), run))
		}
		return run, nil
	})
	return b.String(), err
}

// universal is .NET's DateTime.ToUniversalTime: a UTC date as it is, a
// local one converted, an unspecified one read as local time.
func universal(d hyperlambda.Date) time.Time {
	switch d.Kind {
	case hyperlambda.DateUTC:
		return d.Time.UTC()
	case hyperlambda.DateLocal:
		return d.Time.UTC()
	}
	w := d.Time
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), hyperlambda.DateZone).UTC()
}

// walkFormat reads a .NET format string: quoted text ('...' or "...")
// and backslash escapes are copied to b; every other run of one letter
// goes to field, which writes it and says how many of the run it used.
func walkFormat(layout string, b *strings.Builder, field func(c byte, run int) (int, error)) error {
	for i := 0; i < len(layout); {
		c := layout[i]
		switch c {
		case '\'', '"':
			end := strings.IndexByte(layout[i+1:], c)
			if end < 0 {
				return fmt.Errorf("format %q: unterminated quote at %d", layout, i)
			}
			b.WriteString(layout[i+1 : i+1+end])
			i += end + 2
			continue
		case '\\':
			if i+1 < len(layout) {
				b.WriteByte(layout[i+1])
			}
			i += 2
			continue
		}
		run := 1
		for i+run < len(layout) && layout[i+run] == c {
			run++
		}
		used, err := field(c, run)
		if err != nil {
			return err
		}
		i += used
	}
	return nil
}

// fraction writes the first run digits of a 7-digit tick fraction; F
// drops trailing zeros.
func fraction(b *strings.Builder, layout string, c byte, run int, ticks int64) error {
	if run > 7 {
		return fmt.Errorf("format %q: at most 7 fraction digits", layout)
	}
	frac := fmt.Sprintf("%07d", ticks)[:run]
	if c == 'F' {
		frac = strings.TrimRight(frac, "0")
	}
	b.WriteString(frac)
	return nil
}

// zone writes t's offset with layout, given the sign, the hours and the
// minutes (a layout may leave the minutes out).
func zone(b *strings.Builder, t time.Time, layout string) {
	_, off := t.Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	args := []any{sign, off / 3600, off % 3600 / 60}
	fmt.Fprintf(b, layout, args[:strings.Count(layout, "%")]...)
}

func pad(b *strings.Builder, v, run int) {
	if run == 1 {
		b.WriteString(strconv.Itoa(v))
		return
	}
	fmt.Fprintf(b, "%02d", v)
}

const ticksPerSecond = hyperlambda.TicksPerSecond

// TimeSpan formats ts like .NET TimeSpan.ToString in the invariant
// culture: "c" (the default, also "t" and "T": [-][d.]hh:mm:ss[.fffffff]),
// "g" ([-][d:]h:mm:ss[.FFFFFFF]), "G" ([-]d:hh:mm:ss.fffffff), or a custom
// format of d, h, m, s, f and F runs with quoted or backslash-escaped
// literals; any other single letter is an error, as in .NET.
func TimeSpan(ts hyperlambda.TimeSpan, layout string) (string, error) {
	if layout == "" || layout == "c" || layout == "t" || layout == "T" {
		return ts.String(), nil
	}
	// The magnitude as an unsigned number: the smallest span has no
	// positive counterpart.
	u := uint64(ts)
	neg := ts < 0
	if neg {
		u = -u
	}
	const day = 86400 * ticksPerSecond
	days, rest := int64(u/day), int64(u%day)
	hours, minutes := rest/(3600*ticksPerSecond), rest/(60*ticksPerSecond)%60
	seconds, frac := rest/ticksPerSecond%60, rest%ticksPerSecond
	sign := ""
	if neg {
		sign = "-"
	}
	switch layout {
	case "g":
		s := sign
		if days > 0 {
			s += strconv.FormatInt(days, 10) + ":"
		}
		s += fmt.Sprintf("%d:%02d:%02d", hours, minutes, seconds)
		if frac > 0 {
			s += "." + strings.TrimRight(fmt.Sprintf("%07d", frac), "0")
		}
		return s, nil
	case "G":
		return fmt.Sprintf("%s%d:%02d:%02d:%02d.%07d", sign, days, hours, minutes, seconds, frac), nil
	}
	if len(layout) == 1 {
		return "", fmt.Errorf("unknown standard time format %q (c, g, G, t or T; %%%s for the custom one)", layout, layout)
	}
	var b strings.Builder
	err := walkFormat(layout, &b, func(c byte, run int) (int, error) {
		switch c {
		case '%':
			return 1, nil // "%h": a custom format of one letter
		case 'd':
			fmt.Fprintf(&b, "%0*d", run, days)
		case 'h':
			fmt.Fprintf(&b, "%0*d", min(run, 2), hours)
		case 'm':
			fmt.Fprintf(&b, "%0*d", min(run, 2), minutes)
		case 's':
			fmt.Fprintf(&b, "%0*d", min(run, 2), seconds)
		case 'f', 'F':
			if err := fraction(&b, layout, c, run, frac); err != nil {
				return 0, err
			}
		default:
			// .NET refuses unescaped literals in custom TimeSpan formats.
			return 0, fmt.Errorf("format %q: %q must be quoted or escaped in a time format", layout, string(c))
		}
		return run, nil
	})
	return b.String(), err
}
