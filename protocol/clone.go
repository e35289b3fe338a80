package protocol

// Clone returns an independent copy of the peer driving app, which must be
// a copy of the original's App in the same state. Transaction and snapshot
// bytes are shared: nothing ever modifies them. The model checker clones
// states instead of replaying paths to them.
func (p *Peer) Clone(app App) *Peer {
	c := *p
	c.app = app
	c.cfg.App = app
	c.disk = append([]Entry(nil), p.disk...)
	c.snaps = append([]snapshot(nil), p.snaps...)
	c.committed = append([]Entry(nil), p.committed...)
	c.el.recv = append(ballots(nil), p.el.recv...)
	c.el.outOf = append(ballots(nil), p.el.outOf...)
	if p.lead != nil {
		l := *p.lead
		l.connecting = append([]uint64(nil), l.connecting...)
		l.electing = append([]uint64(nil), l.electing...)
		l.newLeaderAcks = append([]uint64(nil), l.newLeaderAcks...)
		l.outstanding = make([]*proposal, len(p.lead.outstanding))
		for i, pr := range p.lead.outstanding {
			cp := new(proposal)
			*cp = *pr
			if len(pr.acks) <= len(cp.ackBuf) {
				cp.acks = append(cp.ackBuf[:0], pr.acks...)
			} else {
				cp.acks = append([]uint64(nil), pr.acks...)
			}
			l.outstanding[i] = cp
		}
		l.sorted = nil
		l.learners = make(map[uint64]*handler, len(p.lead.learners))
		for sid, h := range p.lead.learners {
			ch := *h
			ch.unacked = append([]sentProposal(nil), h.unacked...)
			l.learners[sid] = &ch
		}
		c.lead = &l
	}
	if p.lrn != nil {
		l := *p.lrn
		l.notLogged = append([]Entry(nil), l.notLogged...)
		l.committedZxids = append([]Zxid(nil), l.committedZxids...)
		l.pending = append([]Entry(nil), l.pending...)
		c.lrn = &l
	}
	c.out = cloneReady(p.out)
	// The buffers of handed-out Readies stay with their host (the copy
	// keeps only their continuations), and recycled buffers are not
	// shared.
	c.handed = nil
	for _, h := range p.handed {
		c.handed = append(c.handed, handedReady{done: append([]continuation(nil), h.done...)})
	}
	c.free = nil
	c.onDone = append([]continuation(nil), p.onDone...)
	return &c
}

func cloneReady(rd Ready) Ready {
	out := Ready{Fatal: rd.Fatal}
	out.Persist = append([]Op(nil), rd.Persist...)
	out.Messages = append([]Message(nil), rd.Messages...)
	out.Early = append([]bool(nil), rd.Early...)
	out.Events = append([]Event(nil), rd.Events...)
	return out
}
