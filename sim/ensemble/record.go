package ensemble

import (
	"fmt"
	"hash/fnv"
	"maps"
	"slices"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/protocol"
)

// recorder turns the peers' events into linearize's ZabRecord: the ghost
// variables of ZooKeeper's TLA+ specifications, observed from outside.
type recorder struct {
	rec      linearize.ZabRecord
	replicas []replicaLog
	files    []map[string]uint32
	// committed is every transaction known to be committed, by zxid: a
	// leader's commits, and a new leader's history once a quorum has
	// acknowledged NEWLEADER. Conflicts (a second payload for a zxid,
	// possible only when Zab is broken) are kept apart.
	committed map[protocol.Zxid][]byte
	conflicts []string
}

func (r *recorder) commit(z protocol.Zxid, txn []byte) {
	if r.committed == nil {
		r.committed = map[protocol.Zxid][]byte{}
	}
	if old, ok := r.committed[z]; ok {
		if txnDigest(old) != txnDigest(txn) {
			r.conflicts = append(r.conflicts, fmt.Sprintf("zxid %s committed with two payloads", z))
		}
		return
	}
	r.committed[z] = txn
}

// replicaLog is one server's applied history since its last restore.
type replicaLog struct {
	base    protocol.Zxid
	applied []linearize.Entry
}

func (r *recorder) init(n int) {
	r.replicas = make([]replicaLog, n)
	r.files = make([]map[string]uint32, n)
	for i := range r.files {
		r.files[i] = map[string]uint32{}
	}
}

func txnDigest(txn []byte) uint64 {
	h := fnv.New64a()
	h.Write(txn)
	return h.Sum64()
}

func entry(z protocol.Zxid, txn []byte) linearize.Entry {
	return linearize.Entry{Zxid: linearize.Zxid(z), Digest: txnDigest(txn)}
}

func (r *recorder) restart(sid uint64) { r.replicas[sid-1] = replicaLog{} }

func (r *recorder) events(h *host, evs []protocol.Event) {
	now := int64(h.ctx.Now())
	sid := int(h.sid)
	// The server's state digest is known only as of the end of the batch:
	// sample it at the batch's last apply.
	lastApply := -1
	for i, ev := range evs {
		switch ev.Kind {
		case protocol.EvApplied:
			lastApply = i
		case protocol.EvRestored:
			lastApply = -1
		}
	}
	for i, ev := range evs {
		switch ev.Kind {
		case protocol.EvRestored:
			r.replicas[sid-1] = replicaLog{base: ev.Zxid}
		case protocol.EvApplied:
			rp := &r.replicas[sid-1]
			rp.applied = append(rp.applied, entry(ev.Zxid, ev.Txn))
			if d, ok := h.server.(Digester); ok && i == lastApply {
				r.rec.Trees = append(r.rec.Trees, linearize.TreeSample{Sid: sid, Zxid: linearize.Zxid(ev.Zxid), Digest: d.StateDigest()})
			}
		case protocol.EvProposed:
			r.rec.Proposals = append(r.rec.Proposals, linearize.Proposal{Entry: entry(ev.Zxid, ev.Txn), Proposer: sid, Time: now})
		case protocol.EvCommitted:
			r.rec.Commits = append(r.rec.Commits, linearize.Commit{Entry: entry(ev.Zxid, ev.Txn), Leader: sid, Time: now})
			r.commit(ev.Zxid, ev.Txn)
			r.quorum("commit", sid, ev, now)
		case protocol.EvAckCounted:
			durable := false
			if f := h.e.hosts[ev.From-1]; f != nil {
				durable = f.store.durableHas(ev.Zxid)
			}
			r.rec.Acks = append(r.rec.Acks, linearize.Ack{Follower: int(ev.From), Zxid: linearize.Zxid(ev.Zxid), Time: now, Durable: durable})
		case protocol.EvEstablished:
			base, hist := h.server.Peer().History()
			est := linearize.Establishment{Epoch: ev.Epoch, Sid: sid, Time: now, Base: linearize.Zxid(base)}
			for _, e := range hist {
				est.History = append(est.History, entry(e.Zxid, e.Txn))
			}
			r.rec.Leaders = append(r.rec.Leaders, est)
			r.quorum("epoch-ack", sid, ev, now)
		case protocol.EvElected:
			r.quorum("election", sid, ev, now)
		case protocol.EvEpochFixed:
			r.quorum("epoch", sid, ev, now)
		case protocol.EvBroadcast:
			r.quorum("newleader-ack", sid, ev, now)
			_, hist := h.server.Peer().History()
			for _, e := range hist {
				r.commit(e.Zxid, e.Txn)
			}
		case protocol.EvLookingMemDisk:
			// The log as the peer wrote it, including appends queued in
			// this very Ready: they reach the disk before anything else
			// leaves the server, and a crash that cuts them also wipes
			// the memory. (Sampling the fsynced log here flagged a leader
			// that applied a commit its followers' ACKs completed before
			// its own fsync: found by sim/zk crash seed 25 on 3 servers.)
			r.rec.MemDisk = append(r.rec.MemDisk, linearize.MemDiskSample{Sid: sid, Time: now, InMemory: linearize.Zxid(ev.Zxid), Durable: linearize.Zxid(ev.Durable)})
		}
	}
}

func (r *recorder) quorum(purpose string, sid int, ev protocol.Event, now int64) {
	q := linearize.QuorumUse{Purpose: purpose, Sid: sid, Epoch: ev.Epoch, Time: now}
	for _, m := range ev.Members {
		q.Members = append(q.Members, int(m))
	}
	r.rec.Quorums = append(r.rec.Quorums, q)
}

func (r *recorder) epochFile(h *host, name string, data []byte) {
	f := r.files[h.sid-1]
	f[name] = parseEpoch(data)
	r.rec.Epochs = append(r.rec.Epochs, linearize.EpochSample{Sid: int(h.sid), Time: int64(h.ctx.Now()), Accepted: f[protocol.FileAcceptedEpoch], Current: f[protocol.FileCurrentEpoch]})
}

func (r *recorder) snapshot() linearize.ZabRecord {
	out := r.rec
	out.Replicas = nil
	for i, rp := range r.replicas {
		out.Replicas = append(out.Replicas, linearize.ReplicaLog{Sid: i + 1, Base: linearize.Zxid(rp.base), Committed: append([]linearize.Entry(nil), rp.applied...)})
	}
	return out
}

// Committed lists the transactions known to be committed, in zxid order,
// and any zxid that was committed with two payloads.
func (e *Ensemble) Committed() (entries []protocol.Entry, conflicts []string) {
	r := &e.record
	for _, z := range slices.Sorted(maps.Keys(r.committed)) {
		entries = append(entries, protocol.Entry{Zxid: z, Txn: r.committed[z]})
	}
	return entries, append([]string(nil), r.conflicts...)
}
