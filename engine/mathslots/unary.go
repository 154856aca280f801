package mathslots

import (
	"errors"
	"fmt"
	"math"

	"github.com/shopspring/decimal"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// registerUnary adds the one-operand functions. Integers keep their type
// where the result is exact (abs, ceil, floor, round); sqrt, sin and cos
// answer in double, as .NET's Math does.
func registerUnary(e *engine.Engine) error {
	value := whitelist.ValueSpec{Expr: true, Doc: "the operand (else its first child)"}
	for _, s := range []struct {
		name, doc string
		args      []whitelist.Arg
		fn        func(r *engine.Run, n *hyperlambda.Node, v any) (any, error)
	}{
		{"math.abs", "absolute value", nil, abs},
		{"math.ceil", "smallest integer not below the value", nil, rounding(math.Ceil, decimal.Decimal.Ceil)},
		{"math.floor", "largest integer not above the value", nil, rounding(math.Floor, decimal.Decimal.Floor)},
		{"math.round", "rounds half away from zero to [digits] decimals (default 0)", []whitelist.Arg{{Name: "digits", Type: "int"}}, round},
		{"math.sqrt", "square root, as double", nil, float(math.Sqrt, "a negative number")},
		{"math.sin", "sine of radians, as double", nil, float(math.Sin, "an infinity")},
		{"math.cos", "cosine of radians, as double", nil, float(math.Cos, "an infinity")},
	} {
		fn := s.fn
		err := e.Register(engine.Slot{
			Sig: whitelist.Signature{Name: s.name, Doc: s.doc, Value: value, Children: whitelist.Code, Args: s.args},
			Fn: func(r *engine.Run, n *hyperlambda.Node) error {
				v, err := operand1(r, n)
				if err != nil {
					return err
				}
				out, err := fn(r, n, v)
				var overflow *OverflowError
				if errors.As(err, &overflow) {
					return err // it names the slot already
				}
				if err != nil {
					return fmt.Errorf("%s: %w", n.Name, err)
				}
				n.Clear()
				n.Value = out
				return nil
			},
		})
		if err != nil {
			return err
		}
	}
	return e.Register(engine.Slot{
		Sig: whitelist.Signature{Name: "math.dot", Doc: "dot product of the values under its two children (vectors of equal length), as double",
			Children: whitelist.Code},
		Fn: dot,
	})
}

// operand1 is the node's value, or the value of its first child that is
// not an argument, after running that child when it is a slot.
func operand1(r *engine.Run, n *hyperlambda.Node) (any, error) {
	if n.Value != nil {
		return hyperlambda.Value(n)
	}
	for _, c := range n.Children() {
		if c.Name == "digits" {
			continue
		}
		return r.ValueOf(c)
	}
	return nil, errors.New("needs an operand: a value or a child")
}

func numeric(v any) error {
	if kind(v) == 0 {
		if v == nil {
			return errors.New("of a null value")
		}
		return fmt.Errorf("of %s, not a number", hyperlambda.TypeOf(v))
	}
	return nil
}

func abs(r *engine.Run, n *hyperlambda.Node, v any) (any, error) {
	if err := numeric(v); err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case decimal.Decimal:
		return netDecimal(n.Name, x.Abs())
	case float64:
		return math.Abs(x), nil
	case float32:
		return float32(math.Abs(float64(x))), nil
	case uint8, uint16, uint32, uint64:
		return v, nil
	}
	// 0 - v keeps the type and reports overflow (abs of the minimum int).
	return apply(r, n.Name, "subtract", zeroOf(v), v)
}

func zeroOf(v any) any {
	switch v.(type) {
	case int64:
		return int64(0)
	}
	return int32(0)
}

func rounding(f func(float64) float64, d func(decimal.Decimal) decimal.Decimal) func(*engine.Run, *hyperlambda.Node, any) (any, error) {
	return func(_ *engine.Run, n *hyperlambda.Node, v any) (any, error) {
		if err := numeric(v); err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case decimal.Decimal:
			return netDecimal(n.Name, d(x))
		case float64:
			return f(x), nil
		case float32:
			return float32(f(float64(x))), nil
		}
		return v, nil // integers are already whole
	}
}

func round(r *engine.Run, n *hyperlambda.Node, v any) (any, error) {
	if err := numeric(v); err != nil {
		return nil, err
	}
	d, _, err := r.Arg(n, "digits")
	if err != nil {
		return nil, err
	}
	digits := int32(0)
	if d != nil {
		digits = d.(int32)
	}
	if digits < 0 || digits > 28 {
		return nil, fmt.Errorf("[digits] must be 0 to 28, not %d", digits)
	}
	switch x := v.(type) {
	case decimal.Decimal:
		return netDecimal(n.Name, x.Round(digits))
	case float64:
		return roundFloat(x, digits), nil
	case float32:
		return float32(roundFloat(float64(x), digits)), nil
	}
	return v, nil
}

// roundFloat rounds x half away from zero to digits decimals. A value too
// large for x*10^digits (which would be Infinity) has no digits there to
// round and is kept.
func roundFloat(x float64, digits int32) float64 {
	p := math.Pow(10, float64(digits))
	if math.IsInf(x*p, 0) && !math.IsInf(x, 0) {
		return x
	}
	return math.Round(x*p) / p
}

func float(f func(float64) float64, domain string) func(*engine.Run, *hyperlambda.Node, any) (any, error) {
	return func(_ *engine.Run, _ *hyperlambda.Node, v any) (any, error) {
		if err := numeric(v); err != nil {
			return nil, err
		}
		in := toFloat(v)
		out := f(in)
		if math.IsNaN(out) {
			if math.IsNaN(in) {
				return nil, errors.New("of NaN is not a number")
			}
			return nil, fmt.Errorf("of %s is not a number", domain)
		}
		return out, nil
	}
}

func dot(r *engine.Run, n *hyperlambda.Node) error {
	if err := r.Eval(n); err != nil {
		return err
	}
	if n.Len() != 2 {
		return errors.New("needs two children holding the vectors")
	}
	a, b := n.Child(0).Children(), n.Child(1).Children()
	if len(a) != len(b) {
		return fmt.Errorf("vectors of different lengths, %d and %d", len(a), len(b))
	}
	sum, inf := 0.0, 0.0
	for i := range a {
		x, err := hyperlambda.Value(a[i])
		if err != nil {
			return err
		}
		y, err := hyperlambda.Value(b[i])
		if err != nil {
			return err
		}
		if err := numeric(x); err != nil {
			return fmt.Errorf("element %d %v", i, err)
		}
		if err := numeric(y); err != nil {
			return fmt.Errorf("element %d %v", i, err)
		}
		fx, fy := toFloat(x), toFloat(y)
		if math.IsInf(fx, 0) || math.IsInf(fy, 0) {
			inf = math.Inf(1) // an infinite element may give an infinite sum
		}
		sum += fx * fy
	}
	if err := finite("math.dot", "double", sum, inf); err != nil {
		return err
	}
	n.Clear()
	n.Value = sum
	return nil
}
