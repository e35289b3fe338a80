package ensemble

import (
	"cmp"
	"fmt"
	"slices"
	"sort"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/protocol"
	"github.com/zabsim/zabsim/protocol/replica"
	"github.com/zabsim/zabsim/sim"
)

// recorder turns the peers' events into linearize's ZabRecord: the ghost
// variables of ZooKeeper's TLA+ specifications, observed from outside.
//
// Every list only grows, by hundreds of thousands of items in a busy run,
// so each is kept in chunks that never move (see chunked) and assembled
// into the ZabRecord only when asked for.
type recorder struct {
	proposals       chunked[linearize.Proposal]
	leaders         []linearize.Establishment
	commits         chunked[linearize.Commit]
	acks            chunked[linearize.Ack]
	epochs          chunked[linearize.EpochSample]
	memDisk         chunked[linearize.MemDiskSample]
	trees           chunked[linearize.TreeSample]
	quorums         chunked[linearize.QuorumUse]
	sessionsExpired []linearize.SessionExpiry
	anomalies       []linearize.Anomaly
	// members backs the quorums' Members lists.
	members  chunked[int]
	replicas []replicaLog
	files    []map[string]uint32
	// committed is every transaction known to be committed, by zxid: a
	// leader's commits, and a new leader's history once a quorum has
	// acknowledged NEWLEADER. Conflicts (a second payload for a zxid,
	// possible only when Zab is broken) are kept apart.
	committed committedSet
	conflicts []string
	roles     []Role
}

// rolesMax bounds the role changes kept: a run that elects without end
// keeps its first ones.
const rolesMax = 1 << 16

// Role is a server's change of role: what it became, following or
// leading whom, in which epoch. Runs are explained with these (who led
// when, who joined whom).
type Role struct {
	Time   sim.Time
	Sid    uint64
	Status string // protocol.Status: "FOLLOWING/BROADCAST leader=3 epoch=1 serving"
	Leader uint64
	Epoch  uint32
}

func (r Role) String() string { return fmt.Sprintf("%v server %d %s", r.Time, r.Sid, r.Status) }

func (r *recorder) commit(z protocol.Zxid, txn []byte) {
	if old, ok := r.committed.get(z); ok {
		if txnDigest(old) != txnDigest(txn) {
			r.conflicts = append(r.conflicts, fmt.Sprintf("zxid %s committed with two payloads", z))
		}
		return
	}
	r.committed.put(z, txn)
}

// committedSet maps zxids to transactions. Commits nearly always come in
// zxid order, so they are kept in a list in that order, where adding the
// next one is an append and finding one a binary search; one that comes
// after a higher zxid goes to a map.
type committedSet struct {
	inOrder chunked[protocol.Entry]
	late    map[protocol.Zxid][]byte
}

func (c *committedSet) get(z protocol.Zxid) ([]byte, bool) {
	chunks := c.inOrder.chunks
	i := sort.Search(len(chunks), func(i int) bool { ch := chunks[i]; return ch[len(ch)-1].Zxid >= z })
	if i < len(chunks) {
		ch := chunks[i]
		if j := sort.Search(len(ch), func(j int) bool { return ch[j].Zxid >= z }); ch[j].Zxid == z {
			return ch[j].Txn, true
		}
	}
	txn, ok := c.late[z]
	return txn, ok
}

// put adds z, which get did not find.
func (c *committedSet) put(z protocol.Zxid, txn []byte) {
	if k := len(c.inOrder.chunks); k == 0 || c.inOrder.chunks[k-1][len(c.inOrder.chunks[k-1])-1].Zxid < z {
		c.inOrder.add(protocol.Entry{Zxid: z, Txn: txn})
		return
	}
	if c.late == nil {
		c.late = map[protocol.Zxid][]byte{}
	}
	c.late[z] = txn
}

// sorted lists the set in zxid order.
func (c *committedSet) sorted() []protocol.Entry {
	out := c.inOrder.all()
	for z, txn := range c.late {
		out = append(out, protocol.Entry{Zxid: z, Txn: txn})
	}
	if len(c.late) > 0 {
		slices.SortFunc(out, func(a, b protocol.Entry) int { return cmp.Compare(a.Zxid, b.Zxid) })
	}
	return out
}

// replicaLog is one server's applied history since its last restore.
type replicaLog struct {
	base    protocol.Zxid
	applied chunked[linearize.Entry]
}

// chunked is an append-only list stored in chunks that are never moved
// or copied once allocated: appending costs no growslice copies (which
// took a tenth of a busy simulation), and all assembles the list.
type chunked[T any] struct {
	chunks [][]T
	n      int
}

// chunkMax bounds the size of one chunk; the first ones are small, so the
// many short lists of a small run stay small.
const chunkMax = 4096

func (c *chunked[T]) add(v T) {
	if k := len(c.chunks); k == 0 || len(c.chunks[k-1]) == cap(c.chunks[k-1]) {
		c.chunks = append(c.chunks, make([]T, 0, min(max(16, c.n), chunkMax)))
	}
	last := &c.chunks[len(c.chunks)-1]
	*last = append(*last, v)
	c.n++
}

// addAll appends vs and returns them as stored: a slice of the list that
// later appends leave alone (its capacity ends where it does).
func (c *chunked[T]) addAll(vs []T) []T {
	if len(vs) == 0 {
		return nil
	}
	if k := len(c.chunks); k == 0 || cap(c.chunks[k-1])-len(c.chunks[k-1]) < len(vs) {
		c.chunks = append(c.chunks, make([]T, 0, max(min(max(16, c.n), chunkMax), len(vs))))
	}
	last := &c.chunks[len(c.chunks)-1]
	from := len(*last)
	*last = append(*last, vs...)
	c.n += len(vs)
	return (*last)[from:len(*last):len(*last)]
}

// all is a fresh copy of the whole list, nil when it is empty.
func (c *chunked[T]) all() []T {
	if c.n == 0 {
		return nil
	}
	out := make([]T, 0, c.n)
	for _, ch := range c.chunks {
		out = append(out, ch...)
	}
	return out
}

func (r *recorder) init(n int) {
	r.replicas = make([]replicaLog, n)
	r.files = make([]map[string]uint32, n)
	for i := range r.files {
		r.files[i] = map[string]uint32{}
	}
}

// txnDigest is FNV-1a (64-bit) of txn, computed inline: hash/fnv's
// hasher escapes to the heap at every call.
func txnDigest(txn []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, b := range txn {
		h ^= uint64(b)
		h *= 1099511628211
	}
	return h
}

func entry(z protocol.Zxid, txn []byte) linearize.Entry {
	return linearize.Entry{Zxid: linearize.Zxid(z), Digest: txnDigest(txn)}
}

func (r *recorder) restart(sid uint64) { r.replicas[sid-1] = replicaLog{} }

func (r *recorder) expiries(h *host, ex []replica.Expiry) {
	for _, e := range ex {
		r.sessionsExpired = append(r.sessionsExpired, linearize.SessionExpiry{
			Sid: int(h.sid), Session: e.Session, At: e.At, Heard: e.Heard, TimeoutMs: e.TimeoutMs})
	}
}

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
			rp.applied.add(entry(ev.Zxid, ev.Txn))
			if d, ok := h.server.(Digester); ok && i == lastApply {
				r.trees.add(linearize.TreeSample{Sid: sid, Zxid: linearize.Zxid(ev.Zxid), Digest: d.StateDigest()})
			}
		case protocol.EvProposed:
			r.proposals.add(linearize.Proposal{Entry: entry(ev.Zxid, ev.Txn), Proposer: sid, Time: now})
		case protocol.EvCommitted:
			r.commits.add(linearize.Commit{Entry: entry(ev.Zxid, ev.Txn), Leader: sid, Time: now})
			r.commit(ev.Zxid, ev.Txn)
			r.quorum("commit", sid, ev, now)
		case protocol.EvAckCounted:
			durable := false
			if f := h.e.hosts[ev.From-1]; f != nil {
				durable = f.store.durableHas(ev.Zxid)
			}
			r.acks.add(linearize.Ack{Follower: int(ev.From), Zxid: linearize.Zxid(ev.Zxid), Time: now, Durable: durable})
		case protocol.EvEstablished:
			base, hist := h.server.Peer().History()
			est := linearize.Establishment{Epoch: ev.Epoch, Sid: sid, Time: now, Base: linearize.Zxid(base)}
			for _, e := range hist {
				est.History = append(est.History, entry(e.Zxid, e.Txn))
			}
			r.leaders = append(r.leaders, est)
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
		case protocol.EvState:
			role := Role{Time: h.ctx.Now(), Sid: h.sid, Status: ev.Text, Leader: ev.From, Epoch: ev.Epoch}
			if len(r.roles) < rolesMax {
				r.roles = append(r.roles, role)
			}
			h.ctx.Note(fmt.Sprintf("server %d is %s", h.sid, ev.Text))
		case protocol.EvAnomaly:
			r.anomalies = append(r.anomalies, linearize.Anomaly{Sid: sid, Time: now, What: ev.Text})
		case protocol.EvLookingMemDisk:
			// The log as the peer wrote it, including appends queued in
			// this very Ready: they reach the disk before anything else
			// leaves the server, and a crash that cuts them also wipes
			// the memory. (Sampling the fsynced log here flagged a leader
			// that applied a commit its followers' ACKs completed before
			// its own fsync: found by sim/zk crash seed 25 on 3 servers.)
			r.memDisk.add(linearize.MemDiskSample{Sid: sid, Time: now, InMemory: linearize.Zxid(ev.Zxid), Durable: linearize.Zxid(ev.Durable)})
		}
	}
}

func (r *recorder) quorum(purpose string, sid int, ev protocol.Event, now int64) {
	var buf [16]int
	members := buf[:0]
	for _, m := range ev.Members {
		members = append(members, int(m))
	}
	r.quorums.add(linearize.QuorumUse{Purpose: purpose, Sid: sid, Epoch: ev.Epoch, Time: now, Members: r.members.addAll(members)})
}

func (r *recorder) epochFile(h *host, name string, data []byte) {
	f := r.files[h.sid-1]
	f[name] = parseEpoch(data)
	r.epochs.add(linearize.EpochSample{Sid: int(h.sid), Time: int64(h.ctx.Now()), Accepted: f[protocol.FileAcceptedEpoch], Current: f[protocol.FileCurrentEpoch]})
}

func (r *recorder) snapshot() linearize.ZabRecord {
	out := linearize.ZabRecord{
		Proposals: r.proposals.all(),
		Leaders:   r.leaders,
		Commits:   r.commits.all(),
		Acks:      r.acks.all(),
		Epochs:    r.epochs.all(),
		MemDisk:   r.memDisk.all(),
		Trees:     r.trees.all(),
		Quorums:   r.quorums.all(),
		Expiries:  r.sessionsExpired,
		Anomalies: r.anomalies,
	}
	for i, rp := range r.replicas {
		out.Replicas = append(out.Replicas, linearize.ReplicaLog{Sid: i + 1, Base: linearize.Zxid(rp.base), Committed: rp.applied.all()})
	}
	return out
}

// Committed lists the transactions known to be committed, in zxid order,
// and any zxid that was committed with two payloads.
func (e *Ensemble) Committed() (entries []protocol.Entry, conflicts []string) {
	r := &e.record
	return r.committed.sorted(), append([]string(nil), r.conflicts...)
}
