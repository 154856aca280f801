package mathslots

import (
	"fmt"
	"math"
	"time"

	"hlstudio/hyperlambda"
)

// Date and time arithmetic, as .NET's operators on DateTime and TimeSpan
// (which the reference's dynamic fold reaches): date + time and
// date - time give a date of the same kind, date - date gives a time,
// time ± time gives a time. A date is counted in the 100-ns ticks of its
// wall clock, as a .NET DateTime is, so the kinds of two subtracted dates
// are ignored, as in .NET. Results outside .NET's range (DateTime years 1
// to 9999, TimeSpan int64 ticks) are overflow errors.

const (
	ticksPerSecond = hyperlambda.TicksPerSecond
	maxDateTicks   = 3_155_378_975_999_999_999 // 9999-12-31T23:59:59.9999999
)

// dateEpoch is 0001-01-01T00:00:00 in Unix seconds.
var dateEpoch = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix()

// dateOp handles the operations where either operand is a date or a time;
// ok is false when neither is.
func dateOp(slot, op string, a, b any) (v any, ok bool, err error) {
	da, aDate := a.(hyperlambda.Date)
	db, bDate := b.(hyperlambda.Date)
	ta, aTime := a.(hyperlambda.TimeSpan)
	tb, bTime := b.(hyperlambda.TimeSpan)
	if !aDate && !bDate && !aTime && !bTime {
		return nil, false, nil
	}
	refused := fmt.Errorf("%s of %s and %s", slot, hyperlambda.TypeOf(a), hyperlambda.TypeOf(b))
	switch {
	case aDate && bTime && (op == "add" || op == "subtract"):
		d := int64(tb)
		if op == "subtract" {
			if d == math.MinInt64 {
				return nil, true, &OverflowError{Op: slot, Type: "date"}
			}
			d = -d
		}
		t, ok := addTicks(dateTicks(da), d)
		if !ok || t < 0 || t > maxDateTicks {
			return nil, true, &OverflowError{Op: slot, Type: "date"}
		}
		return dateOfTicks(t, da.Kind), true, nil
	case aDate && bDate && op == "subtract":
		return hyperlambda.TimeSpan(dateTicks(da) - dateTicks(db)), true, nil
	case aTime && bTime && (op == "add" || op == "subtract"):
		d := int64(tb)
		if op == "subtract" {
			if d == math.MinInt64 {
				return nil, true, &OverflowError{Op: slot, Type: "time"}
			}
			d = -d
		}
		t, ok := addTicks(int64(ta), d)
		if !ok {
			return nil, true, &OverflowError{Op: slot, Type: "time"}
		}
		return hyperlambda.TimeSpan(t), true, nil
	}
	return nil, true, refused
}

// addTicks is a + b, ok false when it overflows int64.
func addTicks(a, b int64) (int64, bool) {
	r := a + b
	if (b > 0 && r < a) || (b < 0 && r > a) {
		return 0, false
	}
	return r, true
}

// wall is the wall clock of d (as its kind implies) read as UTC.
func wall(d hyperlambda.Date) time.Time {
	t := d.Clock()
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// dateTicks is d's .NET Ticks: 100-ns units of its wall clock since
// 0001-01-01.
func dateTicks(d hyperlambda.Date) int64 {
	w := wall(d)
	return (w.Unix()-dateEpoch)*ticksPerSecond + int64(w.Nanosecond()/100)
}

// dateOfTicks is the date of kind k whose wall clock is ticks (in range).
func dateOfTicks(ticks int64, k hyperlambda.DateKind) hyperlambda.Date {
	w := time.Unix(dateEpoch+ticks/ticksPerSecond, ticks%ticksPerSecond*100).UTC()
	if k == hyperlambda.DateLocal {
		w = time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), hyperlambda.DateZone)
	}
	return hyperlambda.Date{Time: w, Kind: k}
}
