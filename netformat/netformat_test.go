package netformat

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"hlstudio/hyperlambda"
)

// .NET's ToString(format) in the invariant culture, and the formats that
// do not apply to a value, which .NET ignores and this package refuses.
func TestValue(t *testing.T) {
	date := hyperlambda.Date{Time: time.Date(2024, 3, 5, 7, 8, 9, 0, time.UTC), Kind: hyperlambda.DateUTC}
	guid, _ := hyperlambda.ConvertText("6f9619ff-8b86-d011-b42d-00cf4fc964ff", "guid")
	for _, c := range []struct {
		v          any
		spec, want string
	}{
		{int32(5), "D4", "0005"},
		{int32(-5), "D3", "-005"},
		{int32(255), "X", "FF"},
		{int32(255), "x4", "00ff"},
		{1234567.891, "N2", "1,234,567.89"},
		{0.256, "P1", "25.6 %"},
		{decimal.RequireFromString("2.5"), "F0", "3"},
		{1234.5, "#,##0.00", "1,234.50"},
		{int64(42), "", "42"},
		{nil, "D4", ""},
		{date, "yyyy-MM-dd HH:mm", "2024-03-05 07:08"},
		{date, "d", "03/05/2024"},
		{hyperlambda.TimeSpan(90 * hyperlambda.TicksPerSecond), "c", "00:01:30"},
		{hyperlambda.TimeSpan(90 * hyperlambda.TicksPerSecond), "g", "0:01:30"},
		{hyperlambda.TimeSpan(-(93784*hyperlambda.TicksPerSecond + 50000)), "g", "-1:2:03:04.005"},
		{hyperlambda.TimeSpan(93784*hyperlambda.TicksPerSecond + 50000), "G", "1:02:03:04.0050000"},
		{hyperlambda.TimeSpan(90 * hyperlambda.TicksPerSecond), "G", "0:00:01:30.0000000"},
		{hyperlambda.TimeSpan(math.MinInt64), "G", "-10675199:02:48:05.4775808"},
		{hyperlambda.TimeSpan(90 * hyperlambda.TicksPerSecond), "%m", "1"},
		{hyperlambda.TimeSpan(90 * hyperlambda.TicksPerSecond), "h", "error: unknown standard time format"},
		{date, "U", "Tuesday, 05 March 2024 07:08:09"},
		{date, "gg yyyy", "A.D. 2024"},
		{date, "HH:mm:ss.FFF", "07:08:09"},
		{date, "r", "Tue, 05 Mar 2024 07:08:09 GMT"},
		{guid, "N", "6f9619ff8b86d011b42d00cf4fc964ff"},
		{guid, "B", "{6f9619ff-8b86-d011-b42d-00cf4fc964ff}"},
		{"text", "X", "error: does not apply to a string"},
		{date, "D4", "error: not a date format letter"},
		{int32(1), "Q", "error"},
		{guid, "X", "error: unknown guid format"},
	} {
		got, err := Value(c.v, c.spec)
		if want, isErr := strings.CutPrefix(c.want, "error"); isErr {
			if err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(want, ": ")) {
				t.Errorf("Value(%v, %q) = %q, %v; want an error%s", c.v, c.spec, got, err, want)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Value(%v, %q) = %q, %v; want %q", c.v, c.spec, got, err, c.want)
		}
	}
}

// As for a .NET DateTime: "U" converts to UTC (an unspecified date is
// local time), "r" and "u" write the date's clock as it is.
func TestUniversal(t *testing.T) {
	old := hyperlambda.DateZone
	defer func() { hyperlambda.DateZone = old }()
	hyperlambda.DateZone = time.FixedZone("", 2*3600)
	wall := hyperlambda.Date{Time: time.Date(2024, 3, 5, 7, 8, 9, 0, time.UTC), Kind: hyperlambda.DateUnspecified}
	local := hyperlambda.Date{Time: time.Date(2024, 3, 5, 5, 8, 9, 0, time.UTC).In(hyperlambda.DateZone), Kind: hyperlambda.DateLocal}
	for _, c := range []struct {
		d          hyperlambda.Date
		spec, want string
	}{
		{wall, "U", "Tuesday, 05 March 2024 05:08:09"},
		{local, "U", "Tuesday, 05 March 2024 05:08:09"},
		{wall, "u", "2024-03-05 07:08:09Z"},
		{local, "r", "Tue, 05 Mar 2024 07:08:09 GMT"},
	} {
		if got, err := Date(c.d, c.spec); err != nil || got != c.want {
			t.Errorf("Date(%v, %q) = %q, %v; want %q", c.d, c.spec, got, err, c.want)
		}
	}
}
