package jsonslots

import (
	"strconv"
	"strings"
	"time"

	"hlstudio/hyperlambda"
)

// The date range of a .NET DateTime.
var (
	minTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999900, time.UTC)
)

// parseDate reads a JSON string as Newtonsoft.Json's reader does with its
// default DateParseHandling.DateTime (what the reference's json2lambda
// gets): 19 to 40 characters "yyyy-MM-ddTHH:mm:ss", an optional fraction
// of up to 7 digits and an optional zone ("Z", "+hh", "+hhmm", "+hh:mm");
// or "/Date(ms[+hhmm])/". Without a zone the date is unspecified, with
// "Z" UTC, with an offset local (converted to hyperlambda.DateZone, as
// the reference converts it to the server's zone). Anything else stays
// text.
func parseDate(s string) (hyperlambda.Date, bool) {
	if strings.HasPrefix(s, "/") {
		return parseMicrosoftDate(s)
	}
	if len(s) < 19 || len(s) > 40 || !digit(s[0]) || s[10] != 'T' {
		return hyperlambda.Date{}, false
	}
	year, ok1 := digits(s, 0, 4)
	month, ok2 := digits(s, 5, 2)
	day, ok3 := digits(s, 8, 2)
	if !ok1 || !ok2 || !ok3 || s[4] != '-' || s[7] != '-' || year < 1 || month < 1 || month > 12 ||
		day < 1 || day > time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return hyperlambda.Date{}, false
	}
	hour, ok1 := digits(s, 11, 2)
	minute, ok2 := digits(s, 14, 2)
	second, ok3 := digits(s, 17, 2)
	if !ok1 || !ok2 || !ok3 || s[13] != ':' || s[16] != ':' || hour > 24 || minute > 59 || second > 59 ||
		hour == 24 && (minute != 0 || second != 0) {
		return hyperlambda.Date{}, false
	}
	i := 19
	fraction := 0
	if i < len(s) && s[i] == '.' {
		n := 0
		for i++; i < len(s) && n < 7 && digit(s[i]); i++ {
			fraction = fraction*10 + int(s[i]-'0')
			n++
		}
		if n == 0 {
			return hyperlambda.Date{}, false
		}
		for ; n < 7; n++ {
			fraction *= 10
		}
		if hour == 24 && fraction != 0 {
			return hyperlambda.Date{}, false
		}
	}
	// The zone, read with Newtonsoft's leniency: after the fraction's
	// seventh digit two more digits are taken as minutes of no zone.
	kind := hyperlambda.DateUnspecified
	offset := 0 // minutes east of UTC
	if i < len(s) {
		switch c := s[i]; {
		case c == 'z' || c == 'Z':
			kind = hyperlambda.DateUTC
			i++
		default:
			sign := 0
			if i+2 < len(s) {
				if h, ok := digits(s, i+1, 2); ok && (c == '+' || c == '-') {
					sign = 1
					if c == '-' {
						sign = -1
					}
					offset = h * 60
					i += 3
				}
			}
			if i < len(s) {
				if s[i] == ':' {
					i++
				}
				if i+1 < len(s) {
					if m, ok := digits(s, i, 2); ok {
						offset += m
						i += 2
					}
				}
			}
			if sign != 0 {
				kind = hyperlambda.DateLocal
				offset *= sign
			}
		}
	}
	if i != len(s) {
		return hyperlambda.Date{}, false
	}
	t := time.Date(year, time.Month(month), day, hour%24, minute, second, fraction*100, time.UTC)
	if hour == 24 {
		t = t.AddDate(0, 0, 1)
		if t.After(maxTime) {
			return hyperlambda.Date{}, false
		}
	}
	switch kind {
	case hyperlambda.DateUTC, hyperlambda.DateUnspecified:
		return hyperlambda.Date{Time: t, Kind: kind}, true
	}
	return local(t.Add(-time.Duration(offset) * time.Minute)), true
}

// local is the instant t as a local date in hyperlambda.DateZone, its
// wall clock kept within a DateTime's range as .NET's ToLocalTime does.
func local(t time.Time) hyperlambda.Date {
	t = t.In(hyperlambda.DateZone)
	w := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	switch {
	case w.Before(minTime):
		t = time.Date(1, 1, 1, 0, 0, 0, 0, hyperlambda.DateZone)
	case w.After(maxTime):
		t = time.Date(9999, 12, 31, 23, 59, 59, 999999900, hyperlambda.DateZone)
	}
	return hyperlambda.Date{Time: t, Kind: hyperlambda.DateLocal}
}

// parseMicrosoftDate reads "/Date(ms)/" (UTC) and "/Date(ms+hhmm)/"
// (local: the offset only says so, the milliseconds are UTC), as
// Newtonsoft does.
func parseMicrosoftDate(s string) (hyperlambda.Date, bool) {
	if len(s) < 9 || !strings.HasPrefix(s, "/Date(") || !strings.HasSuffix(s, ")/") {
		return hyperlambda.Date{}, false
	}
	kind := hyperlambda.DateUTC
	end := strings.IndexAny(s[7:len(s)-1], "+")
	if end < 0 {
		end = strings.IndexAny(s[7:len(s)-1], "-")
	}
	if end >= 0 {
		end += 7
		kind = hyperlambda.DateLocal
		if _, ok := digits(s, end+1, 2); !ok {
			return hyperlambda.Date{}, false
		}
		if len(s)-end > 5 {
			if _, ok := digits(s, end+3, 2); !ok {
				return hyperlambda.Date{}, false
			}
		}
	} else {
		end = len(s) - 2
	}
	ms, err := strconv.ParseInt(s[6:end], 10, 64)
	if err != nil || s[6] == '+' {
		return hyperlambda.Date{}, false
	}
	// .NET refuses milliseconds beyond its dates (an error there; text here).
	const minMs, maxMs = -62135596800000, 253402300799999
	if ms < minMs || ms > maxMs {
		return hyperlambda.Date{}, false
	}
	t := time.UnixMilli(ms).UTC()
	if kind == hyperlambda.DateUTC {
		return hyperlambda.Date{Time: t, Kind: kind}, true
	}
	return local(t), true
}

func digit(c byte) bool { return c >= '0' && c <= '9' }

// digits reads n decimal digits of s at i.
func digits(s string, i, n int) (int, bool) {
	if i < 0 || i+n > len(s) {
		return 0, false
	}
	v := 0
	for _, c := range []byte(s[i : i+n]) {
		if !digit(c) {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}
