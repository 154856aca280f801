package openaislots

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/shopspring/decimal"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// floatArray2bytesSlot is the reference's floatArray2bytes (magic.lambda's
// misc, registered here because it is how embeddings are stored): the
// values its expression selects, as 32-bit floats, little-endian (the
// reference block-copies a float[] on a little-endian machine), four
// bytes each. The reference has no slot for the way back.
var floatArray2bytesSlot = engine.Slot{Sig: whitelist.Signature{Name: "floatArray2bytes",
	Doc:   "the selected nodes' values as 32-bit little-endian floats, 4 bytes each (how embeddings are stored); children stay",
	Value: whitelist.ValueSpec{Required: true, Expr: true, Doc: "an expression selecting the numbers, e.g. x:@.embedding/*"}}, Fn: floatArray2bytes}

// dotnetNaN is .NET's float.NaN, the one NaN the reference writes (a NaN
// parsed from text, or converted from a double's); Go's is positive.
const dotnetNaN = 0xFFC00000

func floatArray2bytes(r *engine.Run, n *hyperlambda.Node) error {
	nodes, err := engine.Select(n, nil)
	if err != nil {
		return err
	}
	size := 4 * len(nodes)
	if err := r.OutputRoom(size); err != nil {
		return err
	}
	out := make([]byte, 0, size)
	for i, s := range nodes {
		v, err := hyperlambda.Value(s)
		if err != nil {
			return fmt.Errorf("node %d (%s): %w", i, s.Name, err)
		}
		f, err := float32Of(v)
		if err != nil {
			return fmt.Errorf("node %d (%s): %w", i, s.Name, err)
		}
		bits := math.Float32bits(f)
		if f != f {
			bits = dotnetNaN
		}
		out = binary.LittleEndian.AppendUint32(out, bits)
	}
	// As the reference: the value is the bytes, the children stay.
	n.Value = out
	return r.Output(len(out))
}

// float32Of converts as the reference's Get<float> (Convert.ChangeType in
// the invariant culture): numbers round to the nearest float, text parses
// as a float, a bool is 1 or 0; anything else (null, a date, bytes, a
// char) is an error, as .NET's InvalidCastException.
func float32Of(v any) (float32, error) {
	if i, ok := hyperlambda.Integer(v); ok {
		return float32(i), nil
	}
	switch x := v.(type) {
	case float32:
		return x, nil
	case float64:
		return float32(x), nil
	case uint64:
		return float32(x), nil
	case decimal.Decimal:
		f, _ := x.Float64() // .NET converts a decimal through a double too
		return float32(f), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case string:
		f, err := hyperlambda.ConvertText(x, "float")
		if err != nil {
			return 0, err
		}
		return f.(float32), nil
	case nil:
		return 0, fmt.Errorf("needs a number, not null")
	}
	return 0, fmt.Errorf("needs a number, not %s", hyperlambda.TypeOf(v))
}
