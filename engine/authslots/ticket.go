package authslots

import (
	"errors"
	"fmt"
	"math"
	"time"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// The config keys the reference reads, here from the policy's config.
const (
	secretKey       = "magic:auth:secret"
	validMinutesKey = "magic:auth:valid-minutes"
	// defaultValidMinutes is the reference's lifetime without the key.
	defaultValidMinutes = 20
)

// .NET's DateTime range: the reference cannot date a ticket outside it.
var (
	firstInstant = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	lastInstant  = time.Date(9999, 12, 31, 23, 59, 59, 999999900, time.UTC)
)

// reservedClaims are set by the ticket itself; the reference overwrites a
// claim of the same name without a word, here it is an error.
var reservedClaims = map[string]bool{"nbf": true, "exp": true, "iat": true}

func expiryArgs() []whitelist.Arg {
	return []whitelist.Arg{
		{Name: "expires", Doc: "when the ticket expires, a date (UTC unless it names a zone); date.min means five years from now"},
		{Name: "duration", Doc: "minutes from now until the ticket expires (when there is no [expires])"},
	}
}

// ticket is what a JWT says about its user; claims are (name, value)
// pairs in the order given, as the reference adds them.
type ticket struct {
	username string
	roles    []string
	claims   [][2]string
}

func create(r *engine.Run, n *hyperlambda.Node) error {
	user, _, err := r.Arg(n, "username")
	if err != nil {
		return err
	}
	if user == nil {
		return errors.New("[username] is null; it needs the user's name, e.g. username:x:@.arguments/*/username")
	}
	t := ticket{username: hyperlambda.StringOf(user)}
	if t.roles, err = roleChildren(r, n); err != nil {
		return err
	}
	if t.claims, err = claimChildren(r, n); err != nil {
		return err
	}
	now := r.Now()
	exp, err := expiry(r, n, now)
	if err != nil {
		return err
	}
	token, err := issue(r, t, now, exp)
	if err != nil {
		return err
	}
	n.Clear()
	n.Value = token
	return nil
}

// refresh is the reference's renewal of the caller's ticket: here the
// caller is the policy's identity, so it must have one, as the reference
// requires a valid ticket. As in the reference, the arguments stay.
func refresh(r *engine.Run, n *hyperlambda.Node) error {
	id := r.Policy().Constraints().Caller()
	if id == nil {
		return accessDenied(true)
	}
	now := r.Now()
	exp, err := expiry(r, n, now)
	if err != nil {
		return err
	}
	token, err := issue(r, ticket{username: id.Username, roles: id.Roles}, now, exp)
	if err != nil {
		return err
	}
	n.Value = token
	return nil
}

// roleChildren reads [roles]: one role per child, expressions followed.
func roleChildren(r *engine.Run, n *hyperlambda.Node) ([]string, error) {
	list, err := r.ArgNode(n, "roles")
	if err != nil || list == nil {
		return nil, err
	}
	// The reference reads only the children: roles:x:@... would give a
	// ticket without roles, which no caller means.
	if list.Value != nil {
		return nil, errors.New("[roles] takes its roles as children, not as its value, e.g. roles with a child :admin (add them with add:x:@auth.ticket.create/*/roles)")
	}
	roles := make([]string, 0, len(list.Children()))
	for i, c := range list.Children() {
		v, err := hyperlambda.Value(c)
		if err != nil {
			return nil, fmt.Errorf("[roles], child %d: %w", i, err)
		}
		if v == nil {
			return nil, fmt.Errorf("[roles], child %d: a role cannot be null", i)
		}
		roles = append(roles, hyperlambda.StringOf(v))
	}
	return roles, nil
}

// claimChildren reads [claims]: one claim per child, its name and value.
func claimChildren(r *engine.Run, n *hyperlambda.Node) ([][2]string, error) {
	list, err := r.ArgNode(n, "claims")
	if err != nil || list == nil {
		return nil, err
	}
	claims := make([][2]string, 0, len(list.Children()))
	for _, c := range list.Children() {
		switch {
		case c.Name == "":
			return nil, errors.New("[claims]: a claim needs a name, e.g. email:jane@example.com")
		case reservedClaims[c.Name]:
			return nil, fmt.Errorf("[claims]: %s is the ticket's own date claim (nbf, exp and iat are set from the clock)", c.Name)
		}
		v, err := hyperlambda.Value(c)
		if err != nil {
			return nil, fmt.Errorf("[claims], %s: %w", c.Name, err)
		}
		if v == nil {
			return nil, fmt.Errorf("[claims], %s: a claim cannot be null", c.Name)
		}
		claims = append(claims, [2]string{c.Name, hyperlambda.StringOf(v)})
	}
	return claims, nil
}

// expiry is when a ticket made now expires, as the reference decides it:
// [expires] when it has a value (date.min for five years), else
// [duration] minutes, else the config's valid minutes. A ticket must
// expire after now (the reference's JWT library refuses one that does
// not).
func expiry(r *engine.Run, n *hyperlambda.Node, now time.Time) (time.Time, error) {
	now = now.UTC()
	exp, err := expiryOf(r, n, now)
	if err != nil {
		return time.Time{}, err
	}
	if !exp.After(now) {
		return time.Time{}, fmt.Errorf("the ticket would expire at %s, which is not after now (%s)", exp.Format(time.RFC3339Nano), now.Format(time.RFC3339Nano))
	}
	return exp, nil
}

func expiryOf(r *engine.Run, n *hyperlambda.Node, now time.Time) (time.Time, error) {
	v, _, err := r.Arg(n, "expires")
	if err != nil {
		return time.Time{}, err
	}
	if v != nil {
		d, err := dateOf(v)
		if err != nil {
			return time.Time{}, fmt.Errorf("[expires]: %w", err)
		}
		if isMinDate(d) {
			return addYears(now, 5)
		}
		return d.Time.UTC(), nil
	}
	if v, ok, err := r.Arg(n, "duration"); err != nil {
		return time.Time{}, err
	} else if ok {
		minutes, err := wholeNumber(v)
		if err != nil {
			return time.Time{}, fmt.Errorf("[duration] needs a whole number of minutes: %w", err)
		}
		return addMinutes(now, minutes)
	}
	minutes := int64(defaultValidMinutes)
	if text, ok := r.Policy().Constraints().Config[validMinutesKey]; ok {
		m, err := hyperlambda.ConvertText(text, "int") // the reference's int.Parse
		if err != nil {
			return time.Time{}, fmt.Errorf("config %s: %w", validMinutesKey, err)
		}
		minutes = int64(m.(int32))
	}
	return addMinutes(now, minutes)
}

// dateOf reads a date as the reference's GetEx<DateTime>: a date, or
// text that converts to one.
func dateOf(v any) (hyperlambda.Date, error) {
	switch x := v.(type) {
	case hyperlambda.Date:
		return x, nil
	case string:
		d, err := hyperlambda.ConvertText(x, "date")
		if err != nil {
			return hyperlambda.Date{}, err
		}
		return d.(hyperlambda.Date), nil
	}
	return hyperlambda.Date{}, fmt.Errorf("needs a date, not %s", hyperlambda.TypeOf(v))
}

// isMinDate is the reference's test for DateTime.MinValue, which compares
// the clock and not the kind.
func isMinDate(d hyperlambda.Date) bool {
	c := d.Clock()
	return c.Equal(time.Date(1, 1, 1, 0, 0, 0, 0, c.Location()))
}

// wholeNumber reads minutes: an integer of any width, or text that reads
// as one.
func wholeNumber(v any) (int64, error) {
	if i, ok := hyperlambda.Integer(v); ok {
		return i, nil
	}
	switch x := v.(type) {
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), nil
		}
	case string:
		i, err := hyperlambda.ConvertText(x, "long")
		if err != nil {
			return 0, err
		}
		return i.(int64), nil
	case nil:
		return 0, errors.New("not null")
	}
	return 0, fmt.Errorf("not %s %s", hyperlambda.TypeOf(v), hyperlambda.StringOf(v))
}

// addMinutes is now plus minutes within .NET's dates (a time.Duration
// holds only 292 years), as the reference's AddMinutes, which throws
// beyond them.
func addMinutes(now time.Time, minutes int64) (time.Time, error) {
	if minutes > (lastInstant.Unix()-now.Unix())/60 || minutes < (firstInstant.Unix()-now.Unix())/60 {
		return time.Time{}, fmt.Errorf("%d minutes from now is outside the dates 0001-01-01 to 9999-12-31", minutes)
	}
	return time.Unix(now.Unix()+minutes*60, int64(now.Nanosecond())).UTC(), nil
}

// addYears is .NET's AddYears: 29 February becomes 28 February in a year
// that has none (Go would roll over to 1 March).
func addYears(now time.Time, years int) (time.Time, error) {
	t := now.AddDate(years, 0, 0)
	if now.Month() == time.February && now.Day() == 29 && t.Month() == time.March {
		t = t.AddDate(0, 0, -1)
	}
	if t.After(lastInstant) {
		return time.Time{}, fmt.Errorf("%d years from now is beyond the last date, 9999-12-31", years)
	}
	return t, nil
}
