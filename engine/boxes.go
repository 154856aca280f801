package engine

import "unsafe"

// intsPerSlab is how many boxed ints share one allocation. A surviving
// value keeps its whole slab alive (512 bytes), so slabs are kept small.
const intsPerSlab = 128

// eface is the layout of an interface value holding a non-pointer type:
// its type, and a pointer to the value.
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

var int32Type = func() unsafe.Pointer {
	var v any = int32(0)
	return (*eface)(unsafe.Pointer(&v)).typ
}()

// Int32 is v as a value. Go boxes an int32 stored in an interface with an
// allocation of its own (values below 256 excepted); a loop's counter
// made one each round, a fifth of the time of a counting loop. The run
// boxes ints into slabs instead, one allocation per intsPerSlab values.
// The boxes are never written again, as every interface value's.
func (r *Run) Int32(v int32) any {
	if r == nil || uint32(v) < 256 {
		return v
	}
	if len(r.ints) == cap(r.ints) {
		r.ints = make([]int32, 0, intsPerSlab)
	}
	r.ints = append(r.ints, v)
	var boxed any
	*(*eface)(unsafe.Pointer(&boxed)) = eface{typ: int32Type, data: unsafe.Pointer(&r.ints[len(r.ints)-1])}
	return boxed
}
