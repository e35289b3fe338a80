package protocol

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ServerState is what a server tells others about itself in FLE.
type ServerState uint8

const (
	Looking ServerState = iota + 1
	Following
	Leading
	Observing
)

func (s ServerState) String() string {
	switch s {
	case Looking:
		return "LOOKING"
	case Following:
		return "FOLLOWING"
	case Leading:
		return "LEADING"
	case Observing:
		return "OBSERVING"
	}
	return fmt.Sprintf("STATE(%d)", uint8(s))
}

// Notification is FLE's election message (ZAB.md §1): the sender's state,
// its current vote, and the election round it votes in.
type Notification struct {
	From, To      uint64
	State         ServerState
	Vote          Vote
	ElectionEpoch uint64 // the sender's logical clock
}

// String is stable: golden traces depend on it.
func (n Notification) String() string {
	return fmt.Sprintf("%d->%d NOTIFICATION %s vote=%s round=%d", n.From, n.To, n.State, n.Vote, n.ElectionEpoch)
}

// notificationLen is the fixed size of the encoding: from, to, state,
// leader, zxid, peerEpoch, electionEpoch.
const notificationLen = 8 + 8 + 1 + 8 + 8 + 4 + 8

// ErrBadEncoding is returned for bytes that are not a message.
var ErrBadEncoding = errors.New("protocol: bad message encoding")

// Marshal is the canonical big-endian encoding used by the transport and by
// state digests, so equal notifications always give equal bytes.
func (n Notification) Marshal() []byte {
	b := make([]byte, 0, notificationLen)
	b = binary.BigEndian.AppendUint64(b, n.From)
	b = binary.BigEndian.AppendUint64(b, n.To)
	b = append(b, byte(n.State))
	b = binary.BigEndian.AppendUint64(b, n.Vote.Leader)
	b = binary.BigEndian.AppendUint64(b, uint64(n.Vote.Zxid))
	b = binary.BigEndian.AppendUint32(b, n.Vote.PeerEpoch)
	b = binary.BigEndian.AppendUint64(b, n.ElectionEpoch)
	return b
}

// UnmarshalNotification rejects anything that Marshal could not have
// produced, without panicking.
func UnmarshalNotification(b []byte) (Notification, error) {
	if len(b) != notificationLen {
		return Notification{}, fmt.Errorf("%w: notification is %d bytes, want %d", ErrBadEncoding, len(b), notificationLen)
	}
	var n Notification
	n.From = binary.BigEndian.Uint64(b[0:])
	n.To = binary.BigEndian.Uint64(b[8:])
	n.State = ServerState(b[16])
	if n.State < Looking || n.State > Observing {
		return Notification{}, fmt.Errorf("%w: unknown server state %d", ErrBadEncoding, b[16])
	}
	n.Vote.Leader = binary.BigEndian.Uint64(b[17:])
	n.Vote.Zxid = Zxid(binary.BigEndian.Uint64(b[25:]))
	n.Vote.PeerEpoch = binary.BigEndian.Uint32(b[33:])
	n.ElectionEpoch = binary.BigEndian.Uint64(b[37:])
	return n, nil
}
