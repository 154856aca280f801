package openaislots

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"hlstudio/engine"
	"hlstudio/engine/enginetest"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// floatBytes runs floatArray2bytes over children holding values under
// policy p and returns its value.
func floatBytes(t *testing.T, p *whitelist.Policy, values ...any) ([]byte, error) {
	t.Helper()
	e := engine.New()
	if err := Register(e); err != nil {
		t.Fatal(err)
	}
	lambda := hyperlambda.New("", nil)
	data := hyperlambda.New(".v", nil)
	for _, v := range values {
		data.Add(hyperlambda.New("", v))
	}
	lambda.Add(data)
	lambda.Add(hyperlambda.New("floatArray2bytes", hyperlambda.MustParseExpression("@.v/*")))
	_, err := e.Execute(context.Background(), lambda, p)
	if err != nil {
		return nil, err
	}
	b, ok := lambda.Child(1).Value.([]byte)
	if !ok {
		t.Fatalf("value %T, want bytes", lambda.Child(1).Value)
	}
	return b, nil
}

// Each value becomes its nearest float32, 4 bytes little-endian; the
// bytes are read back here with encoding/binary, independently of the
// slot.
func TestFloatBytes(t *testing.T) {
	pure := enginetest.LoadPolicy(t, "pure")
	in := []any{float32(1.5), 0.1, int32(-3), int64(1 << 40), uint64(math.MaxUint64), decimal.RequireFromString("2.75"),
		"-0.5e-3", " 1,000.25 ", false, uint8(255), math.Inf(-1), float32(math.SmallestNonzeroFloat32), math.Copysign(0, -1)}
	want := []float32{1.5, 0.1, -3, 1 << 40, math.MaxUint64, 2.75, -0.5e-3, 1000.25, 0, 255, float32(math.Inf(-1)), math.SmallestNonzeroFloat32, float32(math.Copysign(0, -1))}
	b, err := floatBytes(t, pure, in...)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 4*len(want) {
		t.Fatalf("%d bytes, want %d", len(b), 4*len(want))
	}
	for i, w := range want {
		got := binary.LittleEndian.Uint32(b[4*i:])
		if got != math.Float32bits(w) {
			t.Errorf("value %d (%v): bits %08x (%v), want %08x (%v)", i, in[i], got, math.Float32frombits(got), math.Float32bits(w), w)
		}
	}
	// The known bytes of 1 and 0.1, as .NET's BitConverter writes them.
	if b, _ := floatBytes(t, pure, float32(1), 0.1); string(b) != "\x00\x00\x80\x3f\xcd\xcc\xcc\x3d" {
		t.Errorf("1 and 0.1: % x", b)
	}
	// A NaN is .NET's float.NaN, whatever its source.
	b, err = floatBytes(t, pure, "NaN", math.NaN(), float32(math.NaN()))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if got := binary.LittleEndian.Uint32(b[4*i:]); got != 0xFFC00000 {
			t.Errorf("NaN %d: %08x, want ffc00000", i, got)
		}
	}
}

func TestFloatBytesRefusesOtherValues(t *testing.T) {
	pure := enginetest.LoadPolicy(t, "pure")
	for _, v := range []any{nil, "", "abc", []byte{1, 2, 3, 4}, hyperlambda.Char('a'), hyperlambda.TimeSpan(1), hyperlambda.GUID{}} {
		if _, err := floatBytes(t, pure, v); err == nil || !strings.Contains(err.Error(), "node 0") {
			t.Errorf("%T %v: error %v, want one naming node 0", v, v, err)
		}
	}
}

// The output budget counts every byte: 4 per value, refused before the
// bytes are made when they would not fit.
func TestFloatBytesBudget(t *testing.T) {
	values := make([]any, 100)
	for i := range values {
		values[i] = float32(i)
	}
	for _, c := range []struct {
		budget int
		fits   bool
	}{{400, true}, {399, false}} {
		p, err := whitelist.Parse("p.hl", []byte("name:p\r\nallow\r\n   effects:pure\r\nbudgets\r\n   output-bytes:long:"+strconv.Itoa(c.budget)+"\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = floatBytes(t, p, values...)
		var be *engine.BudgetError
		switch {
		case c.fits && err != nil:
			t.Errorf("budget %d: %v", c.budget, err)
		case !c.fits && (!errors.As(err, &be) || be.Budget != "output-bytes"):
			t.Errorf("budget %d: %v, want the output budget", c.budget, err)
		}
	}
}
