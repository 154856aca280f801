package tinymodel

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"sort"
)

// A minimal GGUF v3 writer: only the value kinds a llama model's metadata
// needs and F32 tensors. Written here rather than taken from ollama's fs/ggml
// so the test helper does not pull the server's dependencies into go.mod.

// GGUF metadata value types (gguf.md in the ggml repository).
const (
	ggufUint32  = 4
	ggufInt32   = 5
	ggufFloat32 = 6
	ggufBool    = 7
	ggufString  = 8
	ggufArray   = 9
)

const ggmlTypeF32 = 0

// kv is one metadata entry; entries are written in the order given.
type kv struct {
	key   string
	value any // uint32, int32, float32, bool, string, []string, []float32, []int32
}

// tensor is an F32 tensor; shape[0] is the contiguous dimension, as in ggml.
type tensor struct {
	name  string
	shape []uint64
	data  []float32
}

type ggufWriter struct {
	w   *bufio.Writer
	n   int64
	err error
}

func (g *ggufWriter) put(v any) {
	if g.err != nil {
		return
	}
	g.err = binary.Write(g.w, binary.LittleEndian, v)
	if g.err == nil {
		g.n += int64(binary.Size(v))
	}
}

func (g *ggufWriter) str(s string) {
	g.put(uint64(len(s)))
	g.put([]byte(s))
}

func (g *ggufWriter) value(v any) {
	switch v := v.(type) {
	case uint32:
		g.put(uint32(ggufUint32))
		g.put(v)
	case int32:
		g.put(uint32(ggufInt32))
		g.put(v)
	case float32:
		g.put(uint32(ggufFloat32))
		g.put(v)
	case bool:
		g.put(uint32(ggufBool))
		g.put(v)
	case string:
		g.put(uint32(ggufString))
		g.str(v)
	case []string:
		g.arrayHeader(ggufString, len(v))
		for _, s := range v {
			g.str(s)
		}
	case []float32:
		g.arrayHeader(ggufFloat32, len(v))
		g.put(v)
	case []int32:
		g.arrayHeader(ggufInt32, len(v))
		g.put(v)
	default:
		if g.err == nil {
			g.err = fmt.Errorf("gguf: unsupported metadata value %T", v)
		}
	}
}

func (g *ggufWriter) arrayHeader(elem uint32, n int) {
	g.put(uint32(ggufArray))
	g.put(elem)
	g.put(uint64(n))
}

func (g *ggufWriter) pad(align int64) {
	if p := (align - g.n%align) % align; p > 0 {
		g.put(make([]byte, p))
	}
}

// writeGGUF writes a complete GGUF file: header, metadata, tensor infos,
// then each tensor's data aligned to align bytes (general.alignment).
func writeGGUF(w io.Writer, kvs []kv, tensors []tensor, align int64) error {
	// The loader finds tensors by name; a fixed order makes the file, and so
	// the model digest, reproducible.
	sort.Slice(tensors, func(i, j int) bool { return tensors[i].name < tensors[j].name })
	g := &ggufWriter{w: bufio.NewWriter(w)}
	g.put([]byte("GGUF"))
	g.put(uint32(3))
	g.put(uint64(len(tensors)))
	g.put(uint64(len(kvs)))
	for _, e := range kvs {
		g.str(e.key)
		g.value(e.value)
	}
	var offset uint64
	for _, t := range tensors {
		elems := uint64(1)
		for _, d := range t.shape {
			elems *= d
		}
		if elems != uint64(len(t.data)) {
			return fmt.Errorf("gguf: tensor %s has %d values for shape %v", t.name, len(t.data), t.shape)
		}
		g.str(t.name)
		g.put(uint32(len(t.shape)))
		g.put(t.shape)
		g.put(uint32(ggmlTypeF32))
		g.put(offset)
		size := 4 * elems
		offset += size + uint64((align-int64(size)%align)%align)
	}
	for _, t := range tensors {
		g.pad(align)
		buf := make([]byte, 4*len(t.data))
		for i, f := range t.data {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(f))
		}
		g.put(buf)
	}
	if g.err != nil {
		return g.err
	}
	return g.w.Flush()
}
