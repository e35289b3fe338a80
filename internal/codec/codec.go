// Package codec holds the big-endian, length-prefixed encoding that
// zabsim's own durable formats share (tree transactions and snapshots,
// replica log entries and peer messages): fixed-width integers, strings
// and byte buffers with a length in front, -1 for a null buffer. The
// decoder checks every length against the bytes left and remembers the
// first error, so callers decode a whole record and test once.
//
// It is pure (no I/O, no clock), as protocol and tree require.
package codec

import (
	"encoding/binary"
	"fmt"
)

// Encoder appends values to B.
type Encoder struct{ B []byte }

func (e *Encoder) U8(v uint8)   { e.B = append(e.B, v) }
func (e *Encoder) I32(v int32)  { e.B = binary.BigEndian.AppendUint32(e.B, uint32(v)) }
func (e *Encoder) I64(v int64)  { e.B = binary.BigEndian.AppendUint64(e.B, uint64(v)) }
func (e *Encoder) Str(s string) { e.I32(int32(len(s))); e.B = append(e.B, s...) }

// Bytes writes -1 for nil, keeping ZooKeeper's null buffer apart from an
// empty one.
func (e *Encoder) Bytes(b []byte) {
	if b == nil {
		e.I32(-1)
		return
	}
	e.I32(int32(len(b)))
	e.B = append(e.B, b...)
}

// Decoder reads what an Encoder wrote. After the first error every read
// returns a zero value and Err reports that error, wrapping the sentinel
// the decoder was made with and saying at which byte it happened.
type Decoder struct {
	b    []byte
	off  int
	err  error
	kind error
}

// NewDecoder reads b; its errors wrap kind (a package's sentinel).
func NewDecoder(b []byte, kind error) Decoder { return Decoder{b: b, kind: kind} }

// Err is the first error met, or nil.
func (d *Decoder) Err() error { return d.err }

// Left is the number of bytes not yet read.
func (d *Decoder) Left() int { return len(d.b) - d.off }

// Rest returns the bytes not yet read and consumes them.
func (d *Decoder) Rest() []byte {
	out := d.b[d.off:]
	d.off = len(d.b)
	return out
}

// Fail records an error unless one is recorded already.
func (d *Decoder) Fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: at byte %d: %s", d.kind, d.off, fmt.Sprintf(format, args...))
	}
}

// Take returns the next n bytes (aliasing the input).
func (d *Decoder) Take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > d.Left() {
		d.Fail("need %d bytes, %d left", n, d.Left())
		return nil
	}
	out := d.b[d.off : d.off+n]
	d.off += n
	return out
}

func (d *Decoder) U8() uint8 {
	if b := d.Take(1); b != nil {
		return b[0]
	}
	return 0
}

func (d *Decoder) I32() int32 {
	if b := d.Take(4); b != nil {
		return int32(binary.BigEndian.Uint32(b))
	}
	return 0
}

func (d *Decoder) I64() int64 {
	if b := d.Take(8); b != nil {
		return int64(binary.BigEndian.Uint64(b))
	}
	return 0
}

func (d *Decoder) Str() string { return string(d.Take(int(d.I32()))) }

// Bytes reads what Encoder.Bytes wrote, as a copy: nil for -1.
func (d *Decoder) Bytes() []byte {
	n := d.I32()
	if n == -1 || d.err != nil {
		return nil
	}
	b := d.Take(int(n))
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

// Count reads a length and checks it against limit and against the bytes
// left, each element taking at least elementMin bytes, so a corrupt count
// cannot make a caller allocate without bound.
func (d *Decoder) Count(limit, elementMin int) int {
	n := int(d.I32())
	if d.err == nil && (n < 0 || n > limit || n*elementMin > d.Left()) {
		d.Fail("count %d out of range", n)
		return 0
	}
	return n
}

// End reports an error if bytes are left over, and the first error met.
func (d *Decoder) End() error {
	if d.err == nil && d.Left() != 0 {
		d.Fail("%d trailing bytes", d.Left())
	}
	return d.err
}
