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

// MsgType names a message. The Zab packet types keep ZooKeeper's names
// (Leader.java); MsgNotification is FLE's, MsgApp carries the server
// layer's own traffic (forwarded requests, session touches, sync replies)
// in order with the Zab stream, and MsgReset is the host telling a peer
// that a connection was cut.
type MsgType uint8

const (
	MsgNotification MsgType = iota + 1
	MsgFollowerInfo
	MsgObserverInfo
	MsgLeaderInfo
	MsgAckEpoch
	MsgDiff
	MsgTrunc
	MsgSnap
	MsgProposal
	MsgCommit
	MsgNewLeader
	MsgAck
	MsgUpToDate
	MsgPing
	MsgInform
	MsgApp
	MsgReset
	msgTypeEnd
)

var msgNames = [...]string{
	MsgNotification: "NOTIFICATION",
	MsgFollowerInfo: "FOLLOWERINFO",
	MsgObserverInfo: "OBSERVERINFO",
	MsgLeaderInfo:   "LEADERINFO",
	MsgAckEpoch:     "ACKEPOCH",
	MsgDiff:         "DIFF",
	MsgTrunc:        "TRUNC",
	MsgSnap:         "SNAP",
	MsgProposal:     "PROPOSAL",
	MsgCommit:       "COMMIT",
	MsgNewLeader:    "NEWLEADER",
	MsgAck:          "ACK",
	MsgUpToDate:     "UPTODATE",
	MsgPing:         "PING",
	MsgInform:       "INFORM",
	MsgApp:          "APP",
	MsgReset:        "RESET",
}

func (t MsgType) String() string {
	if t > 0 && t < msgTypeEnd {
		return msgNames[t]
	}
	return fmt.Sprintf("MSG(%d)", uint8(t))
}

// Channel is the connection a message travels on. ZooKeeper keeps election
// traffic (QuorumCnxManager, overwriting send queues) apart from the
// learner connection (one FIFO TCP stream per learner).
type Channel uint8

const (
	ChanElection Channel = 0
	ChanQuorum   Channel = 1
)

// Channel says which connection m uses.
func (m Message) Channel() Channel {
	if m.Type == MsgNotification {
		return ChanElection
	}
	return ChanQuorum
}

// Message is everything peers say to each other. Fields not used by a type
// are zero, so equal messages encode to equal bytes.
type Message struct {
	Type     MsgType
	From, To uint64
	// Zxid: the zxid the packet carries (ZooKeeper's QuorumPacket.zxid).
	Zxid Zxid
	// Epoch: ACKEPOCH's currentEpoch, -1 when the epoch was already
	// accepted (ZooKeeper sends -1 then).
	Epoch int64
	// State, Vote and Round are a notification's sender state, vote and
	// logical clock (electionEpoch).
	State ServerState
	Vote  Vote
	Round uint64
	// Data: a PROPOSAL's or INFORM's transaction, a SNAP's snapshot, a
	// PING reply's session touches, an APP payload.
	Data []byte
}

// String is stable: golden traces depend on it.
func (m Message) String() string {
	head := fmt.Sprintf("%d->%d %s", m.From, m.To, m.Type)
	switch m.Type {
	case MsgNotification:
		return fmt.Sprintf("%s %s vote=%s round=%d", head, m.State, m.Vote, m.Round)
	case MsgFollowerInfo, MsgObserverInfo, MsgLeaderInfo:
		return fmt.Sprintf("%s epoch=%d", head, m.Zxid.Epoch())
	case MsgAckEpoch:
		return fmt.Sprintf("%s last=%s currentEpoch=%d", head, m.Zxid, m.Epoch)
	case MsgProposal, MsgInform:
		return fmt.Sprintf("%s %s (%dB)", head, m.Zxid, len(m.Data))
	case MsgSnap:
		return fmt.Sprintf("%s %s (%dB snapshot)", head, m.Zxid, len(m.Data))
	case MsgApp:
		return fmt.Sprintf("%s (%dB)", head, len(m.Data))
	case MsgReset, MsgUpToDate:
		return head
	case MsgPing:
		if len(m.Data) > 0 {
			return fmt.Sprintf("%s %s (%dB)", head, m.Zxid, len(m.Data))
		}
	}
	return fmt.Sprintf("%s %s", head, m.Zxid)
}

// ErrBadEncoding is returned for bytes that are not a message or record.
var ErrBadEncoding = errors.New("protocol: bad message encoding")

// messageHeader is type, from, to, zxid, epoch, state, vote (leader, zxid,
// peerEpoch), round and the data length.
const messageHeader = 1 + 8 + 8 + 8 + 8 + 1 + 8 + 8 + 4 + 8 + 4

// MessageDataMax bounds a message's payload, as jute.maxbuffer bounds a
// ZooKeeper packet (snapshots are larger, so the bound is generous).
const MessageDataMax = 256 << 20

// Marshal is the canonical big-endian encoding used by the live transport
// and by state digests: equal messages give equal bytes.
func (m Message) Marshal() []byte {
	return m.AppendMarshal(make([]byte, 0, messageHeader+len(m.Data)))
}

// AppendMarshal appends Marshal's bytes to b, for a host that packs
// messages into one buffer.
func (m Message) AppendMarshal(b []byte) []byte {
	b = append(b, byte(m.Type))
	b = binary.BigEndian.AppendUint64(b, m.From)
	b = binary.BigEndian.AppendUint64(b, m.To)
	b = binary.BigEndian.AppendUint64(b, uint64(m.Zxid))
	b = binary.BigEndian.AppendUint64(b, uint64(m.Epoch))
	b = append(b, byte(m.State))
	b = binary.BigEndian.AppendUint64(b, m.Vote.Leader)
	b = binary.BigEndian.AppendUint64(b, uint64(m.Vote.Zxid))
	b = binary.BigEndian.AppendUint32(b, m.Vote.PeerEpoch)
	b = binary.BigEndian.AppendUint64(b, m.Round)
	b = binary.BigEndian.AppendUint32(b, uint32(len(m.Data)))
	return append(b, m.Data...)
}

// UnmarshalMessage rejects anything Marshal could not have produced,
// naming what is wrong, without panicking.
func UnmarshalMessage(b []byte) (Message, error) {
	if len(b) < messageHeader {
		return Message{}, fmt.Errorf("%w: message of %d bytes is shorter than its %d-byte header", ErrBadEncoding, len(b), messageHeader)
	}
	var m Message
	m.Type = MsgType(b[0])
	if m.Type == 0 || m.Type >= msgTypeEnd {
		return Message{}, fmt.Errorf("%w: unknown message type %d", ErrBadEncoding, b[0])
	}
	m.From = binary.BigEndian.Uint64(b[1:])
	m.To = binary.BigEndian.Uint64(b[9:])
	m.Zxid = Zxid(binary.BigEndian.Uint64(b[17:]))
	m.Epoch = int64(binary.BigEndian.Uint64(b[25:]))
	m.State = ServerState(b[33])
	if m.State > Observing || (m.State == 0) != (m.Type != MsgNotification) {
		return Message{}, fmt.Errorf("%w: server state %d in a %s", ErrBadEncoding, b[33], m.Type)
	}
	m.Vote.Leader = binary.BigEndian.Uint64(b[34:])
	m.Vote.Zxid = Zxid(binary.BigEndian.Uint64(b[42:]))
	m.Vote.PeerEpoch = binary.BigEndian.Uint32(b[50:])
	m.Round = binary.BigEndian.Uint64(b[54:])
	n := binary.BigEndian.Uint32(b[62:])
	if n > MessageDataMax || int(n) != len(b)-messageHeader {
		return Message{}, fmt.Errorf("%w: data length %d, but %d bytes follow the header", ErrBadEncoding, n, len(b)-messageHeader)
	}
	if n > 0 {
		m.Data = append([]byte(nil), b[messageHeader:]...)
	}
	return m, nil
}

// Digest is a 64-bit hash of the message's canonical content, for trace
// hashes and state digests.
func (m *Message) Digest() uint64 {
	h := uint64(14695981039346656037)
	word := func(w uint64) {
		w *= 0xbf58476d1ce4e5b9
		w ^= w >> 31
		h = (h ^ w) * 1099511628211
	}
	word(uint64(m.Type) | uint64(m.State)<<8)
	word(m.From)
	word(m.To)
	word(uint64(m.Zxid))
	word(uint64(m.Epoch))
	word(m.Vote.Leader)
	word(uint64(m.Vote.Zxid))
	word(uint64(m.Vote.PeerEpoch))
	word(m.Round)
	word(uint64(len(m.Data)))
	for _, b := range m.Data {
		h = (h ^ uint64(b)) * 1099511628211
	}
	return h
}
