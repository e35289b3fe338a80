package explore

import (
	"bytes"
	"fmt"

	"github.com/zabsim/zabsim/protocol"
)

// observe updates the ghost variables from a peer's events and checks the
// invariants that are about moments: at most one leader establishes each
// epoch (Leadership2), a committed zxid names one transaction, and a
// leader establishing an epoch holds every committed entry
// (LeaderLogCompleteness over its retained database).
func (w *world) observe(sid uint64, evs []protocol.Event) {
	for _, ev := range evs {
		switch ev.Kind {
		case protocol.EvEstablished:
			if other, ok := w.epochLeader[ev.Epoch]; ok && other != sid {
				w.fail("leadership: s%d and s%d both established epoch %d", other, sid, ev.Epoch)
			}
			w.epochLeader[ev.Epoch] = sid
			app := w.servers[sid-1].app
			for _, c := range w.committed {
				if !holds(app.applied, c) {
					w.fail("leader-completeness: s%d established epoch %d without committed %s", sid, ev.Epoch, c.Zxid)
				}
			}
		case protocol.EvCommitted:
			e := protocol.Entry{Zxid: ev.Zxid, Txn: ev.Txn}
			dup := false
			for _, c := range w.committed {
				if c.Zxid == e.Zxid {
					dup = true
					if !bytes.Equal(c.Txn, e.Txn) {
						w.fail("zxid-uniqueness: %s committed as two different transactions", e.Zxid)
					}
				}
			}
			w.note("%s", ev)
			if !dup {
				w.committed = append(w.committed, protocol.Entry{Zxid: e.Zxid, Txn: bytes.Clone(e.Txn)})
			}
		case protocol.EvState, protocol.EvElected, protocol.EvSynced:
			w.note("%s", ev)
		case protocol.EvAnomaly:
			w.note("anomaly at s%d: %s", sid, ev.Text)
		}
	}
}

func holds(applied []protocol.Entry, e protocol.Entry) bool {
	for _, a := range applied {
		if a.Zxid == e.Zxid {
			return bytes.Equal(a.Txn, e.Txn)
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
	committed := map[protocol.Zxid][]byte{}
	for _, c := range w.committed {
		committed[c.Zxid] = c.Txn
	}
	for i := range w.servers {
		s := &w.servers[i]
		if s.peer == nil {
			continue
		}
		for _, a := range s.app.applied {
			if txn, ok := committed[a.Zxid]; ok && !bytes.Equal(txn, a.Txn) {
				w.fail("agreement: s%d applied %s with a different transaction than the committed one", i+1, a.Zxid)
				return
			}
		}
		for j := i + 1; j < len(w.servers); j++ {
			o := &w.servers[j]
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
