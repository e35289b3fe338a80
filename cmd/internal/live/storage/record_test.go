package storage

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

func encode(first uint64, payloads ...string) []byte {
	var b []byte
	for i, p := range payloads {
		b = appendRecord(b, first+uint64(i), []byte(p))
	}
	return b
}

func TestDecodeSegment(t *testing.T) {
	three := encode(5, "a", "", "ccc")
	withZeros := append(encode(5, "a", "", "ccc"), make([]byte, 64)...)
	flipped := bytes.Clone(withZeros)
	flipped[16] ^= 1 // payload of the first record
	padded := bytes.Clone(withZeros)
	padded[16+1] = 1 // padding after "a"
	for _, tc := range []struct {
		name       string
		b          []byte
		first      uint64
		max        int
		records    []string
		damaged    bool
		validAfter int64
	}{
		{"empty", nil, 0, 100, []string{}, false, -1},
		{"zeros", make([]byte, 64), 0, 100, []string{}, false, -1},
		{"records then zeros", withZeros, 5, 100, []string{"a", "", "ccc"}, false, -1},
		{"records to the end", three, 5, 100, []string{"a", "", "ccc"}, false, -1},
		{"wrong first index", withZeros, 4, 100, []string{}, true, 0},
		{"over the size limit", withZeros, 5, 2, []string{"a", ""}, true, -1},
		{"torn last record", three[:len(three)-3], 5, 100, []string{"a", ""}, true, -1},
		{"flipped first record", flipped, 5, 100, []string{}, true, 24},
		{"nonzero padding", padded, 5, 100, []string{}, true, 24},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := decodeSegment(tc.b, tc.first, tc.max)
			got := make([]string, len(sc.records))
			for i, r := range sc.records {
				got[i] = string(r)
			}
			require.Equal(t, tc.records, got)
			require.Equal(t, tc.damaged, sc.damaged)
			require.Equal(t, tc.validAfter, sc.validAfter)
		})
	}
}

// FuzzRecordDecode feeds arbitrary segment bytes to the decoder, which
// must not panic, must only accept what it would have written, and must
// classify the rest consistently.
func FuzzRecordDecode(f *testing.F) {
	valid := encode(0, "a", "bb", "", "zxid-and-txn")
	f.Add(valid, uint64(0), uint16(64))
	f.Add(append(valid, make([]byte, 40)...), uint64(0), uint16(64))
	f.Add(valid[:len(valid)-5], uint64(0), uint16(64))
	f.Add(append(bytes.Clone(valid[24:]), valid...), uint64(1), uint16(8))
	f.Add(make([]byte, 32), uint64(0), uint16(0))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff}, uint64(1<<63), uint16(65535))
	f.Fuzz(func(t *testing.T, b []byte, first uint64, max uint16) {
		sc := decodeSegment(b, first, int(max))
		require.Len(t, sc.offsets, len(sc.records))
		require.LessOrEqual(t, sc.end, int64(len(b)))
		// What was accepted is exactly what the encoder writes.
		again := make([]string, len(sc.records))
		var enc []byte
		for i, r := range sc.records {
			require.LessOrEqual(t, len(r), int(max))
			require.Equal(t, int64(len(enc)), sc.offsets[i])
			enc = appendRecord(enc, first+uint64(i), r)
			again[i] = string(r)
		}
		require.Equal(t, string(enc), string(b[:sc.end]))
		require.Equal(t, !allZero(b[sc.end:]), sc.damaged)
		if sc.validAfter >= 0 {
			require.True(t, sc.damaged)
			require.GreaterOrEqual(t, sc.validAfter, sc.end)
			require.Less(t, sc.validAfter, int64(len(b)))
		}
		// Decoding its own output gives the same records back.
		sc2 := decodeSegment(enc, first, int(max))
		got := make([]string, len(sc2.records))
		for i, r := range sc2.records {
			got[i] = string(r)
		}
		require.Equal(t, again, got)
	})
}
