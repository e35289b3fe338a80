package transport

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/zabsim/zabsim/protocol"
)

// messageHeader is the size of protocol.Message's encoding without data.
const messageHeader = 66

// DefaultMaxFrame bounds a frame's body (the encoded message) when
// Config.MaxFrame is 0: the largest message the protocol allows.
const DefaultMaxFrame = protocol.MessageDataMax + messageHeader

// Wire sizes. A dialer opens with a handshake: its sid and the channel,
// and on the quorum channel the connection's id, the dialer's boot id and
// the id of the last quorum connection it had up with the acceptor. The
// acceptor answers with a verdict: a code and its own boot id. It refuses
// by closing the connection without a verdict.
const (
	handshakeBase   = 8 + 1
	handshakeQuorum = handshakeBase + 8 + 8 + 8
	verdictSize     = 1 + 8
	lenPrefix       = 4
)

// Verdict codes.
const (
	verdictAccept byte = 1
	// verdictLose: two quorum connections were dialled at once and the
	// acceptor keeps the other one (or already holds a newer one); the
	// dialer's queue goes out on that connection.
	verdictLose byte = 2
)

// handshake is what a dialer says first.
type handshake struct {
	sid  uint64
	ch   protocol.Channel
	id   uint64 // quorum only: the connection's id, chosen by the dialer
	boot uint64 // quorum only: the dialer's incarnation
	prev uint64 // quorum only: the last quorum connection the dialer had up with the acceptor
}

func (h handshake) encode() []byte {
	b := make([]byte, 0, handshakeQuorum)
	b = binary.BigEndian.AppendUint64(b, h.sid)
	b = append(b, byte(h.ch))
	if h.ch == protocol.ChanQuorum {
		b = binary.BigEndian.AppendUint64(b, h.id)
		b = binary.BigEndian.AppendUint64(b, h.boot)
		b = binary.BigEndian.AppendUint64(b, h.prev)
	}
	return b
}

// readHandshake reads a handshake for the channel a listener serves.
func readHandshake(r io.Reader, want protocol.Channel) (handshake, error) {
	var b [handshakeQuorum]byte
	if _, err := io.ReadFull(r, b[:handshakeBase]); err != nil {
		return handshake{}, fmt.Errorf("%w: %w", ErrHandshake, err)
	}
	h := handshake{sid: binary.BigEndian.Uint64(b[:8]), ch: protocol.Channel(b[8])}
	if h.ch != want {
		return h, fmt.Errorf("%w: channel %d on the %s port", ErrHandshake, b[8], chanName(want))
	}
	if h.ch == protocol.ChanQuorum {
		if _, err := io.ReadFull(r, b[handshakeBase:]); err != nil {
			return h, fmt.Errorf("%w: %w", ErrHandshake, unexpected(err))
		}
		h.id = binary.BigEndian.Uint64(b[9:])
		h.boot = binary.BigEndian.Uint64(b[17:])
		h.prev = binary.BigEndian.Uint64(b[25:])
	}
	return h, nil
}

func encodeVerdict(code byte, boot uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{code}, boot)
}

func readVerdict(r io.Reader) (code byte, boot uint64, err error) {
	var b [verdictSize]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		if err == io.EOF {
			return 0, 0, fmt.Errorf("%w: the peer closed the connection without accepting it", ErrRefused)
		}
		return 0, 0, fmt.Errorf("%w: reading the verdict: %w", ErrHandshake, err)
	}
	if b[0] != verdictAccept && b[0] != verdictLose {
		return 0, 0, fmt.Errorf("%w: verdict %d", ErrHandshake, b[0])
	}
	return b[0], binary.BigEndian.Uint64(b[1:]), nil
}

// encodeFrame is the length prefix and the message. It copies m.Data, so
// the caller may reuse it (protocol.Ready's buffers are reused).
func encodeFrame(m protocol.Message) []byte {
	return appendFrame(make([]byte, 0, lenPrefix+messageHeader+len(m.Data)), m)
}

// appendFrame appends m's frame to b.
func appendFrame(b []byte, m protocol.Message) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(messageHeader+len(m.Data)))
	return m.AppendMarshal(b)
}

// frameChunk bounds what readFrame allocates ahead of the bytes that
// actually arrive, so a length prefix alone cannot make it allocate
// MaxFrame.
const frameChunk = 1 << 20

// readFrame reads one frame's body into buf (reused when large enough).
// io.EOF means the peer closed the connection between frames.
func readFrame(r *bufio.Reader, maxFrame int, buf []byte) ([]byte, error) {
	var p [lenPrefix]byte
	if _, err := io.ReadFull(r, p[:]); err != nil {
		return buf, err
	}
	n := int(binary.BigEndian.Uint32(p[:]))
	if n > maxFrame {
		return buf, fmt.Errorf("%w: %d bytes, limit %d", ErrFrameTooLarge, n, maxFrame)
	}
	if n <= cap(buf) {
		buf = buf[:n]
		if _, err := io.ReadFull(r, buf); err != nil {
			return buf, fmt.Errorf("%w: %d-byte frame cut short: %w", ErrBadFrame, n, unexpected(err))
		}
		return buf, nil
	}
	buf = buf[:0]
	for len(buf) < n {
		k := min(n-len(buf), frameChunk)
		buf = append(buf, make([]byte, k)...)
		if _, err := io.ReadFull(r, buf[len(buf)-k:]); err != nil {
			return buf[:0], fmt.Errorf("%w: %d-byte frame cut short: %w", ErrBadFrame, n, unexpected(err))
		}
	}
	return buf, nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// decodeFrame checks a frame's body against the connection it came on:
// the right channel, from the peer that shook hands, to this server.
func decodeFrame(body []byte, ch protocol.Channel, from, to uint64) (protocol.Message, error) {
	m, err := protocol.UnmarshalMessage(body)
	if err != nil {
		return m, fmt.Errorf("%w: %w", ErrBadFrame, err)
	}
	switch {
	case m.Type == protocol.MsgReset:
		return m, fmt.Errorf("%w: RESET is never sent on the wire", ErrBadFrame)
	case m.Channel() != ch:
		return m, fmt.Errorf("%w: %s on the %s channel", ErrBadFrame, m.Type, chanName(ch))
	case m.From != from:
		return m, fmt.Errorf("%w: message from %d on a connection from %d", ErrBadFrame, m.From, from)
	case m.To != to:
		return m, fmt.Errorf("%w: message to %d reached %d", ErrBadFrame, m.To, to)
	}
	return m, nil
}

func chanName(ch protocol.Channel) string {
	switch ch {
	case protocol.ChanElection:
		return "election"
	case protocol.ChanQuorum:
		return "quorum"
	}
	return fmt.Sprintf("channel-%d", uint8(ch))
}
