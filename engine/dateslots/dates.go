// Package dateslots is the date.* and time.* slot family: the clock (an
// effect a policy can deny, and can fix so runs replay identically),
// .NET-style formatting in the invariant culture, Unix time, time spans,
// and [sleep] within the run's time budget.
package dateslots

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/shopspring/decimal"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/netformat"
	"hlstudio/whitelist"
)

var (
	dateValue   = whitelist.ValueSpec{Required: true, Expr: true, Doc: "the date, or an expression selecting it"}
	formatArg   = whitelist.Arg{Name: "format", Type: "string", Doc: ".NET format string (invariant culture)"}
	minDate     = hyperlambda.Date{Time: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)}
	maxDate     = hyperlambda.Date{Time: time.Date(9999, 12, 31, 23, 59, 59, 999999900, time.UTC)}
	spanPartArg = func(name string) whitelist.Arg {
		return whitelist.Arg{Name: name, Doc: "integer number of " + name}
	}
)

// Register adds the family to e.
func Register(e *engine.Engine) error {
	slots := []engine.Slot{
		{Sig: whitelist.Signature{Name: "date.now", Doc: "the current UTC time (the policy's fixed clock, if it sets one)", Effects: whitelist.Time}, Fn: now},
		{Sig: whitelist.Signature{Name: "date.min", Doc: "the smallest date, 0001-01-01"}, Fn: constant(minDate)},
		{Sig: whitelist.Signature{Name: "date.max", Doc: "the largest date, 9999-12-31T23:59:59.9999999"}, Fn: constant(maxDate)},
		{Sig: whitelist.Signature{Name: "date.format", Doc: "formats a date as text", Value: dateValue, Children: whitelist.Arguments,
			Args: []whitelist.Arg{formatArg}}, Fn: format},
		{Sig: whitelist.Signature{Name: "date.from-unix", Doc: "the UTC date of a Unix time in seconds", Value: whitelist.ValueSpec{Required: true, Expr: true}}, Fn: fromUnix},
		{Sig: whitelist.Signature{Name: "date.unix", Doc: "the current time in milliseconds since 1970-01-01 UTC, as the reference (the policy's fixed clock, if it sets one); given a date (an hlstudio extension), that date's milliseconds",
			Value: whitelist.ValueSpec{Expr: true, Doc: "optional: a date to convert instead of the clock"}, Effects: whitelist.Time}, Fn: unix},
		{Sig: whitelist.Signature{Name: "time", Doc: "a time span from days, hours, minutes, seconds and milliseconds", Children: whitelist.Arguments,
			Args: []whitelist.Arg{spanPartArg("days"), spanPartArg("hours"), spanPartArg("minutes"), spanPartArg("seconds"), spanPartArg("milliseconds")}}, Fn: span},
		{Sig: whitelist.Signature{Name: "sleep", Doc: "waits this many milliseconds; a wait longer than the run's time budget has left fails at once",
			Value: whitelist.ValueSpec{Required: true, Expr: true, Doc: "milliseconds"}}, Fn: sleep},
		{Sig: whitelist.Signature{Name: "time.format", Doc: "formats a time span as text (c, g, G, or custom d h m s f)", Value: whitelist.ValueSpec{Required: true, Expr: true},
			Children: whitelist.Arguments, Args: []whitelist.Arg{formatArg}}, Fn: formatSpan},
	}
	return e.RegisterAll(slots...)
}

func now(r *engine.Run, n *hyperlambda.Node) error {
	n.Value = hyperlambda.Date{Time: r.Now().UTC(), Kind: hyperlambda.DateUTC}
	return nil
}

// sleep is the reference's [sleep] (magic.lambda.threading). It reads no
// clock and touches nothing outside the run, so it is pure: what bounds
// it is the run's time budget, and the studio's Stop ends it.
func sleep(r *engine.Run, n *hyperlambda.Node) error {
	v, err := hyperlambda.Value(n)
	if err != nil {
		return err
	}
	ms, err := integer(v)
	if err != nil {
		return err
	}
	if ms < 0 {
		return fmt.Errorf("needs a number of milliseconds, not %d", ms)
	}
	// Beyond a Duration's range the wait is longer than any budget anyway.
	return r.Wait(time.Duration(min(ms, math.MaxInt64/int64(time.Millisecond))) * time.Millisecond)
}

func constant(d hyperlambda.Date) engine.SlotFunc {
	return func(r *engine.Run, n *hyperlambda.Node) error {
		n.Value = d
		return nil
	}
}

func date(n *hyperlambda.Node) (hyperlambda.Date, error) {
	v, err := hyperlambda.Value(n)
	if err != nil {
		return hyperlambda.Date{}, err
	}
	switch x := v.(type) {
	case hyperlambda.Date:
		return x, nil
	case string:
		// As the reference's Get<DateTime>: text converts as a date.
		c, err := hyperlambda.ConvertText(x, "date")
		if err != nil {
			return hyperlambda.Date{}, err
		}
		return c.(hyperlambda.Date), nil
	}
	return hyperlambda.Date{}, fmt.Errorf("needs a date, not %s", describe(v))
}

func describe(v any) string {
	if v == nil {
		return "null"
	}
	return hyperlambda.TypeOf(v)
}

func formatString(r *engine.Run, n *hyperlambda.Node) (string, error) {
	v, _, err := r.Arg(n, "format")
	s, _ := v.(string)
	return s, err
}

func format(r *engine.Run, n *hyperlambda.Node) error {
	d, err := date(n)
	if err != nil {
		return err
	}
	layout, err := formatString(r, n)
	if err != nil {
		return err
	}
	s, err := netformat.Date(d, layout)
	if err != nil {
		return err
	}
	return r.SetText(n, s)
}

// integer reads an integer as the reference's Get<int>/Get<long> (.NET
// invariant conversions): an integer of any width, text that reads as
// one (" 2 ", "-5"), a decimal or double without a fraction. A fraction
// is an error rather than .NET's silent rounding.
func integer(v any) (int64, error) {
	if i, ok := hyperlambda.Integer(v); ok {
		return i, nil
	}
	switch x := v.(type) {
	case uint64:
		if x > math.MaxInt64 {
			return 0, errors.New("integer too large")
		}
		return int64(x), nil
	case string:
		c, err := hyperlambda.ConvertText(x, "long")
		if err != nil {
			return 0, err
		}
		return c.(int64), nil
	case float64, float32, decimal.Decimal:
		d, _, err := hyperlambda.WholeDecimal(x)
		if err != nil {
			return 0, err
		}
		if d.GreaterThan(decimal.NewFromInt(math.MaxInt64)) || d.LessThan(decimal.NewFromInt(math.MinInt64)) {
			return 0, errors.New("integer too large")
		}
		return d.IntPart(), nil
	}
	return 0, fmt.Errorf("needs an integer, not %s", describe(v))
}

func fromUnix(r *engine.Run, n *hyperlambda.Node) error {
	v, err := hyperlambda.Value(n)
	if err != nil {
		return err
	}
	secs, err := integer(v)
	if err != nil {
		return err
	}
	t := time.Unix(secs, 0).UTC()
	if t.Year() < 1 || t.Year() > 9999 {
		return fmt.Errorf("Unix time %d is outside the dates 0001-9999", secs)
	}
	n.Value = hyperlambda.Date{Time: t, Kind: hyperlambda.DateUTC}
	return nil
}

// unix is the reference's [date.unix]: the clock as milliseconds since
// the Unix epoch (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds); the
// reference ignores any value. As an hlstudio extension a value is a date
// to convert instead, so a program can turn a date into Unix time.
func unix(r *engine.Run, n *hyperlambda.Node) error {
	if n.Value == nil {
		n.Value = r.Now().UnixMilli()
		return nil
	}
	d, err := date(n)
	if err != nil {
		return err
	}
	// Unspecified dates hold their wall clock in UTC, so this reads them
	// as UTC, as the reference's DateTimeOffset conversion does on a UTC server.
	n.Value = d.Time.UnixMilli()
	return nil
}

const ticksPerSecond = hyperlambda.TicksPerSecond

func span(r *engine.Run, n *hyperlambda.Node) error {
	units := []struct {
		name  string
		ticks int64
	}{{"days", 86400 * ticksPerSecond}, {"hours", 3600 * ticksPerSecond}, {"minutes", 60 * ticksPerSecond},
		{"seconds", ticksPerSecond}, {"milliseconds", ticksPerSecond / 1000}}
	var total int64
	for _, u := range units {
		v, ok, err := r.Arg(n, u.name)
		if err != nil || !ok {
			if err != nil {
				return err
			}
			continue
		}
		k, err := integer(v)
		if err != nil {
			return fmt.Errorf("[%s]: %v", u.name, err)
		}
		part := k * u.ticks
		if k != 0 && (part/u.ticks != k || (part > 0 && total > math.MaxInt64-part) || (part < 0 && total < math.MinInt64-part)) {
			return errors.New("time span overflows")
		}
		total += part
	}
	n.Clear()
	n.Value = hyperlambda.TimeSpan(total)
	return nil
}

func formatSpan(r *engine.Run, n *hyperlambda.Node) error {
	v, err := hyperlambda.Value(n)
	if err != nil {
		return err
	}
	ts, ok := v.(hyperlambda.TimeSpan)
	if !ok {
		return fmt.Errorf("needs a time span, not %s", describe(v))
	}
	layout, err := formatString(r, n)
	if err != nil {
		return err
	}
	s, err := netformat.TimeSpan(ts, layout)
	if err != nil {
		return err
	}
	return r.SetText(n, s)
}
