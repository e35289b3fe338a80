package explore

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/zabsim/zabsim/protocol"
)

// observe updates the ghost variables from a peer's events and checks the
// invariants that are about moments: at most one leader establishes each
// epoch (Leadership2), a committed zxid names one transaction, an epoch's
// leader commits its zxids in order (commit-order), a leader
// establishing an epoch holds every committed entry (LeaderLogCompleteness
// over its retained database), and a learner whose NEWLEADER ACK a leader
// counts holds the committed history of earlier epochs on disk
// (durable-before-ack).
func (w *world) observe(sid uint64, evs []protocol.Event) {
	for _, ev := range evs {
		switch ev.Kind {
		case protocol.EvEstablished:
			w.fp.ghost = true
			i, found := slices.BinarySearchFunc(w.epochLeader, ev.Epoch, func(o epochOwner, e uint32) int { return int(o.epoch) - int(e) })
			if found && w.epochLeader[i].sid != sid {
				w.fail("leadership: s%d and s%d both established epoch %d", w.epochLeader[i].sid, sid, ev.Epoch)
			}
			if !found {
				w.epochLeader = slices.Insert(slices.Clip(w.epochLeader), i, epochOwner{epoch: ev.Epoch, sid: sid})
			}
			app := w.servers[sid-1].app
			for _, c := range w.committed {
				if !holds(app.applied, c) {
					w.fail("leader-completeness: s%d established epoch %d without committed %s", sid, ev.Epoch, c.Zxid)
				}
			}
		case protocol.EvNewLeaderAck:
			w.fp.ghost = true
			if missing, ok := w.durablyHolds(ev.From, w.servers[sid-1].peer.Status().Epoch); !ok {
				w.fail("durable-before-ack: s%d counted s%d's NEWLEADER ACK, but s%d's disk lacks committed %s", sid, ev.From, ev.From, missing)
			}
		case protocol.EvCommitted:
			w.fp.ghost = true
			w.note("%s", ev)
			// Only an epoch's leader proposes and commits in it, so it
			// commits the epoch's zxids one after another.
			if prev := ev.Zxid - 1; ev.Zxid.Counter() > 1 {
				if _, ok := w.committedAt(prev); !ok {
					w.fail("commit-order: s%d committed %s before %s", sid, ev.Zxid, prev)
				}
			}
			i, found := w.committedAt(ev.Zxid)
			if found {
				if !bytes.Equal(w.committed[i].Txn, ev.Txn) {
					w.fail("zxid-uniqueness: %s committed as two different transactions", ev.Zxid)
				}
				continue
			}
			w.committed = slices.Insert(slices.Clip(w.committed), i, protocol.Entry{Zxid: ev.Zxid, Txn: bytes.Clone(ev.Txn)})
		case protocol.EvState, protocol.EvElected, protocol.EvSynced:
			w.note("%s", ev)
		case protocol.EvAnomaly:
			w.note("anomaly at s%d: %s", sid, ev.Text)
		}
	}
}

// committedAt finds z in the ghost's committed entries (sorted by zxid).
func (w *world) committedAt(z protocol.Zxid) (int, bool) {
	return slices.BinarySearchFunc(w.committed, z, func(e protocol.Entry, z protocol.Zxid) int { return cmp.Compare(e.Zxid, z) })
}

// durablyHolds reports whether sid's disk (log and snapshots) holds every
// entry committed in an epoch before epoch, and if not the first one it
// lacks. Those are in the history of epoch's leader, which a learner must
// have on disk when it ACKs NEWLEADER; entries of epoch itself may still
// be proposals it logs later.
func (w *world) durablyHolds(sid uint64, epoch uint32) (protocol.Zxid, bool) {
	st := w.servers[sid-1].store
	var onDisk []protocol.Entry
	for _, r := range st.records {
		if e, err := protocol.UnmarshalEntry(r); err == nil {
			onDisk = append(onDisk, e)
		}
	}
	for name, data := range st.files {
		if !strings.HasPrefix(name, "snapshot.") {
			continue
		}
		var snap listApp
		if snap.Restore(0, data) == nil {
			onDisk = append(onDisk, snap.applied...)
		}
	}
	for _, c := range w.committed {
		if c.Zxid.Epoch() < epoch && !holds(onDisk, c) {
			return c.Zxid, false
		}
	}
	return 0, true
}

func holds(applied []protocol.Entry, e protocol.Entry) bool {
	for _, a := range applied {
		if a.Zxid == e.Zxid && bytes.Equal(a.Txn, e.Txn) {
			return true
		}
	}
	return false
}

func (w *world) fail(format string, args ...any) {
	if w.violation == "" {
		w.violation = fmt.Sprintf(format, args...)
	}
}

// check tests the invariants about states: every replica's committed
// entries form a prefix of the committed history (agreement, total
// order), and two replicas at the same zxid hold the same state.
func (w *world) check() {
	if w.violation != "" {
		return
	}
	for i, s := range w.servers {
		if s.peer == nil {
			continue
		}
		for _, a := range s.app.applied {
			j, found := w.committedAt(a.Zxid)
			if found && !bytes.Equal(w.committed[j].Txn, a.Txn) {
				w.fail("agreement: s%d applied %s with a different transaction than the committed one", i+1, a.Zxid)
				return
			}
		}
		for j := i + 1; j < len(w.servers); j++ {
			o := w.servers[j]
			if o.peer == nil || len(o.app.applied) == 0 || len(s.app.applied) == 0 {
				continue
			}
			if last(s.app.applied) == last(o.app.applied) && s.app.digest() != o.app.digest() {
				w.fail("state-consistency: s%d and s%d both at %s with different histories", i+1, j+1, last(s.app.applied))
				return
			}
		}
	}
}

func last(es []protocol.Entry) protocol.Zxid { return es[len(es)-1].Zxid }
