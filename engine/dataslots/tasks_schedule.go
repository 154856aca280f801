package dataslots

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The reference's [repeats] patterns (magic.lambda.scheduler's
// PatternFactory), parsed completely up front so that a pattern that
// could never come due, or that the reference would only fail on when it
// computes a due date (an hour of 24, month 13, the 31st of February, a
// weekday 9), is refused with a clear error before anything is stored:
//
//	N.unit                  every N seconds|minutes|hours|days|weeks|months
//	ww|ww.HH.mm.ss          on the weekdays (names, any case; ** every day)
//	MM|MM.dd|dd.HH.mm.ss    on the days of the months (** every month/day)
//
// All times are UTC. "ext:" patterns are the reference's C# extension
// point: no extension exists here, so they are refused.

type patternKind uint8

const (
	intervalPattern patternKind = iota
	weekdayPattern
	monthPattern
)

// repetition is a parsed [repeats] pattern.
type repetition struct {
	kind patternKind

	every int64  // interval: how many units
	unit  string // interval: seconds, minutes, hours, days, weeks or months

	weekdays []time.Weekday // weekday pattern; nil is every day
	months   []int          // month pattern; nil is every month
	days     []int          // month pattern; nil is every day of the month

	hour, minute, second int
}

// maxPatternLength bounds the text a pattern is parsed from; the longest
// meaningful one (every month and day listed) is under 200 bytes.
const maxPatternLength = 512

var intervalUnits = map[string]bool{"seconds": true, "minutes": true, "hours": true, "days": true, "weeks": true, "months": true}

var weekdayNames = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

// parseRepetition reads a [repeats] pattern.
func parseRepetition(s string) (*repetition, error) {
	bad := func(format string, args ...any) (*repetition, error) {
		return nil, fmt.Errorf("[repeats] %q: %s", s, fmt.Sprintf(format, args...))
	}
	if len(s) > maxPatternLength {
		return nil, fmt.Errorf("[repeats] is %d bytes long; a repetition pattern is at most %d", len(s), maxPatternLength)
	}
	if strings.HasPrefix(s, "ext:") {
		return bad("extension patterns (ext:) are the reference's C# plugins; none exist here")
	}
	parts := strings.Split(s, ".")
	p := &repetition{}
	var err error
	switch len(parts) {
	case 2:
		p.kind = intervalPattern
		if p.every, err = patternInt[int64](parts[0], "the interval", 1, math.MaxInt32); err != nil {
			return bad("%v", err)
		}
		if !intervalUnits[parts[1]] {
			return bad("the unit must be seconds, minutes, hours, days, weeks or months, not %q", parts[1])
		}
		p.unit = parts[1]
		return p, nil
	case 4:
		p.kind = weekdayPattern
		if p.weekdays, err = patternList(parts[0], weekday); err != nil {
			return bad("%v", err)
		}
	case 5:
		p.kind = monthPattern
		if p.months, err = patternList(parts[0], number("the month", 1, 12)); err != nil {
			return bad("%v", err)
		}
		if p.days, err = patternList(parts[1], number("the day of the month", 1, 31)); err != nil {
			return bad("%v", err)
		}
		if !p.possible() {
			return bad("no month it names has a day it names, so it would never come due")
		}
	default:
		return bad("a pattern is N.unit (5.minutes), weekdays.HH.mm.ss (monday|friday.08.30.00) or months.days.HH.mm.ss (**.01.05.00.00), with ** for every weekday, month or day")
	}
	clock := parts[len(parts)-3:]
	if p.hour, err = patternInt(clock[0], "the hour", 0, 23); err != nil {
		return bad("%v", err)
	}
	if p.minute, err = patternInt(clock[1], "the minute", 0, 59); err != nil {
		return bad("%v", err)
	}
	if p.second, err = patternInt(clock[2], "the second", 0, 59); err != nil {
		return bad("%v", err)
	}
	return p, nil
}

// patternInt reads a number as .NET's int.Parse does (surrounding
// spaces and a sign allowed) and checks it lies in [lo, hi].
func patternInt[T int | int64](s, what string, lo, hi T) (T, error) {
	t := strings.TrimSpace(s)
	digits := strings.TrimLeft(t, "+-")
	if len(t)-len(digits) > 1 || digits == "" || strings.Trim(digits, "0123456789") != "" {
		if t == "**" {
			return 0, fmt.Errorf("%s must be a number (** stands only for weekdays, months and days)", what)
		}
		return 0, fmt.Errorf("%s must be a number, not %q", what, s)
	}
	v, err := strconv.ParseInt(t, 10, 64)
	if err != nil || v < int64(lo) || v > int64(hi) {
		return 0, fmt.Errorf("%s must be from %d to %d, not %s", what, lo, hi, t)
	}
	return T(v), nil
}

// number reads one number of a list field, in [lo, hi].
func number(what string, lo, hi int) func(string) (int, error) {
	return func(s string) (int, error) { return patternInt(s, what, lo, hi) }
}

// patternList reads a field that lists weekdays, months or days with |
// between them: nil for ** (every one), else each item as item reads it.
func patternList[T any](s string, item func(string) (T, error)) ([]T, error) {
	if s == "**" {
		return nil, nil
	}
	var out []T
	for _, part := range strings.Split(s, "|") {
		v, err := item(part)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// weekday reads a weekday as .NET's Enum.Parse of DayOfWeek with case
// ignored: a name, or its number (0 is Sunday).
func weekday(s string) (time.Weekday, error) {
	t := strings.TrimSpace(s)
	if d, ok := weekdayNames[strings.ToLower(t)]; ok {
		return d, nil
	}
	if n, err := strconv.Atoi(t); err == nil && n >= 0 && n <= 6 {
		return time.Weekday(n), nil
	}
	return 0, fmt.Errorf("%q is not a weekday (Sunday, Monday, ... Saturday, any case)", s)
}

// possible reports whether some month of a month pattern has one of its
// days (February the 29th counts: leap years have it).
func (p *repetition) possible() bool {
	longest := [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	months, days := p.months, p.days
	if months == nil {
		months = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	}
	if days == nil {
		return true
	}
	for _, m := range months {
		for _, d := range days {
			if d <= longest[m] {
				return true
			}
		}
	}
	return false
}

// String is the pattern as the reference stores it: numbers in two
// digits, weekdays by their English names.
func (p *repetition) String() string {
	if p.kind == intervalPattern {
		return strconv.FormatInt(p.every, 10) + "." + p.unit
	}
	var b strings.Builder
	twoDigits := func(v int) string { return fmt.Sprintf("%02d", v) }
	if p.kind == weekdayPattern {
		writeList(&b, p.weekdays, time.Weekday.String)
	} else {
		writeList(&b, p.months, twoDigits)
		writeList(&b, p.days, twoDigits)
	}
	fmt.Fprintf(&b, "%02d.%02d.%02d", p.hour, p.minute, p.second)
	return b.String()
}

// writeList writes a list field as patternList reads it, and the dot
// that ends it.
func writeList[T any](b *strings.Builder, items []T, text func(T) string) {
	if items == nil {
		b.WriteString("**")
	}
	for i, v := range items {
		if i > 0 {
			b.WriteByte('|')
		}
		b.WriteString(text(v))
	}
	b.WriteByte('.')
}

// lastInstant is the latest time a .NET DateTime holds.
var lastInstant = time.Date(9999, 12, 31, 23, 59, 59, 999999900, time.UTC)

var errBeyondCalendar = errors.New("its next due date would be after the year 9999")

// next is the first due date after now (UTC), as the reference computes
// it: an interval counts from now (months as .NET's AddMonths, which
// keeps the day or clamps it to the month's last); the other patterns
// look day by day from today at HH:mm:ss for the first match later than
// now.
func (p *repetition) next(now time.Time) (time.Time, error) {
	now = now.UTC()
	if p.kind == intervalPattern {
		return p.nextInterval(now)
	}
	t := time.Date(now.Year(), now.Month(), now.Day(), p.hour, p.minute, p.second, 0, time.UTC)
	// February the 29th of a month pattern comes round within 8 years
	// (a century that is not a leap year skips one): 9 years of days
	// bound the search.
	for range 9 * 366 {
		if t.After(lastInstant) {
			break
		}
		if t.After(now) && p.matches(t) {
			return t, nil
		}
		t = t.AddDate(0, 0, 1)
	}
	return time.Time{}, errBeyondCalendar
}

func (p *repetition) matches(t time.Time) bool {
	if p.kind == weekdayPattern {
		return p.weekdays == nil || contains(p.weekdays, t.Weekday())
	}
	return (p.months == nil || contains(p.months, int(t.Month()))) && (p.days == nil || contains(p.days, t.Day()))
}

func contains[T comparable](items []T, v T) bool {
	for _, x := range items {
		if x == v {
			return true
		}
	}
	return false
}

func (p *repetition) nextInterval(now time.Time) (time.Time, error) {
	var t time.Time
	switch p.unit {
	case "months":
		// .NET's AddMonths: the same day, or the last of a shorter month.
		months := int64(now.Year())*12 + int64(now.Month()-1) + p.every
		y, m := months/12, time.Month(months%12+1)
		if y > 9999 {
			return time.Time{}, errBeyondCalendar
		}
		d := min(now.Day(), time.Date(int(y), m+1, 0, 0, 0, 0, 0, time.UTC).Day())
		t = time.Date(int(y), m, d, now.Hour(), now.Minute(), now.Second(), now.Nanosecond(), time.UTC)
	default:
		seconds := map[string]int64{"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400, "weeks": 7 * 86400}[p.unit]
		// At most 2^31 weeks: the product fits in 64 bits; the year check
		// below catches what no date holds.
		s := now.Unix() + p.every*seconds
		if s > lastInstant.Unix() {
			return time.Time{}, errBeyondCalendar
		}
		t = time.Unix(s, int64(now.Nanosecond())).UTC()
	}
	if t.After(lastInstant) {
		return time.Time{}, errBeyondCalendar
	}
	return t, nil
}
