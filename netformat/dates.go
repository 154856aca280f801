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
	"u": "yyyy'-'MM'-'dd HH':'mm':'ss'Z'", "y": "yyyy MMMM", "Y": "yyyy MMMM",
}

// Date formats d with a .NET date format string (invariant culture):
// "" is "G". Unknown letters are copied, as .NET does.
func Date(d hyperlambda.Date, layout string) (string, error) {
	t := d.Clock()
	if layout == "" {
		layout = "G"
	}
	if std, ok := standardDate[layout]; ok {
		if layout == "r" || layout == "R" || layout == "u" {
			t = t.UTC()
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
			if err := fraction(&b, layout, c, run, int64(t.Nanosecond()/100)); err != nil {
				return 0, err
			}
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

// TimeSpan formats ts like .NET TimeSpan.ToString: "c" (the
// default, [-][d.]hh:mm:ss[.fffffff]) or a custom format of d, h, m, s, f
// runs with quoted or backslash-escaped literals.
func TimeSpan(ts hyperlambda.TimeSpan, layout string) (string, error) {
	if layout == "" || layout == "c" || layout == "t" || layout == "T" {
		return ts.String(), nil
	}
	ticks := int64(ts)
	neg := ticks < 0
	if neg {
		ticks = -ticks
	}
	days := ticks / (86400 * ticksPerSecond)
	rest := ticks % (86400 * ticksPerSecond)
	hours, minutes := rest/(3600*ticksPerSecond), rest/(60*ticksPerSecond)%60
	seconds, frac := rest/ticksPerSecond%60, rest%ticksPerSecond
	var b strings.Builder
	err := walkFormat(layout, &b, func(c byte, run int) (int, error) {
		switch c {
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
