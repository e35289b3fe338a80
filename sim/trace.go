package sim

import (
	"fmt"
	"strings"
)

// TraceKind names one kind of trace event.
type TraceKind uint8

// The trace event kinds. Their numeric values are part of the trace hash's
// canonical encoding: append new kinds at the end, never renumber.
const (
	TraceSend TraceKind = iota + 1
	TraceDeliver
	TraceDrop
	TraceDuplicate
	TraceTick
	TraceCrash
	TraceRestart
	TracePause
	TraceResume
	TraceDiskWrite
	TraceDiskSync
	TraceDiskLost
	TraceFault
	TraceNote
	TraceReset
	TraceCall
	// TraceStart: a node switched on late (NodeConfig.StartAt) runs its
	// first incarnation.
	TraceStart
)

var traceKindNames = [...]string{
	TraceSend:      "send",
	TraceDeliver:   "deliver",
	TraceDrop:      "drop",
	TraceDuplicate: "dup",
	TraceTick:      "tick",
	TraceCrash:     "crash",
	TraceRestart:   "restart",
	TracePause:     "pause",
	TraceResume:    "resume",
	TraceDiskWrite: "disk-write",
	TraceDiskSync:  "disk-sync",
	TraceDiskLost:  "disk-lost",
	TraceFault:     "fault",
	TraceNote:      "note",
	TraceReset:     "reset",
	TraceCall:      "call",
	TraceStart:     "start",
}

func (k TraceKind) String() string {
	if int(k) < len(traceKindNames) && traceKindNames[k] != "" {
		return traceKindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// DropReason says why the network or a node discarded a message.
type DropReason uint8

// Drop reasons; like TraceKind, their values feed the trace hash.
const (
	DropLoss        DropReason = iota + 1 // random loss on the link
	DropPartition                         // sender and receiver are partitioned
	DropReset                             // the connection was reset while in flight
	DropQueueFull                         // the link's queue was at its limit
	DropDown                              // the receiver is crashed
	DropOverwritten                       // a newer message replaced it in a send queue of one
)

var dropReasonNames = [...]string{
	DropLoss:        "loss",
	DropPartition:   "partition",
	DropReset:       "reset",
	DropQueueFull:   "queue-full",
	DropDown:        "down",
	DropOverwritten: "overwritten",
}

func (r DropReason) String() string {
	if int(r) < len(dropReasonNames) && dropReasonNames[r] != "" {
		return dropReasonNames[r]
	}
	return fmt.Sprintf("reason(%d)", uint8(r))
}

// TraceEvent is one entry of the trace. Node and Peer are node ids (Peer is
// the other end of a message, or -1); ID is a message or record id; Info is
// a kind-specific number (a drop reason, a record count, a length).
type TraceEvent struct {
	At   Time
	Kind TraceKind
	Node NodeID
	Peer NodeID
	ID   uint64
	Info uint64
	// Text and Msg are for people reading a recorded trace; they do not
	// feed the hash except through Digest (see Digester).
	Text string
	Msg  any
}

// Digester is implemented by messages that can contribute a canonical
// 64-bit digest of their content to the trace hash. Messages without one
// still affect the hash through their ids, endpoints and timing, and
// through every event their handling causes.
type Digester interface {
	Digest() uint64
}

// String is the event's stable one-line description, with nodes shown by
// id.
func (e TraceEvent) String() string { return e.Format(NodeID.String) }

// Format is the event's one-line description with nodes shown by name.
func (e TraceEvent) Format(name func(NodeID) string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", e.At, e.Kind)
	switch e.Kind {
	case TraceSend, TraceDeliver, TraceDuplicate:
		fmt.Fprintf(&b, " %s->%s%s #%d", name(e.Node), name(e.Peer), channelSuffix(e.Info), e.ID)
	case TraceDrop:
		fmt.Fprintf(&b, " %s->%s%s #%d %s", name(e.Node), name(e.Peer), channelSuffix(e.Info>>8), e.ID, DropReason(e.Info&0xff))
	case TraceReset:
		fmt.Fprintf(&b, " %s->%s%s", name(e.Node), name(e.Peer), channelSuffix(e.Info))
	case TraceDiskWrite, TraceDiskSync, TraceDiskLost:
		fmt.Fprintf(&b, " %s records=%d", name(e.Node), e.Info)
	case TraceTick:
		fmt.Fprintf(&b, " %s #%d", name(e.Node), e.ID)
	default:
		if e.Node >= 0 {
			fmt.Fprintf(&b, " %s", name(e.Node))
		}
	}
	if e.Text != "" {
		b.WriteString(" ")
		b.WriteString(e.Text)
	}
	if e.Msg != nil {
		fmt.Fprintf(&b, " %v", e.Msg)
	}
	return b.String()
}

// channelSuffix shows a channel other than the default one.
func channelSuffix(ch uint64) string {
	if ch == 0 {
		return ""
	}
	return fmt.Sprintf("/ch%d", ch)
}

// trace keeps the running hash and, when asked, the events themselves.
type trace struct {
	hash   uint64
	count  uint64
	record bool
	limit  int
	events []TraceEvent
	// observers see every event as it happens (checkers, progress output).
	observers []func(TraceEvent)
}

func newTrace() trace { return trace{hash: fnvOffset} }

// retains reports whether events may be kept past add: recorded, or seen
// by observers that might keep them.
func (t *trace) retains() bool { return t.record || len(t.observers) > 0 }

// add folds e into the hash; the canonical encoding is the sequence of
// 64-bit words (kind|node|peer, at, id, info[, digest]).
func (t *trace) add(e TraceEvent) {
	h := t.hash
	h = hashWord(h, uint64(e.Kind)|uint64(uint32(e.Node))<<8|uint64(uint32(e.Peer))<<36)
	h = hashWord(h, uint64(e.At))
	h = hashWord(h, e.ID)
	h = hashWord(h, e.Info)
	if d, ok := e.Msg.(Digester); ok {
		h = hashWord(h, d.Digest())
	}
	if e.Text != "" {
		h = hashWord(h, hashString(e.Text))
	}
	t.hash = h
	t.count++
	if t.record && (t.limit <= 0 || len(t.events) < t.limit) {
		t.events = append(t.events, e)
	}
	for _, o := range t.observers {
		o(e)
	}
}

// hashWord folds one 64-bit word into h: FNV-1a's xor-multiply step applied
// to a SplitMix-scrambled word, so every input bit reaches every output bit
// at the cost of a few multiplications instead of eight byte steps.
func hashWord(h, w uint64) uint64 {
	w *= 0xbf58476d1ce4e5b9
	w ^= w >> 31
	h ^= w
	h *= fnvPrime
	h ^= h >> 32
	return h
}
