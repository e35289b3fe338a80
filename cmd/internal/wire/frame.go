package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
)

// DefaultMaxRequestFrame is ZooKeeper's default jute.maxbuffer (0xfffff):
// the largest request frame length a server accepts. Replies are not capped.
const DefaultMaxRequestFrame = 1048575

// ErrFrameTooLarge means a frame's length prefix was over the limit.
// ZooKeeper then sends nothing and closes the connection; the session
// survives and can be resumed on a new one.
var ErrFrameTooLarge = errors.New("wire: frame length over the limit")

// ErrNegativeFrameLength means a frame's length prefix was negative, which
// ZooKeeper treats like an oversized frame: it closes the connection.
var ErrNegativeFrameLength = errors.New("wire: negative frame length")

// FrameLengthError reports the length prefix that was refused. On the
// first frame of a connection those four bytes may be a four-letter word
// (ruok, srvr, ...): every such word, read as a length, is far over any
// request limit, which is how ZooKeeper tells them apart too. Word returns
// them as text.
type FrameLengthError struct {
	Length int32
	Limit  int
	err    error
}

func (e *FrameLengthError) Error() string {
	return fmt.Sprintf("%v: length %d, limit %d", e.err, e.Length, e.Limit)
}

func (e *FrameLengthError) Unwrap() error { return e.err }

// Word returns the refused length prefix as the four bytes that were sent.
func (e *FrameLengthError) Word() string {
	return string(binary.BigEndian.AppendUint32(nil, uint32(e.Length)))
}

// readChunk bounds what a reply reader allocates ahead of the bytes that
// actually arrive, since an uncapped length prefix could claim 2 GiB.
const readChunk = 1 << 20

// ReadFrame reads one length-prefixed frame and returns its body. limit is
// the largest accepted length (DefaultMaxRequestFrame on a server); limit <= 0
// accepts any length, for reading replies. Oversized and negative lengths
// return a *FrameLengthError before any body byte is read.
func ReadFrame(r io.Reader, limit int) ([]byte, error) {
	var prefix [4]byte
	if _, err := io.ReadFull(r, prefix[:]); err != nil {
		return nil, err
	}
	n := int32(binary.BigEndian.Uint32(prefix[:]))
	switch {
	case n < 0:
		return nil, &FrameLengthError{Length: n, Limit: limit, err: ErrNegativeFrameLength}
	case limit > 0 && int(n) > limit:
		return nil, &FrameLengthError{Length: n, Limit: limit, err: ErrFrameTooLarge}
	}
	body := make([]byte, 0, min(int(n), readChunk))
	for len(body) < int(n) {
		step := min(int(n)-len(body), readChunk)
		body = append(body, make([]byte, step)...)
		if _, err := io.ReadFull(r, body[len(body)-step:]); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	return body, nil
}

// AppendFrame appends body to dst behind its 4-byte big-endian length.
func AppendFrame(dst, body []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(body)))
	return append(dst, body...)
}

// WriteFrame writes body behind its length prefix in one write call where
// the writer supports it, without copying the body.
func WriteFrame(w io.Writer, body []byte) error {
	var prefix [4]byte
	binary.BigEndian.PutUint32(prefix[:], uint32(len(body)))
	bufs := net.Buffers{prefix[:], body}
	_, err := bufs.WriteTo(w)
	return err
}
