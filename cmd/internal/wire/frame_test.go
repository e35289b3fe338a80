package wire

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadFrameLimit(t *testing.T) {
	cases := []struct {
		name   string
		length int
		limit  int
		err    error
	}{
		{"at the default limit", DefaultMaxRequestFrame, DefaultMaxRequestFrame, nil},
		{"one over the default limit", DefaultMaxRequestFrame + 1, DefaultMaxRequestFrame, ErrFrameTooLarge},
		{"configured limit", 100, 100, nil},
		{"over a configured limit", 101, 100, ErrFrameTooLarge},
		{"empty frame", 0, DefaultMaxRequestFrame, nil},
		{"reply larger than the request limit", 1048622, 0, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := bytes.Repeat([]byte{7}, tc.length)
			got, err := ReadFrame(bytes.NewReader(AppendFrame(nil, body)), tc.limit)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				var fe *FrameLengthError
				require.True(t, errors.As(err, &fe))
				require.Equal(t, int32(tc.length), fe.Length)
				require.Equal(t, tc.limit, fe.Limit)
				return
			}
			require.NoError(t, err)
			require.Equal(t, body, got)
		})
	}
}

func TestReadFrameNegativeLength(t *testing.T) {
	for _, limit := range []int{0, DefaultMaxRequestFrame} {
		_, err := ReadFrame(bytes.NewReader([]byte{0xff, 0xff, 0xff, 0xfe}), limit)
		require.ErrorIs(t, err, ErrNegativeFrameLength)
		require.NotErrorIs(t, err, ErrFrameTooLarge)
	}
}

// The over-limit error comes from the prefix alone: the body is never read,
// so the server can close at once, as ZooKeeper does.
func TestReadFrameTooLargeReadsOnlyThePrefix(t *testing.T) {
	r := bytes.NewReader(append(jb{}.i32(DefaultMaxRequestFrame+1), 1, 2, 3))
	_, err := ReadFrame(r, DefaultMaxRequestFrame)
	require.ErrorIs(t, err, ErrFrameTooLarge)
	require.Equal(t, 3, r.Len())
}

func TestReadFrameTruncated(t *testing.T) {
	_, err := ReadFrame(bytes.NewReader(nil), 0)
	require.ErrorIs(t, err, io.EOF)
	_, err = ReadFrame(bytes.NewReader([]byte{0, 0}), 0)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	_, err = ReadFrame(bytes.NewReader(append(jb{}.i32(10), 1, 2)), 0)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	_, err = ReadFrame(bytes.NewReader(jb{}.i32(10)), 0)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }

func TestReadFrameKeepsTransportErrors(t *testing.T) {
	boom := errors.New("connection reset")
	_, err := ReadFrame(io.MultiReader(bytes.NewReader(jb{}.i32(5)), failingReader{boom}), 0)
	require.ErrorIs(t, err, boom)
}

// An uncapped reader must not trust the prefix: a 2 GiB claim backed by a
// few bytes allocates about one chunk, not 2 GiB.
func TestReadFrameUncappedAllocatesAsDataArrives(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ReadFrame(bytes.NewReader(append(jb{}.i32(0x7fffffff), 1, 2, 3)), 0)
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(4*readChunk))
}

func TestWriteFrame(t *testing.T) {
	var buf bytes.Buffer
	body := EncodeRequest(1, &SyncRequest{Path: "/a"})
	require.NoError(t, WriteFrame(&buf, body))
	require.Equal(t, AppendFrame(nil, body), buf.Bytes())
	require.Equal(t, []byte{0, 0, 0, byte(len(body))}, buf.Bytes()[:4])
	got, err := ReadFrame(&buf, DefaultMaxRequestFrame)
	require.NoError(t, err)
	require.Equal(t, body, got)
}

func TestReadFrameFourLetterWords(t *testing.T) {
	for _, word := range []string{"ruok", "srvr", "stat", "mntr", "conf", "cons", "envi", "xyzw"} {
		_, err := ReadFrame(bytes.NewReader([]byte(word)), DefaultMaxRequestFrame)
		require.ErrorIs(t, err, ErrFrameTooLarge, word)
		var fe *FrameLengthError
		require.True(t, errors.As(err, &fe))
		require.Equal(t, word, fe.Word())
	}
}
