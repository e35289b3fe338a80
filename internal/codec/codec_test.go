package codec

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

var errTest = errors.New("test: bad encoding")

func TestRoundTrip(t *testing.T) {
	var e Encoder
	e.U8(7)
	e.I32(-3)
	e.I64(1 << 40)
	e.Str("héllo")
	e.Bytes(nil)
	e.Bytes([]byte{})
	e.Bytes([]byte("x"))
	d := NewDecoder(e.B, errTest)
	require.Equal(t, uint8(7), d.U8())
	require.Equal(t, int32(-3), d.I32())
	require.Equal(t, int64(1<<40), d.I64())
	require.Equal(t, "héllo", d.Str())
	require.Nil(t, d.Bytes(), "null stays null")
	empty := d.Bytes()
	require.NotNil(t, empty, "empty stays empty")
	require.Empty(t, empty)
	require.Equal(t, []byte("x"), d.Bytes())
	require.NoError(t, d.End())
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		read func(d *Decoder)
		in   []byte
		want string
	}{
		{"short integer", func(d *Decoder) { d.I32() }, []byte{0, 1}, "at byte 0: need 4 bytes, 2 left"},
		{"negative string length", func(d *Decoder) { d.Str() }, []byte{0xff, 0xff, 0xff, 0xfe}, "need -2 bytes"},
		{"count above its limit", func(d *Decoder) { d.Count(3, 1) }, []byte{0, 0, 0, 4, 1, 1, 1, 1}, "count 4 out of range"},
		{"count beyond the bytes left", func(d *Decoder) { d.Count(100, 8) }, []byte{0, 0, 0, 2, 1, 1, 1, 1}, "count 2 out of range"},
		{"trailing bytes", func(d *Decoder) { d.U8() }, []byte{1, 2}, "at byte 1: 1 trailing bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecoder(tc.in, errTest)
			tc.read(&d)
			err := d.End()
			require.ErrorIs(t, err, errTest)
			require.ErrorContains(t, err, tc.want)
			require.Zero(t, d.I64(), "reads after an error give zero values")
		})
	}
}
