package hyperlambda

import (
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DateKind is .NET's DateTimeKind: whether a date is UTC, local, or
// written without a zone.
type DateKind uint8

const (
	DateUnspecified DateKind = iota
	DateUTC
	DateLocal
)

// Date is a date-time with its kind. Unspecified dates keep the wall time
// as written (in Time's UTC fields); Local dates are in DateZone.
type Date struct {
	Time time.Time
	Kind DateKind
}

// DateZone is the zone of kind-Local dates. The reference converts dates
// with an offset into the server's zone; a fixed zone keeps canonical text
// the same on every machine.
var DateZone = time.UTC

var (
	isoDate = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$`)
	usDate  = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$`)
)

var errDate = errors.New("not a date: use ISO 8601, e.g. 2024-12-01T10:00:00Z, or MM/dd/yyyy HH:mm:ss")

// parseDate reads what people write for dates: ISO 8601 (date, or date and
// time with T or a space, optional seconds and up to 7 fraction digits, Z
// or an offset), the invariant culture's MM/dd/yyyy [HH:mm[:ss]], and
// RFC 1123. "Z" or GMT makes a UTC date, an offset a Local one, neither an
// Unspecified one.
func parseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC1123, s); err == nil && (strings.HasSuffix(s, "GMT") || strings.HasSuffix(s, "UTC")) {
		return Date{Time: t.UTC(), Kind: DateUTC}, nil
	}
	var y, mo, d, h, mi, sec, ns int
	zone := ""
	if m := isoDate.FindStringSubmatch(s); m != nil {
		y, mo, d = atoi(m[1]), atoi(m[2]), atoi(m[3])
		h, mi, sec = atoi(m[4]), atoi(m[5]), atoi(m[6])
		if m[7] != "" {
			ns = atoi((m[7] + "000000000")[:9])
		}
		zone = m[8]
	} else if m := usDate.FindStringSubmatch(s); m != nil {
		mo, d, y = atoi(m[1]), atoi(m[2]), atoi(m[3])
		h, mi, sec = atoi(m[4]), atoi(m[5]), atoi(m[6])
	} else {
		return Date{}, errDate
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, ns, time.UTC)
	// time.Date normalises 2021-02-30 to March; .NET rejects it.
	if t.Year() != y || int(t.Month()) != mo || t.Day() != d || h > 23 || mi > 59 || sec > 59 || y < 1 {
		return Date{}, fmt.Errorf("not a valid date or time of day")
	}
	switch {
	case zone == "":
		return Date{Time: t, Kind: DateUnspecified}, nil
	case zone == "Z":
		return Date{Time: t, Kind: DateUTC}, nil
	}
	off := strings.ReplaceAll(zone[1:], ":", "")
	oh, om := atoi(off[:2]), atoi(off[2:])
	if oh > 14 || om > 59 {
		return Date{}, fmt.Errorf("offset %s is out of range", zone)
	}
	secs := oh*3600 + om*60
	if zone[0] == '-' {
		secs = -secs
	}
	local := t.Add(-time.Duration(secs) * time.Second).In(DateZone)
	if local.Year() < 1 || local.Year() > 9999 {
		// .NET's DateTime covers years 1 to 9999.
		return Date{}, fmt.Errorf("date is out of range after applying offset %s", zone)
	}
	return Date{Time: local, Kind: DateLocal}, nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// formatDate is the serializer's yyyy-MM-ddTHH:mm:ss.fff (milliseconds
// truncated) with Z for UTC and DateZone's offset for Local dates.
func formatDate(d Date) string {
	switch d.Kind {
	case DateUTC:
		return d.Time.UTC().Format("2006-01-02T15:04:05.000") + "Z"
	case DateLocal:
		return d.Time.In(DateZone).Format("2006-01-02T15:04:05.000-07:00")
	}
	return d.Time.Format("2006-01-02T15:04:05.000")
}

// TimeSpan is a duration in 100-nanosecond ticks, like .NET's TimeSpan.
type TimeSpan int64

// String is .NET's constant ("c") format: [-][d.]hh:mm:ss[.fffffff].
func (t TimeSpan) String() string {
	ticks := int64(t)
	var b strings.Builder
	u := uint64(ticks)
	if ticks < 0 {
		b.WriteByte('-')
		u = uint64(-ticks) // -MinInt64 wraps to itself, read as unsigned: right
	}
	const perSec = 10_000_000
	frac := u % perSec
	secs := u / perSec
	days := secs / 86400
	secs %= 86400
	if days > 0 {
		fmt.Fprintf(&b, "%d.", days)
	}
	fmt.Fprintf(&b, "%02d:%02d:%02d", secs/3600, secs/60%60, secs%60)
	if frac != 0 {
		fmt.Fprintf(&b, ".%07d", frac)
	}
	return b.String()
}

// GUID is a 16-byte identifier, in the order its text is written.
type GUID [16]byte

// String is the lowercase 8-4-4-4-12 form.
func (g GUID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], g[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], g[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], g[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], g[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], g[10:16])
	return string(b[:])
}

// parseGUID accepts .NET's N, D, B and P forms, in any letter case.
func parseGUID(s string) (GUID, error) {
	var g GUID
	s = strings.TrimSpace(s)
	if len(s) == 38 && (s[0] == '{' && s[37] == '}' || s[0] == '(' && s[37] == ')') {
		s = s[1:37]
	}
	switch len(s) {
	case 36:
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return g, errGUID
		}
		s = s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	case 32:
	default:
		return g, errGUID
	}
	if _, err := hex.Decode(g[:], []byte(s)); err != nil {
		return g, errGUID
	}
	return g, nil
}

var errGUID = errors.New("not a guid: use 32 hex digits as 8-4-4-4-12, optionally in {} or ()")
