package protocol

import (
	"cmp"
	"slices"
)

// Hasher folds words into a 64-bit digest (FNV-1a steps over SplitMix'd
// words, as the simulator's trace hash does). Its zero value is not
// ready: use NewHasher.
type Hasher uint64

// NewHasher starts a digest.
func NewHasher() Hasher { return Hasher(14695981039346656037) }

// Word adds a 64-bit word.
func (h *Hasher) Word(w uint64) {
	w *= 0xbf58476d1ce4e5b9
	w ^= w >> 31
	*h = Hasher((uint64(*h) ^ w) * 1099511628211)
}

// Bytes adds a length-prefixed byte string.
func (h *Hasher) Bytes(b []byte) {
	h.Word(uint64(len(b)))
	x := uint64(*h)
	for _, c := range b {
		x = (x ^ uint64(c)) * 1099511628211
	}
	*h = Hasher(x)
}

// Sum is the digest so far.
func (h Hasher) Sum() uint64 { return uint64(h) }

// Relabel is a permutation of server ids for a digest: Relabel[sid] is
// the id sid gets. nil is the identity. The model checker digests a state
// under the permutations that leave its future unchanged, to merge states
// that differ only in which server plays which part.
type Relabel []uint64

// Of is the id sid gets.
func (r Relabel) Of(sid uint64) uint64 {
	if sid == 0 || sid >= uint64(len(r)) {
		return sid
	}
	return r[sid]
}

func (h *Hasher) sids(s []uint64, r Relabel) {
	c := make([]uint64, len(s))
	for i, sid := range s {
		c[i] = r.Of(sid)
	}
	slices.Sort(c)
	h.Word(uint64(len(c)))
	for _, v := range c {
		h.Word(v)
	}
}

func (h *Hasher) entries(es []Entry) {
	h.Word(uint64(len(es)))
	for _, e := range es {
		h.Word(uint64(e.Zxid))
		h.Bytes(e.Txn)
	}
}

// StateDigest is a canonical 64-bit digest of everything the peer's future
// behaviour depends on, except its App (whose state the host digests) and
// the absolute tick count (only deadlines relative to it matter). The model
// checker deduplicates states with it; two peers with equal digests behave
// the same on every input.
func (p *Peer) StateDigest() uint64 { return p.RelabelledDigest(nil) }

// RelabelledDigest is StateDigest of the peer with every server id mapped
// by r.
func (p *Peer) RelabelledDigest(r Relabel) uint64 {
	h := NewHasher()
	rel := func(deadline uint64) {
		if deadline > p.ticks {
			h.Word(deadline - p.ticks)
		} else {
			h.Word(0)
		}
	}
	h.Word(r.Of(p.id))
	h.Word(uint64(p.acceptedEpoch)<<32 | uint64(p.currentEpoch))
	h.Word(uint64(p.diskBase))
	h.entries(p.disk)
	h.Word(uint64(len(p.snaps)))
	for _, s := range p.snaps {
		h.Word(uint64(s.zxid))
		h.Bytes(s.data)
	}
	h.Word(uint64(p.sinceSnap))
	h.Word(uint64(p.state)<<16 | uint64(p.phase)<<8 | boolWord(p.serving)<<1 | boolWord(p.halted))
	h.Word(uint64(p.lastProcessed))
	h.entries(p.committedLog())
	h.Word(r.Of(p.currentVote.Leader))
	h.Word(uint64(p.currentVote.Zxid))
	h.Word(uint64(p.currentVote.PeerEpoch))
	h.Word(p.voteRound)
	// Election.
	el := &p.el
	h.Word(el.round)
	h.Word(r.Of(el.proposal.Leader))
	h.Word(uint64(el.proposal.Zxid))
	h.Word(uint64(el.proposal.PeerEpoch))
	ballots := func(bs ballots) {
		if r != nil {
			bs = append(ballots(nil), bs...)
			for i := range bs {
				bs[i].sid = r.Of(bs[i].sid)
			}
			slices.SortFunc(bs, func(a, b sidBallot) int { return cmp.Compare(a.sid, b.sid) })
		}
		h.Word(uint64(len(bs)))
		for _, e := range bs {
			b := e.b
			h.Word(e.sid)
			h.Word(r.Of(b.vote.Leader))
			h.Word(uint64(b.vote.Zxid))
			h.Word(uint64(b.vote.PeerEpoch))
			h.Word(b.round)
			h.Word(uint64(b.state))
		}
	}
	if p.state == Looking {
		ballots(el.recv)
		ballots(el.outOf)
		h.Word(boolWord(el.finalizing))
		rel(el.deadline)
		h.Word(el.notTimeout)
		rel(el.nextPoll)
	}
	if l := p.lead; l != nil {
		h.Word(uint64(l.epoch)<<1 | boolWord(l.epochFixed))
		h.sids(l.connecting, r)
		h.sids(l.electing, r)
		h.Word(boolWord(l.established))
		h.sids(l.newLeaderAcks, r)
		rel(l.deadline)
		h.Word(uint64(l.lastProposed))
		h.Word(uint64(l.lastCommitted))
		h.Word(uint64(len(l.outstanding)))
		for _, pr := range l.outstanding {
			h.Word(uint64(pr.entry.Zxid))
			h.Bytes(pr.entry.Txn)
			h.sids(pr.acks, r)
		}
		h.Word(l.tick)
		rel(l.nextWake)
		h.Word(boolWord(l.tickSkip))
		learners := l.learnersSorted()
		if r != nil {
			learners = slices.Clone(learners)
			slices.SortFunc(learners, func(a, b *handler) int { return cmp.Compare(r.Of(a.sid), r.Of(b.sid)) })
		}
		for _, hd := range learners {
			h.Word(r.Of(hd.sid))
			h.Word(uint64(hd.stage)<<1 | boolWord(hd.observer))
			h.Word(uint64(hd.acceptedEpoch))
			h.Word(uint64(hd.lastZxid))
			h.Word(uint64(hd.currentEpoch))
			if hd.deadline > l.tick {
				h.Word(hd.deadline - l.tick)
			} else {
				h.Word(0)
			}
			h.Word(uint64(len(hd.unacked)))
			for _, u := range hd.unacked {
				h.Word(uint64(u.zxid))
				h.Word(p.ticks - u.at)
			}
		}
	}
	if l := p.lrn; l != nil {
		h.Word(r.Of(l.leader))
		h.Word(uint64(l.epoch)<<8 | uint64(l.stage)<<1 | boolWord(l.observer))
		rel(l.deadline)
		rel(l.connectBy)
		if l.retryAt != 0 {
			rel(l.retryAt)
		}
		h.Word(uint64(l.mode)<<3 | boolWord(l.snapshotNeeded)<<2 | boolWord(l.writeToTxnLog)<<1 | boolWord(l.newLeaderSeen))
		h.entries(l.notLogged)
		h.Word(uint64(len(l.committedZxids)))
		for _, z := range l.committedZxids {
			h.Word(uint64(z))
		}
		h.Word(uint64(l.lastQueued))
		h.entries(l.pending)
	}
	// Work not yet handed to the host is part of the state too.
	h.Word(uint64(len(p.out.Persist)))
	for _, o := range p.out.Persist {
		h.Word(uint64(o.Kind))
		h.Word(uint64(o.Entry.Zxid))
		h.Bytes(o.Entry.Txn)
		h.Word(uint64(o.Keep))
		h.Bytes([]byte(o.Name))
		h.Bytes(o.Data)
	}
	h.Word(uint64(len(p.out.Messages)))
	for i := range p.out.Messages {
		h.Word(p.out.Messages[i].RelabelledDigest(r)<<1 | boolWord(p.out.Early[i]))
	}
	h.Word(uint64(len(p.handed)))
	h.continuations(p, p.onDone)
	for _, hr := range p.handed {
		h.continuations(p, hr.done)
	}
	return uint64(h)
}

func boolWord(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// RelabelledDigest is Digest of the message with every server id mapped
// by r.
func (m *Message) RelabelledDigest(r Relabel) uint64 {
	if r == nil {
		return m.Digest()
	}
	c := *m
	c.From, c.To, c.Vote.Leader = r.Of(m.From), r.Of(m.To), r.Of(m.Vote.Leader)
	return c.Digest()
}

func (h *Hasher) continuations(p *Peer, cs []continuation) {
	h.Word(uint64(len(cs)))
	for _, c := range cs {
		h.Word(uint64(c.kind)<<1 | boolWord(c.term == p.term))
		h.Word(uint64(c.zxid))
	}
}
