package wire

import "encoding/binary"

// encoder appends jute values to a byte slice. Encoding cannot fail: every
// Go value of the record types has a jute form.
type encoder struct {
	buf []byte
}

// frameCap covers a header, a Stat and a short path or data, so most
// frames are encoded with a single allocation.
const frameCap = 128

func newEncoder() *encoder { return &encoder{buf: make([]byte, 0, frameCap)} }

func (e *encoder) int32(v int32) { e.buf = binary.BigEndian.AppendUint32(e.buf, uint32(v)) }

func (e *encoder) int64(v int64) { e.buf = binary.BigEndian.AppendUint64(e.buf, uint64(v)) }

func (e *encoder) bool(v bool) {
	if v {
		e.buf = append(e.buf, 1)
		return
	}
	e.buf = append(e.buf, 0)
}

// buffer writes nil as length -1 (null) and a non-nil empty slice as 0.
func (e *encoder) buffer(b []byte) {
	if b == nil {
		e.int32(-1)
		return
	}
	e.int32(int32(len(b)))
	e.buf = append(e.buf, b...)
}

func (e *encoder) ustring(s string) {
	e.int32(int32(len(s)))
	e.buf = append(e.buf, s...)
}

// nullableStrings keeps a request's null vector (nil) as count -1, so a
// decoded request re-encodes to what the client sent.
func (e *encoder) nullableStrings(v []string) {
	if v == nil {
		e.int32(-1)
		return
	}
	e.strings(v)
}

// strings writes nil as an empty vector: replies must never carry count -1,
// which go-zookeeper reads as a huge unsigned count.
func (e *encoder) strings(v []string) {
	e.int32(int32(len(v)))
	for _, s := range v {
		e.ustring(s)
	}
}
