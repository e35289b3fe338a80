package protocol

import (
	"fmt"
	"slices"
	"sort"
)

// leader is Leader.java plus one LearnerHandler per learner.
type leader struct {
	epoch      uint32
	epochFixed bool
	// connecting, electing and newLeaderAcks are getEpochToPropose's,
	// waitForEpochAck's and waitForNewLeaderAck's sets, leader included.
	connecting    []uint64
	electing      []uint64
	established   bool
	newLeaderAcks []uint64
	deadline      uint64 // peer tick by which the current wait must end
	learners      map[uint64]*handler
	// sorted caches learnersSorted; nil when learners changed. A change
	// replaces it rather than editing it, so a loop over the old slice
	// may add or drop learners.
	sorted []*handler

	lastProposed, lastCommitted Zxid
	outstanding                 []*proposal // zxid order

	// Broadcast timing: tick is the leader's ZooKeeper tick counter,
	// nextWake the peer tick of the next half-tick wake-up.
	tick     uint64
	nextWake uint64
	tickSkip bool
}

type handlerStage uint8

const (
	hDiscovery  handlerStage = iota + 1 // FOLLOWERINFO seen, ACKEPOCH awaited
	hAckedEpoch                         // ACKEPOCH seen, epoch quorum awaited
	hSyncing                            // sync and NEWLEADER sent, ACK awaited
	hWaitUp                             // NEWLEADER acked, leader start awaited
	hSynced                             // UPTODATE sent
)

type handler struct {
	sid           uint64
	observer      bool
	stage         handlerStage
	acceptedEpoch uint32
	lastZxid      Zxid
	currentEpoch  int64
	// deadline is tickOfNextAckDeadline, in the leader's ZooKeeper ticks.
	deadline uint64
	// unacked is SyncLimitCheck: proposals sent to this learner and not
	// acked, with the peer tick they were sent at.
	unacked []sentProposal
}

type sentProposal struct {
	zxid Zxid
	at   uint64
}

type proposal struct {
	entry Entry
	acks  []uint64
	// ackBuf is acks' first backing array, so that counting the acks of
	// an ensemble of up to 7 voters allocates nothing more.
	ackBuf [7]uint64
}

// learnersSorted lists the handlers in sid order, so iteration never
// depends on map order.
func (l *leader) learnersSorted() []*handler {
	if l.sorted != nil || len(l.learners) == 0 {
		return l.sorted
	}
	out := make([]*handler, 0, len(l.learners))
	for _, h := range l.learners {
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].sid < out[j].sid })
	l.sorted = out
	return out
}

// startLeading is Leader.lead up to waiting for learners.
func (p *Peer) startLeading() {
	p.lrn = nil
	p.lead = &leader{
		epoch:      p.acceptedEpoch + 1,
		connecting: []uint64{p.id},
		learners:   map[uint64]*handler{},
		deadline:   p.ticks + p.limits.init,
	}
	p.setStatus(Leading, PhaseDiscovery, false)
	p.tryFixEpoch()
}

func (p *Peer) stepLeader(m Message) {
	l := p.lead
	if m.Type == MsgFollowerInfo || m.Type == MsgObserverInfo {
		p.newHandler(m)
		return
	}
	h := l.learners[m.From]
	if h == nil {
		if m.Type != MsgReset {
			p.dropped(m, "no learner handler")
		}
		return
	}
	if m.Type == MsgReset {
		delete(l.learners, m.From)
		l.sorted = nil
		return
	}
	h.deadline = l.tick + uint64(p.cfg.SyncLimit)
	switch m.Type {
	case MsgAckEpoch:
		p.ackEpoch(h, m)
	case MsgAck:
		switch h.stage {
		case hSyncing:
			p.newLeaderAck(h, m.Zxid)
		case hWaitUp, hSynced:
			p.processAck(h, m.Zxid)
		default:
			p.dropHandler(h, "ACK before sync")
		}
	case MsgPing:
		if h.stage == hSynced {
			p.app.Receive(h.sid, m.Data, true)
		}
	case MsgApp:
		if h.stage == hSynced {
			p.app.Receive(h.sid, m.Data, false)
		} else {
			p.dropped(m, "learner not synced")
		}
	default:
		p.anomaly("leader got %s from learner %d", m.Type, m.From)
		p.dropHandler(h, "unexpected packet")
	}
}

// newHandler starts a LearnerHandler for a FOLLOWERINFO or OBSERVERINFO.
func (p *Peer) newHandler(m Message) {
	l := p.lead
	observer := m.Type == MsgObserverInfo
	if observer != containsSid(p.cfg.Observers, m.From) || (!observer && !p.isVoter(m.From)) {
		p.dropped(m, "not a member in that role")
		p.send(Message{Type: MsgReset, To: m.From})
		return
	}
	h := &handler{
		sid:           m.From,
		observer:      observer,
		stage:         hDiscovery,
		acceptedEpoch: m.Zxid.Epoch(),
		deadline:      l.tick + uint64(p.cfg.InitLimit+p.cfg.SyncLimit),
	}
	l.learners[m.From] = h
	l.sorted = nil
	if l.epochFixed {
		p.send(Message{Type: MsgLeaderInfo, To: h.sid, Zxid: MakeZxid(l.epoch, 0)})
		return
	}
	if h.acceptedEpoch >= l.epoch {
		l.epoch = h.acceptedEpoch + 1
	}
	if !observer && !containsSid(l.connecting, h.sid) {
		l.connecting = append(l.connecting, h.sid)
	}
	p.tryFixEpoch()
}

// tryFixEpoch ends getEpochToPropose once a quorum, the leader included,
// has connected: the epoch is persisted as acceptedEpoch, then announced.
func (p *Peer) tryFixEpoch() {
	l := p.lead
	if l.epochFixed || !p.cfg.Quorum.ContainsQuorum(l.connecting) {
		return
	}
	l.epochFixed = true
	p.acceptedEpoch = l.epoch
	if !p.has(BugAcceptedEpochNotWritten) {
		p.persist(Op{Kind: OpWriteFile, Name: FileAcceptedEpoch, Data: epochBytes(l.epoch)})
	}
	p.event(Event{Kind: EvEpochFixed, Epoch: l.epoch, Members: sortedCopy(l.connecting)})
	l.deadline = p.ticks + p.limits.init
	for _, h := range l.learnersSorted() {
		p.send(Message{Type: MsgLeaderInfo, To: h.sid, Zxid: MakeZxid(l.epoch, 0)})
	}
	l.electing = []uint64{p.id}
	p.tryEstablish()
}

// ackEpoch is the handler's half of waitForEpochAck.
func (p *Peer) ackEpoch(h *handler, m Message) {
	l := p.lead
	if h.stage != hDiscovery || !l.epochFixed {
		p.dropHandler(h, "ACKEPOCH out of order")
		return
	}
	h.lastZxid, h.currentEpoch = m.Zxid, m.Epoch
	h.stage = hAckedEpoch
	if l.established {
		p.syncLearner(h)
		return
	}
	if m.Epoch != -1 {
		if m.Epoch > int64(p.currentEpoch) || (m.Epoch == int64(p.currentEpoch) && m.Zxid > p.lastProcessed) {
			p.dropHandler(h, fmt.Sprintf("follower is ahead of the leader: epoch %d zxid %s", m.Epoch, m.Zxid))
			return
		}
		if !h.observer && !containsSid(l.electing, h.sid) {
			l.electing = append(l.electing, h.sid)
		}
	}
	p.tryEstablish()
}

// tryEstablish ends waitForEpochAck once a quorum acknowledged the epoch:
// the leader persists currentEpoch and starts synchronizing learners.
func (p *Peer) tryEstablish() {
	l := p.lead
	if l.established || !p.cfg.Quorum.ContainsQuorum(l.electing) {
		return
	}
	l.established = true
	p.currentEpoch = l.epoch
	p.persist(Op{Kind: OpWriteFile, Name: FileCurrentEpoch, Data: epochBytes(l.epoch)})
	l.lastProposed = MakeZxid(l.epoch, 0)
	p.setStatus(Leading, PhaseSync, false)
	p.event(Event{Kind: EvEstablished, Epoch: l.epoch, Zxid: p.lastProcessed, Members: sortedCopy(l.electing)})
	l.deadline = p.ticks + p.limits.init
	for _, h := range l.learnersSorted() {
		if h.stage == hAckedEpoch {
			p.syncLearner(h)
		}
	}
	// The leader acks its own NEWLEADER once currentEpoch is durable.
	p.afterPersist(contSelfNewLeaderAck, 0)
}

// syncLearner is LearnerHandler.syncFollower, startForwarding and the
// NEWLEADER that follows them.
func (p *Peer) syncLearner(h *handler) {
	l := p.lead
	peerZxid := h.lastZxid
	newEpochZxid := peerZxid.Counter() == 0
	committed := p.committedLog()
	minC, maxC := p.lastProcessed, p.lastProcessed
	if n := len(committed); n > 0 {
		minC, maxC = committed[0].Zxid, committed[n-1].Zxid
	}
	var q []Message
	needSnap, needOp := true, true
	current := peerZxid
	switch {
	case p.lastProcessed == peerZxid:
		q = append(q, Message{Type: MsgDiff, Zxid: peerZxid})
		needSnap, needOp = false, false
	case peerZxid > maxC && !newEpochZxid:
		q = append(q, Message{Type: MsgTrunc, Zxid: maxC})
		current = maxC
		needSnap, needOp = false, false
	case maxC >= peerZxid && minC <= peerZxid && p.has(BugDiffWithoutTrunc):
		current, q = diffAbove(committed, peerZxid, maxC, q)
		needSnap, needOp = false, false
	case maxC >= peerZxid && minC <= peerZxid:
		current, needOp, q = queueCommitted(committed, peerZxid, maxC, q)
		needSnap = false
	case peerZxid < minC:
		// The on-disk log reaches further back than the committedLog.
		if from := p.logIndexAfter(peerZxid); from >= 0 && len(p.disk)-from <= p.cfg.TxnLogSyncMax {
			current, needOp, q = queueCommitted(p.disk[max(from-1, 0):], peerZxid, maxC, q)
			needSnap = false
		}
	}
	if needOp && !needSnap {
		needSnap = true
	}
	if needSnap {
		q = append(q[:0], Message{Type: MsgSnap, Zxid: p.lastProcessed, Data: p.app.Snapshot()})
		current = p.lastProcessed
	}
	for _, m := range q {
		m.To = h.sid
		p.send(m)
		if m.Type == MsgDiff || m.Type == MsgTrunc || m.Type == MsgSnap {
			p.event(Event{Kind: EvSynced, From: h.sid, Zxid: m.Zxid, Text: m.Type.String()})
		}
	}
	// startForwarding: queue what was proposed after the sync point.
	if l.lastProposed > current && !h.observer {
		for _, pr := range l.outstanding {
			if pr.entry.Zxid > current {
				p.sendProposal(h, pr.entry)
			}
		}
	}
	p.send(Message{Type: MsgNewLeader, To: h.sid, Zxid: MakeZxid(l.epoch, 0)})
	h.stage = hSyncing
}

// logIndexAfter finds where in the retained log the entries after z begin,
// or -1 if the log does not contain z (or reach back to it).
func (p *Peer) logIndexAfter(z Zxid) int {
	for i, e := range p.disk {
		if e.Zxid == z {
			return i + 1
		}
		if e.Zxid > z {
			return -1
		}
	}
	return -1
}

// queueCommitted is queueCommittedProposals: DIFF, or TRUNC to the
// previous proposal, then PROPOSAL+COMMIT pairs. A TRUNC that would cross
// an epoch boundary is refused; needOp then stays true and the caller
// falls back to SNAP.
func queueCommitted(log []Entry, peerZxid, lastCommitted Zxid, q []Message) (Zxid, bool, []Message) {
	newEpochZxid := peerZxid.Counter() == 0
	queued := peerZxid
	var prev Zxid
	needOp := true
	for _, e := range log {
		z := e.Zxid
		if z > lastCommitted {
			break
		}
		if z < peerZxid {
			prev = z
			continue
		}
		if needOp {
			if z == peerZxid {
				q = append(q, Message{Type: MsgDiff, Zxid: lastCommitted})
				needOp = false
				continue
			}
			if newEpochZxid {
				q = append(q, Message{Type: MsgDiff, Zxid: lastCommitted})
				needOp = false
			} else if z > peerZxid {
				if z.Epoch() != peerZxid.Epoch() {
					return queued, true, q
				}
				q = append(q, Message{Type: MsgTrunc, Zxid: prev})
				needOp = false
			}
		}
		if z <= queued {
			continue
		}
		q = append(q, Message{Type: MsgProposal, Zxid: z, Data: e.Txn}, Message{Type: MsgCommit, Zxid: z})
		queued = z
	}
	if needOp && newEpochZxid {
		q = append(q, Message{Type: MsgDiff, Zxid: lastCommitted})
		needOp = false
	}
	return queued, needOp, q
}

// diffAbove is LearnerHandler's sync before ZOOKEEPER-1154: DIFF, then
// every committed entry above the learner's zxid, without asking whether
// the learner's own last entry is one of the leader's.
func diffAbove(log []Entry, peerZxid, lastCommitted Zxid, q []Message) (Zxid, []Message) {
	q = append(q, Message{Type: MsgDiff, Zxid: lastCommitted})
	queued := peerZxid
	for _, e := range log {
		if e.Zxid > peerZxid && e.Zxid <= lastCommitted {
			q = append(q, Message{Type: MsgProposal, Zxid: e.Zxid, Data: e.Txn}, Message{Type: MsgCommit, Zxid: e.Zxid})
			queued = e.Zxid
		}
	}
	return queued, q
}

// newLeaderAck is the first packet after NEWLEADER: it must be an ACK, and
// counts only if it names the new epoch (ZOOKEEPER-4685).
func (p *Peer) newLeaderAck(h *handler, z Zxid) {
	h.stage = hWaitUp
	h.deadline = p.lead.tick + uint64(p.cfg.SyncLimit)
	if z != MakeZxid(p.lead.epoch, 0) {
		p.anomaly("NEWLEADER ACK from %d is %s, from a different epoch", h.sid, z)
	} else {
		p.event(Event{Kind: EvNewLeaderAck, From: h.sid, Zxid: z})
		p.countNewLeaderAck(h.sid)
	}
	if p.phase == PhaseBroadcast && h.stage == hWaitUp {
		p.upToDate(h)
	}
}

func (p *Peer) countNewLeaderAck(sid uint64) {
	l := p.lead
	if p.phase == PhaseBroadcast || containsSid(l.newLeaderAcks, sid) {
		return
	}
	l.newLeaderAcks = append(l.newLeaderAcks, sid)
	if p.cfg.Quorum.ContainsQuorum(l.newLeaderAcks) {
		p.startBroadcast()
	}
}

// startBroadcast is startZkServer: the epoch is established and the
// leader serves.
func (p *Peer) startBroadcast() {
	l := p.lead
	z := MakeZxid(l.epoch, 0)
	l.lastCommitted = z
	p.lastProcessed = z
	p.updateElectionVote(l.epoch)
	l.tick = 0
	l.nextWake = p.ticks + max(p.limits.tickTime/2, 1)
	p.event(Event{Kind: EvBroadcast, Epoch: l.epoch, Members: sortedCopy(l.newLeaderAcks)})
	p.setStatus(Leading, PhaseBroadcast, true)
	for _, h := range l.learnersSorted() {
		if h.stage == hWaitUp {
			p.upToDate(h)
		}
	}
}

func (p *Peer) upToDate(h *handler) {
	p.send(Message{Type: MsgUpToDate, To: h.sid})
	h.stage = hSynced
}

// NextZxid is the zxid the next proposal must carry.
func (p *Peer) NextZxid() (Zxid, error) {
	if p.lead == nil || p.phase != PhaseBroadcast || p.halted {
		return 0, ErrNotLeader
	}
	return p.lead.lastProposed + 1, nil
}

// Propose broadcasts a transaction with the zxid NextZxid returned. When
// the counter would reach 0xffffffff the leader gives up its epoch, as
// ZOOKEEPER-1277 made it do.
func (p *Peer) Propose(z Zxid, txn []byte) error {
	next, err := p.NextZxid()
	if err != nil {
		return err
	}
	if z != next {
		return fmt.Errorf("%w: got %s, next is %s", ErrZxidMismatch, z, next)
	}
	if z.Counter() == 0xffffffff {
		p.startLooking("zxid lower 32 bits have rolled over")
		return ErrNotLeader
	}
	l := p.lead
	e := Entry{Zxid: z, Txn: txn}
	l.lastProposed = z
	pr := &proposal{entry: e}
	pr.acks = pr.ackBuf[:0]
	l.outstanding = append(l.outstanding, pr)
	p.event(Event{Kind: EvProposed, Zxid: z, Txn: txn})
	for _, h := range l.learnersSorted() {
		if !h.observer && h.stage >= hSyncing {
			p.sendProposal(h, e)
		}
	}
	p.appendLog(e)
	p.afterPersist(contSelfAck, z)
	p.maybeSnapshot()
	return nil
}

func (p *Peer) sendProposal(h *handler, e Entry) {
	p.send(Message{Type: MsgProposal, To: h.sid, Zxid: e.Zxid, Data: e.Txn})
	h.unacked = append(h.unacked, sentProposal{zxid: e.Zxid, at: p.ticks})
}

// processAck counts an ACK (h nil: the leader's own) and commits strictly
// in zxid order.
func (p *Peer) processAck(h *handler, z Zxid) {
	l := p.lead
	sid := p.id
	if h != nil {
		sid = h.sid
		n := 0
		for n < len(h.unacked) && h.unacked[n].zxid <= z {
			n++
		}
		h.unacked = popFront(h.unacked, n)
	}
	if z.Counter() == 0 || len(l.outstanding) == 0 || l.lastCommitted >= z {
		return
	}
	i := sort.Search(len(l.outstanding), func(i int) bool { return l.outstanding[i].entry.Zxid >= z })
	if i == len(l.outstanding) || l.outstanding[i].entry.Zxid != z {
		p.anomaly("ACK of unknown proposal %s from %d", z, sid)
		return
	}
	pr := l.outstanding[i]
	if !containsSid(pr.acks, sid) {
		pr.acks = append(pr.acks, sid)
	}
	p.event(Event{Kind: EvAckCounted, From: sid, Zxid: z})
	if !p.cfg.Quorum.ContainsQuorum(pr.acks) || (i != 0 && !p.has(BugCommitOutOfOrder)) {
		return // no quorum yet, or zxid-1 is still outstanding
	}
	p.commit(i)
}

// commit commits the i-th outstanding proposal: the oldest, unless a
// mistake jumps the queue.
func (p *Peer) commit(i int) {
	l := p.lead
	pr := l.outstanding[i]
	if i == 0 {
		l.outstanding = popFront(l.outstanding, 1)
	} else {
		l.outstanding = slices.Delete(l.outstanding, i, i+1)
	}
	z := pr.entry.Zxid
	l.lastCommitted = z
	p.event(Event{Kind: EvCommitted, Zxid: z, Members: sortedCopy(pr.acks), Txn: pr.entry.Txn})
	for _, h := range l.learnersSorted() {
		if h.stage < hSyncing {
			continue
		}
		if h.observer {
			p.send(Message{Type: MsgInform, To: h.sid, Zxid: z, Data: pr.entry.Txn})
		} else {
			p.send(Message{Type: MsgCommit, To: h.sid, Zxid: z})
		}
	}
	p.apply(pr.entry)
}

// dropHandler ends a LearnerHandler and closes its connection.
func (p *Peer) dropHandler(h *handler, why string) {
	p.event(Event{Kind: EvDropped, From: h.sid, Text: "learner dropped: " + why})
	delete(p.lead.learners, h.sid)
	p.lead.sorted = nil
	p.send(Message{Type: MsgReset, To: h.sid})
}

func (p *Peer) tickLeader() {
	l := p.lead
	if p.phase != PhaseBroadcast {
		if p.ticks >= l.deadline {
			what := "epoch"
			switch {
			case l.established:
				what = "NEWLEADER"
			case l.epochFixed:
				what = "ACKEPOCH"
			}
			p.startLooking("timeout waiting for " + what + " quorum")
		}
		return
	}
	if p.ticks < l.nextWake {
		return
	}
	l.nextWake = p.ticks + max(p.limits.tickTime/2, 1)
	if !l.tickSkip {
		l.tick++
		synced := []uint64{p.id}
		for _, h := range l.learnersSorted() {
			if l.tick <= h.deadline {
				synced = append(synced, h.sid)
			}
		}
		if !p.cfg.Quorum.ContainsQuorum(synced) && !p.has(BugLeaderNeverStepsDown) {
			p.startLooking(fmt.Sprintf("not sufficient followers synced, only synced with %v", synced))
			return
		}
	}
	l.tickSkip = !l.tickSkip
	for _, h := range l.learnersSorted() {
		if h.stage < hSyncing {
			continue
		}
		if len(h.unacked) > 0 && p.ticks-h.unacked[0].at > p.limits.sync {
			p.dropHandler(h, "transaction timeout")
			continue
		}
		p.send(Message{Type: MsgPing, To: h.sid, Zxid: l.lastProposed})
	}
}

// SendApp sends the layer above's payload to another peer on the quorum
// connection, in order with the Zab stream: a learner to its leader once
// synced, a leader to a synced learner. It reports whether it was sent.
func (p *Peer) SendApp(to uint64, data []byte) bool {
	switch {
	case p.halted:
		return false
	case p.lead != nil:
		h := p.lead.learners[to]
		if h == nil || h.stage != hSynced {
			return false
		}
	case p.lrn != nil:
		if to != p.lrn.leader || p.phase != PhaseBroadcast {
			return false
		}
	default:
		return false
	}
	p.send(Message{Type: MsgApp, To: to, Data: data})
	return true
}

// LastProposed and LastCommitted are the leader's counters (0 elsewhere).
func (p *Peer) LastProposed() Zxid {
	if p.lead == nil {
		return 0
	}
	return p.lead.lastProposed
}

func (p *Peer) LastCommitted() Zxid {
	if p.lead == nil {
		return 0
	}
	return p.lead.lastCommitted
}

// Learners lists the sids of the learners a leader has a synced handler
// for.
func (p *Peer) Learners() []uint64 {
	if p.lead == nil {
		return nil
	}
	var out []uint64
	for _, h := range p.lead.learnersSorted() {
		if h.stage == hSynced {
			out = append(out, h.sid)
		}
	}
	return out
}

func sortedCopy(s []uint64) []uint64 {
	out := append([]uint64(nil), s...)
	slices.Sort(out)
	return out
}

// popFrontShift is the longest remainder popFront moves to the front.
const popFrontShift = 32

// popFront drops the first n items of a FIFO queue. A short remainder is
// moved to the front, so the queue keeps its backing array and a steady
// stream of appends and pops allocates nothing (reslicing from the front
// would shrink the capacity until every append reallocates); a long one
// is resliced, which keeps each pop cheap.
func popFront[T any](q []T, n int) []T {
	rest := len(q) - n
	if rest > popFrontShift {
		clear(q[:n])
		return q[n:]
	}
	copy(q, q[n:])
	clear(q[rest:])
	return q[:rest]
}
