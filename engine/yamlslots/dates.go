package yamlslots

import (
	"regexp"
	"strconv"
	"time"

	"hlstudio/hyperlambda"
)

// timestampPattern is the YAML 1.1 timestamp (yaml.org/type/timestamp):
// a date, optionally a time after "T", "t" or spaces, a fraction and a
// zone. go-yaml resolves only part of it (not "2001-12-14T21:59:43.10"
// without a zone, which is what the reference's dates look like written
// out), so plain scalars are matched here.
var timestampPattern = regexp.MustCompile(`^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})` +
	`(?:(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?` +
	`(?:[ \t]*(Z|[-+][0-9]{1,2}(?::?[0-9]{2})?))?)?$`)

// parseTimestamp reads s as a YAML timestamp. Without a zone the date is
// unspecified (as json2lambda reads such text, after Newtonsoft; YAML
// would say UTC), with "Z" UTC, with an offset local in
// hyperlambda.DateZone. The fraction is kept to .NET's 100 ns. hasTime
// is false for a bare date. ok is false for text that is not one, or a
// date outside years 1..9999.
func parseTimestamp(s string) (d hyperlambda.Date, hasTime, ok bool) {
	m := timestampPattern.FindStringSubmatch(s)
	if m == nil {
		return d, false, false
	}
	num := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	year, month, day := num(1), num(2), num(3)
	if year < 1 || month < 1 || month > 12 || day < 1 || day > time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return d, false, false
	}
	hasTime = m[4] != ""
	var hour, minute, second, nanos int
	if hasTime {
		hour, minute, second = num(4), num(5), num(6)
		if hour > 23 || minute > 59 || second > 59 {
			return d, false, false
		}
		fraction := m[7]
		if len(fraction) > 7 {
			fraction = fraction[:7]
		}
		for i := 0; i < 7; i++ {
			nanos *= 10
			if i < len(fraction) {
				nanos += int(fraction[i] - '0')
			}
		}
		nanos *= 100
	}
	wall := time.Date(year, time.Month(month), day, hour, minute, second, nanos, time.UTC)
	switch zone := m[8]; {
	case zone == "":
		return hyperlambda.Date{Time: wall, Kind: hyperlambda.DateUnspecified}, hasTime, true
	case zone == "Z":
		return hyperlambda.Date{Time: wall, Kind: hyperlambda.DateUTC}, hasTime, true
	default:
		offset, ok := zoneOffset(zone)
		if !ok {
			return d, false, false
		}
		t := wall.Add(-offset).In(hyperlambda.DateZone)
		if t.Year() < 1 || t.Year() > 9999 {
			return d, false, false
		}
		return hyperlambda.Date{Time: t, Kind: hyperlambda.DateLocal}, hasTime, true
	}
}

// zoneOffset reads "+h", "+hh", "+hhmm" or "+hh:mm".
func zoneOffset(zone string) (time.Duration, bool) {
	sign := time.Duration(1)
	if zone[0] == '-' {
		sign = -1
	}
	digits := make([]byte, 0, 4)
	for i := 1; i < len(zone); i++ {
		if zone[i] != ':' {
			digits = append(digits, zone[i])
		}
	}
	var hours, minutes int
	switch len(digits) {
	case 1, 2:
		hours, _ = strconv.Atoi(string(digits))
	case 3, 4: // the minutes are always the last two digits
		hours, _ = strconv.Atoi(string(digits[:len(digits)-2]))
		minutes, _ = strconv.Atoi(string(digits[len(digits)-2:]))
	}
	if hours > 14 || minutes > 59 {
		return 0, false
	}
	return sign * (time.Duration(hours)*time.Hour + time.Duration(minutes)*time.Minute), true
}

// formatTimestamp writes d as the reference's lambda2yaml does (YamlDotNet
// writes a DateTime with .NET's "o" format): seven fraction digits, then
// "Z" for UTC, the offset for a local date, nothing for an unspecified
// one. parseTimestamp reads it back to the same date.
func formatTimestamp(d hyperlambda.Date) string {
	t := d.Clock()
	switch d.Kind {
	case hyperlambda.DateUTC:
		return t.Format("2006-01-02T15:04:05.0000000Z")
	case hyperlambda.DateLocal:
		return t.Format("2006-01-02T15:04:05.0000000-07:00")
	}
	return t.Format("2006-01-02T15:04:05.0000000")
}
