package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrMalformed is what every DecodeError matches with errors.Is, for callers
// that only need to know the bytes were not a valid record.
var ErrMalformed = errors.New("wire: malformed record")

// DecodeError says which field of which record could not be read, and why.
type DecodeError struct {
	Record string // e.g. "CreateRequest"
	Field  string // dotted path, e.g. "acl[2].id.scheme"
	Offset int    // byte offset of the field within the decoded slice
	Reason string
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("wire: %s.%s at offset %d: %s", e.Record, e.Field, e.Offset, e.Reason)
}

func (e *DecodeError) Unwrap() error { return ErrMalformed }

// decoder reads jute values from a byte slice. The first failure sticks:
// later reads return zero values without touching the input, so record
// decoders read straight through and check once at the end.
type decoder struct {
	buf []byte
	off int
	err *DecodeError
}

func (d *decoder) remaining() int { return len(d.buf) - d.off }

func (d *decoder) fail(field, format string, args ...any) {
	if d.err == nil {
		d.err = &DecodeError{Field: field, Offset: d.off, Reason: fmt.Sprintf(format, args...)}
	}
}

// take returns the next n bytes, or nil after recording why it could not.
func (d *decoder) take(field string, n int) []byte {
	if d.err != nil {
		return nil
	}
	if n > d.remaining() {
		d.fail(field, "need %d bytes, %d remain", n, d.remaining())
		return nil
	}
	b := d.buf[d.off : d.off+n]
	d.off += n
	return b
}

func (d *decoder) int32(field string) int32 {
	b := d.take(field, 4)
	if b == nil {
		return 0
	}
	return int32(binary.BigEndian.Uint32(b))
}

func (d *decoder) int64(field string) int64 {
	b := d.take(field, 8)
	if b == nil {
		return 0
	}
	return int64(binary.BigEndian.Uint64(b))
}

// bool accepts any non-zero byte as true, as Java's DataInput.readBoolean does.
func (d *decoder) bool(field string) bool {
	b := d.take(field, 1)
	return b != nil && b[0] != 0
}

// length reads a jute length prefix and checks it against what remains, so
// a lying prefix is an error rather than an allocation. null reports -1.
func (d *decoder) length(field string, elemMin int) (n int, null bool) {
	at := d.off
	v := d.int32(field)
	switch {
	case d.err != nil:
		return 0, false
	case v == -1:
		return 0, true
	case v < 0:
		d.off = at
		d.fail(field, "negative length %d", v)
		return 0, false
	case int64(v)*int64(elemMin) > int64(d.remaining()):
		rem := d.remaining()
		d.off = at
		d.fail(field, "length %d needs at least %d bytes, %d remain", v, int64(v)*int64(elemMin), rem)
		return 0, false
	}
	return int(v), false
}

// buffer keeps null (nil) and empty (non-nil, zero length) apart, and copies
// so the result does not pin the frame it came from.
func (d *decoder) buffer(field string) []byte {
	n, null := d.length(field, 1)
	if null || d.err != nil {
		return nil
	}
	return append([]byte{}, d.take(field, n)...)
}

// ustring rejects null: every ustring a client sends is a path, scheme or
// watch name that ZooKeeper dereferences, so a null one cannot be served.
func (d *decoder) ustring(field string) string {
	at := d.off
	n, null := d.length(field, 1)
	if null {
		d.off = at
		d.fail(field, "null ustring")
		return ""
	}
	return string(d.take(field, n))
}

// sub runs a nested record decoder and prefixes any error it causes with the
// field that holds the record.
func sub[T any](d *decoder, field string, f func(*decoder) T) T {
	var zero T
	if d.err != nil {
		return zero
	}
	v := f(d)
	if d.err != nil {
		d.err.Field = field + "." + d.err.Field
		return zero
	}
	return v
}

// vector reads a count and that many elements. elemMin is the smallest
// encoding of one element, which bounds the count by the bytes that remain
// before the slice is allocated. A count of -1 is a null vector (nil).
func vector[T any](d *decoder, field string, elemMin int, f func(*decoder) T) []T {
	n, null := d.length(field, elemMin)
	if null || d.err != nil {
		return nil
	}
	out := make([]T, 0, n)
	for i := 0; i < n; i++ {
		v := f(d)
		if d.err != nil {
			d.inElement(field, i)
			return nil
		}
		out = append(out, v)
	}
	return out
}

// inElement prefixes a pending error with element i of field. Names are
// built only on failure, so decoding a long vector allocates no strings.
func (d *decoder) inElement(field string, i int) {
	if d.err != nil {
		d.err.Field = fmt.Sprintf("%s[%d].%s", field, i, d.err.Field)
	}
}

func decodeString(d *decoder) string { return d.ustring("") }

func stringVector(d *decoder, field string) []string {
	return vector(d, field, 4, decodeString)
}

// finish turns the sticky error into the returned one, naming the record.
func (d *decoder) finish(record string) error {
	if d.err == nil {
		return nil
	}
	d.err.Record = record
	d.err.Field = trimDot(d.err.Field)
	return d.err
}

// trimDot drops the empty leaf name that string elements of a vector leave
// behind ("children[3]." becomes "children[3]").
func trimDot(s string) string {
	if len(s) > 0 && s[len(s)-1] == '.' {
		return s[:len(s)-1]
	}
	return s
}
