package protocol

import "sort"

// hasher folds words into a 64-bit digest (FNV-1a steps over SplitMix'd
// words, as the simulator's trace hash does).
type hasher uint64

func newHasher() hasher { return hasher(14695981039346656037) }

func (h *hasher) word(w uint64) {
	w *= 0xbf58476d1ce4e5b9
	w ^= w >> 31
	*h = hasher((uint64(*h) ^ w) * 1099511628211)
}

func (h *hasher) bytes(b []byte) {
	h.word(uint64(len(b)))
	x := uint64(*h)
	for _, c := range b {
		x = (x ^ uint64(c)) * 1099511628211
	}
	*h = hasher(x)
}

func (h *hasher) sids(s []uint64) {
	c := sortedCopy(s)
	h.word(uint64(len(c)))
	for _, v := range c {
		h.word(v)
	}
}

func (h *hasher) entries(es []Entry) {
	h.word(uint64(len(es)))
	for _, e := range es {
		h.word(uint64(e.Zxid))
		h.bytes(e.Txn)
	}
}

// StateDigest is a canonical 64-bit digest of everything the peer's future
// behaviour depends on, except its App (whose state the host digests) and
// the absolute tick count (only deadlines relative to it matter). The model
// checker deduplicates states with it; two peers with equal digests behave
// the same on every input.
func (p *Peer) StateDigest() uint64 {
	h := newHasher()
	rel := func(deadline uint64) {
		if deadline > p.ticks {
			h.word(deadline - p.ticks)
		} else {
			h.word(0)
		}
	}
	h.word(p.id)
	h.word(uint64(p.acceptedEpoch)<<32 | uint64(p.currentEpoch))
	h.word(uint64(p.diskBase))
	h.entries(p.disk)
	h.word(uint64(len(p.snaps)))
	for _, s := range p.snaps {
		h.word(uint64(s.zxid))
		h.bytes(s.data)
	}
	h.word(uint64(p.sinceSnap))
	h.word(uint64(p.state)<<16 | uint64(p.phase)<<8 | boolWord(p.serving)<<1 | boolWord(p.halted))
	h.word(uint64(p.lastProcessed))
	h.entries(p.committedLog())
	h.word(p.currentVote.Leader)
	h.word(uint64(p.currentVote.Zxid))
	h.word(uint64(p.currentVote.PeerEpoch))
	h.word(p.voteRound)
	// Election.
	el := &p.el
	h.word(el.round)
	h.word(el.proposal.Leader)
	h.word(uint64(el.proposal.Zxid))
	h.word(uint64(el.proposal.PeerEpoch))
	ballots := func(m map[uint64]ballot) {
		keys := make([]uint64, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
		h.word(uint64(len(keys)))
		for _, k := range keys {
			b := m[k]
			h.word(k)
			h.word(b.vote.Leader)
			h.word(uint64(b.vote.Zxid))
			h.word(uint64(b.vote.PeerEpoch))
			h.word(b.round)
			h.word(uint64(b.state))
		}
	}
	if p.state == Looking {
		ballots(el.recv)
		ballots(el.outOf)
		h.word(boolWord(el.finalizing))
		rel(el.deadline)
		h.word(el.notTimeout)
		rel(el.nextPoll)
	}
	if l := p.lead; l != nil {
		h.word(uint64(l.epoch)<<1 | boolWord(l.epochFixed))
		h.sids(l.connecting)
		h.sids(l.electing)
		h.word(boolWord(l.established))
		h.sids(l.newLeaderAcks)
		rel(l.deadline)
		h.word(uint64(l.lastProposed))
		h.word(uint64(l.lastCommitted))
		h.word(uint64(len(l.outstanding)))
		for _, pr := range l.outstanding {
			h.word(uint64(pr.entry.Zxid))
			h.bytes(pr.entry.Txn)
			h.sids(pr.acks)
		}
		h.word(l.tick)
		rel(l.nextWake)
		h.word(boolWord(l.tickSkip))
		for _, hd := range l.learnersSorted() {
			h.word(hd.sid)
			h.word(uint64(hd.stage)<<1 | boolWord(hd.observer))
			h.word(uint64(hd.acceptedEpoch))
			h.word(uint64(hd.lastZxid))
			h.word(uint64(hd.currentEpoch))
			if hd.deadline > l.tick {
				h.word(hd.deadline - l.tick)
			} else {
				h.word(0)
			}
			h.word(uint64(len(hd.unacked)))
			for _, u := range hd.unacked {
				h.word(uint64(u.zxid))
				h.word(p.ticks - u.at)
			}
		}
	}
	if l := p.lrn; l != nil {
		h.word(l.leader)
		h.word(uint64(l.epoch)<<8 | uint64(l.stage)<<1 | boolWord(l.observer))
		rel(l.deadline)
		rel(l.connectBy)
		if l.retryAt != 0 {
			rel(l.retryAt)
		}
		h.word(uint64(l.mode)<<3 | boolWord(l.snapshotNeeded)<<2 | boolWord(l.writeToTxnLog)<<1 | boolWord(l.newLeaderSeen))
		h.entries(l.notLogged)
		h.word(uint64(len(l.committedZxids)))
		for _, z := range l.committedZxids {
			h.word(uint64(z))
		}
		h.word(uint64(l.lastQueued))
		h.entries(l.pending)
	}
	// Work not yet handed to the host is part of the state too.
	h.word(uint64(len(p.out.Persist)))
	for _, o := range p.out.Persist {
		h.word(uint64(o.Kind))
		h.word(uint64(o.Entry.Zxid))
		h.bytes(o.Entry.Txn)
		h.word(uint64(o.Keep))
		h.bytes([]byte(o.Name))
		h.bytes(o.Data)
	}
	h.word(uint64(len(p.out.Messages)))
	for i := range p.out.Messages {
		h.word(p.out.Messages[i].Digest())
	}
	h.word(boolWord(p.inflight))
	// Continuations (a leader's own ACKs waiting for its fsync) follow
	// from the state above; their count guards against collisions.
	h.word(uint64(len(p.onDone))<<32 | uint64(len(p.inflightDone)))
	return uint64(h)
}

func boolWord(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
