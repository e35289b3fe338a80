package protocol

import (
	"fmt"
	"strings"
)

// EventKind names something a peer did that checkers and traces want to
// see: the ghost variables of ZooKeeper's TLA+ specifications.
type EventKind uint8

const (
	// EvState: the peer changed ServerState or Zab phase.
	EvState EventKind = iota + 1
	// EvElected: FLE decided; Members are the votes that agreed.
	EvElected
	// EvEpochFixed: a leader persisted acceptedEpoch from a quorum of
	// FOLLOWERINFO (Members).
	EvEpochFixed
	// EvEstablished: a leader completed its ACKEPOCH quorum (Members) and
	// owns Epoch (Leadership2's epochLeader).
	EvEstablished
	// EvNewLeaderAck: a leader counted a learner's NEWLEADER ACK.
	EvNewLeaderAck
	// EvBroadcast: a leader got its NEWLEADER quorum (Members) and serves.
	EvBroadcast
	// EvProposed: a leader proposed Zxid.
	EvProposed
	// EvAckCounted: a leader counted From's ACK of Zxid.
	EvAckCounted
	// EvCommitted: a leader committed Zxid with Members' acks.
	EvCommitted
	// EvApplied: the peer applied Zxid to its state machine.
	EvApplied
	// EvSynced: a follower chose or was told a sync mode (Text) to Zxid.
	EvSynced
	// EvSnapshot: the peer wrote a snapshot at Zxid.
	EvSnapshot
	// EvLookingMemDisk: the peer entered LOOKING; Zxid is its in-memory
	// last processed zxid, Durable its last logged one.
	EvLookingMemDisk
	// EvDropped: a message was ignored (Text says why); not an error.
	EvDropped
	// EvRestored: the state machine was replaced by the snapshot at Zxid
	// (zero: the empty state), at start, by a SNAP or by a truncation.
	EvRestored
	// EvAnomaly: a branch ZooKeeper's specifications call impossible
	// (ShouldNotBeTriggered) was taken.
	EvAnomaly
)

var eventNames = [...]string{
	EvState:          "state",
	EvElected:        "elected",
	EvEpochFixed:     "epoch-fixed",
	EvEstablished:    "established",
	EvNewLeaderAck:   "newleader-ack",
	EvBroadcast:      "broadcast",
	EvProposed:       "proposed",
	EvAckCounted:     "ack",
	EvCommitted:      "committed",
	EvApplied:        "applied",
	EvSynced:         "synced",
	EvSnapshot:       "snapshot",
	EvLookingMemDisk: "looking",
	EvDropped:        "dropped",
	EvRestored:       "restored",
	EvAnomaly:        "ANOMALY",
}

func (k EventKind) String() string {
	if int(k) < len(eventNames) && eventNames[k] != "" {
		return eventNames[k]
	}
	return fmt.Sprintf("event(%d)", uint8(k))
}

// Event is one observation. Fields not used by a kind are zero.
type Event struct {
	Kind    EventKind
	Peer    uint64 // who reports it
	From    uint64 // the other server involved, if any
	Epoch   uint32
	Zxid    Zxid
	Durable Zxid
	Members []uint64
	Text    string
	// Txn is the transaction of EvProposed, EvCommitted and EvApplied, so
	// checkers can tell equal zxids with different payloads apart.
	Txn []byte
}

// String is stable: golden traces depend on it.
func (e Event) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", e.Peer, e.Kind)
	if e.From != 0 {
		fmt.Fprintf(&b, " from=%d", e.From)
	}
	if e.Epoch != 0 {
		fmt.Fprintf(&b, " epoch=%d", e.Epoch)
	}
	if e.Zxid != 0 {
		fmt.Fprintf(&b, " zxid=%s", e.Zxid)
	}
	if e.Kind == EvLookingMemDisk {
		fmt.Fprintf(&b, " durable=%s", e.Durable)
	}
	if len(e.Members) > 0 {
		fmt.Fprintf(&b, " members=%v", e.Members)
	}
	if e.Text != "" {
		fmt.Fprintf(&b, " %s", e.Text)
	}
	return b.String()
}
