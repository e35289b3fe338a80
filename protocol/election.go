package protocol

// election is Fast Leader Election's state (FastLeaderElection.java's
// lookForLeader), turned inside out: instead of a thread polling a queue,
// notifications arrive through Step and timeouts through Tick.
type election struct {
	round    uint64 // logicalclock: kept across rounds, reset by a restart
	proposal Vote
	recv     ballots // recvset
	outOf    ballots // outofelection
	// finalizing is the finalizeWait after a quorum agreed; deadline is
	// the tick at which the decision is taken.
	finalizing bool
	deadline   uint64
	// notTimeout is the current poll timeout, doubled on every expiry up
	// to MaxNotificationInterval; nextPoll is when it expires.
	notTimeout uint64
	nextPoll   uint64
}

// ballot is one sender's notification as FLE stores it.
type ballot struct {
	vote  Vote
	round uint64
	state ServerState
}

// sameVote is ZooKeeper's Vote.equals: between LOOKING votes everything
// must match; otherwise only leader and peerEpoch (ZOOKEEPER-1805), since
// zxid and round legitimately differ once an ensemble is established.
func sameVote(a, b ballot) bool {
	if a.state == Looking || b.state == Looking {
		return a.vote == b.vote && a.round == b.round
	}
	return a.vote.Leader == b.vote.Leader && a.vote.PeerEpoch == b.vote.PeerEpoch
}

func (p *Peer) isVoter(sid uint64) bool { return p.cfg.Quorum.IsVoter(sid) }

// initVote is the vote a server starts a round with: itself, or, for an
// observer, a vote every voter's beats.
func (p *Peer) initVote() Vote {
	if !p.isVoter(p.id) {
		return Vote{}
	}
	return Vote{Leader: p.id, Zxid: p.lastProcessed, PeerEpoch: p.currentEpoch}
}

// beats is totalOrderPredicate: a candidate that cannot vote never wins.
func (p *Peer) beats(candidate, current Vote) bool {
	if !p.isVoter(candidate.Leader) {
		return false
	}
	switch {
	case p.has(BugVoteOrderNotTotal):
		// The pre-ZOOKEEPER-1419 predicate: the sid tie-break is not
		// guarded by equal epochs.
		return candidate.PeerEpoch > current.PeerEpoch ||
			(candidate.PeerEpoch == current.PeerEpoch && candidate.Zxid > current.Zxid) ||
			(candidate.Zxid == current.Zxid && candidate.Leader > current.Leader)
	case p.has(BugElectionIgnoresZxid):
		if candidate.PeerEpoch != current.PeerEpoch {
			return candidate.PeerEpoch > current.PeerEpoch
		}
		return candidate.Leader > current.Leader
	}
	return VoteGreater(candidate, current)
}

// startLooking enters LOOKING and begins a new round, as QuorumPeer's main
// loop does whenever a role ends.
func (p *Peer) startLooking(why string) {
	if p.lrn != nil {
		p.send(Message{Type: MsgReset, To: p.lrn.leader})
	}
	if p.lead != nil {
		for _, h := range p.lead.learnersSorted() {
			p.send(Message{Type: MsgReset, To: h.sid})
		}
	}
	leaving := p.state != 0 && p.state != Looking
	// A SNAP sync that ends before NEWLEADER persisted nothing: the
	// database goes and is loaded from disk again (ZOOKEEPER-3642).
	partialSnap := p.lrn != nil && p.lrn.mode == MsgSnap && !p.lrn.newLeaderSeen && !p.has(BugPartialSnapKept)
	p.lead, p.lrn = nil, nil
	// The role ends before the retained database is fast-forwarded, as
	// ZooKeeperServer.shutdown stops the request pipeline first: the
	// logged entries it applies may never commit, and no client may be
	// answered for them (found by sim/zk partition seeds 2 and 3).
	p.setStatus(Looking, PhaseElection, false)
	switch {
	case partialSnap:
		p.reload()
	case leaving && !p.has(BugNoFastForward):
		p.fastForward()
	}
	p.event(Event{Kind: EvLookingMemDisk, Zxid: p.lastProcessed, Durable: p.LastLogged(), Text: why})
	el := &p.el
	el.round++
	el.proposal = p.initVote()
	el.recv = nil
	el.outOf = nil
	el.finalizing = false
	el.notTimeout = p.limits.finalize
	el.nextPoll = p.ticks + el.notTimeout
	p.sendNotifications()
}

// sendNotifications sends the proposal to every voter; the copy to itself
// is counted directly, as QuorumCnxManager loops it back.
func (p *Peer) sendNotifications() {
	for _, sid := range p.cfg.Quorum.Voters() {
		if sid == p.id {
			continue
		}
		p.send(Message{Type: MsgNotification, To: sid, State: Looking, Vote: p.el.proposal, Round: p.el.round})
	}
	if p.isVoter(p.id) {
		p.lookingNotification(p.id, ballot{vote: p.el.proposal, round: p.el.round, state: Looking})
	}
}

func (p *Peer) tickElection() {
	el := &p.el
	if el.finalizing {
		if p.ticks >= el.deadline {
			p.decide()
		}
		return
	}
	if p.ticks >= el.nextPoll {
		// Nothing arrived in time: resend and back off.
		el.notTimeout = min(el.notTimeout*2, p.limits.notifyMax)
		el.nextPoll = p.ticks + el.notTimeout
		p.sendNotifications()
	}
}

// stepNotification is WorkerReceiver plus lookForLeader's handling of one
// notification.
func (p *Peer) stepNotification(m Message) {
	n := ballot{vote: m.Vote, round: m.Round, state: m.State}
	if !p.isVoter(m.From) {
		// An observer learns the current vote of whoever it asks.
		p.send(Message{Type: MsgNotification, To: m.From, State: p.state, Vote: p.currentVote, Round: p.el.round})
		return
	}
	if p.state != Looking {
		if m.State == Looking {
			p.send(Message{Type: MsgNotification, To: m.From, State: p.state, Vote: p.currentVote, Round: p.voteRound})
		}
		return
	}
	if m.State == Looking && m.Round < p.el.round {
		// A laggard: tell it the current round so it catches up.
		p.send(Message{Type: MsgNotification, To: m.From, State: Looking, Vote: p.el.proposal, Round: p.el.round})
	}
	el := &p.el
	if !el.finalizing {
		el.nextPoll = p.ticks + el.notTimeout
	}
	if el.finalizing {
		if !p.beats(n.vote, el.proposal) {
			// Consumed by the finalize poll, which then waits again.
			el.deadline = p.ticks + p.limits.finalize
			return
		}
		el.finalizing = false
	}
	if !p.isVoter(n.vote.Leader) {
		return
	}
	switch m.State {
	case Looking:
		p.lookingNotification(m.From, n)
	case Following, Leading:
		p.establishedNotification(m.From, n)
	}
}

func (p *Peer) lookingNotification(from uint64, n ballot) {
	el := &p.el
	switch {
	case n.round > el.round:
		el.round = n.round
		el.recv = nil
		if p.beats(n.vote, p.initVote()) {
			el.proposal = n.vote
		} else {
			el.proposal = p.initVote()
		}
		p.sendNotifications()
	case n.round < el.round:
		return
	case p.beats(n.vote, el.proposal):
		el.proposal = n.vote
		p.sendNotifications()
	}
	if p.state != Looking {
		return // the notification to self above decided
	}
	el.recv.set(from, n)
	mine := ballot{vote: el.proposal, round: el.round, state: Looking}
	if !el.finalizing && p.cfg.Quorum.ContainsQuorum(agreeing(el.recv, mine)) {
		el.finalizing = true
		el.deadline = p.ticks + p.limits.finalize
	}
}

// establishedNotification is receivedFollowingNotification: votes from
// servers that already follow or lead, which let a server join an
// established ensemble.
func (p *Peer) establishedNotification(from uint64, n ballot) {
	el := &p.el
	if n.round == el.round {
		el.recv.set(from, n)
		if p.cfg.Quorum.ContainsQuorum(agreeing(el.recv, n)) && p.checkLeader(el.recv, n.vote.Leader, n.round) {
			p.finish(n.vote, n.round, agreeing(el.recv, n))
			return
		}
	}
	el.outOf.set(from, n)
	if p.cfg.Quorum.ContainsQuorum(agreeing(el.outOf, n)) && p.checkLeader(el.outOf, n.vote.Leader, n.round) {
		el.round = n.round
		p.finish(n.vote, n.round, agreeing(el.outOf, n))
	}
}

// checkLeader stops a server from following a leader that is gone: it
// must have heard the leader itself say LEADING, or be the leader in the
// same round.
func (p *Peer) checkLeader(votes ballots, leader uint64, round uint64) bool {
	if leader != p.id {
		b, ok := votes.get(leader)
		return ok && b.state == Leading
	}
	return p.el.round == round
}

// agreeing lists, in ascending order, the senders whose vote equals v.
func agreeing(votes ballots, v ballot) []uint64 {
	var out []uint64
	for _, e := range votes {
		if sameVote(e.b, v) {
			out = append(out, e.sid)
		}
	}
	return out
}

// decide ends the finalize wait with nothing better heard.
func (p *Peer) decide() {
	el := &p.el
	mine := ballot{vote: el.proposal, round: el.round, state: Looking}
	p.finish(el.proposal, el.round, agreeing(el.recv, mine))
}

// finish leaves LOOKING for the role the vote gives this server.
func (p *Peer) finish(v Vote, round uint64, members []uint64) {
	p.currentVote, p.voteRound = v, round
	p.el.finalizing = false
	p.event(Event{Kind: EvElected, From: v.Leader, Epoch: v.PeerEpoch, Zxid: v.Zxid, Members: members})
	switch {
	case v.Leader == p.id:
		p.startLeading()
	case p.isVoter(p.id):
		p.startLearning(v.Leader, Following)
	default:
		p.startLearning(v.Leader, Observing)
	}
}

// updateElectionVote makes late joiners see the new epoch (ZOOKEEPER-1732).
func (p *Peer) updateElectionVote(epoch uint32) {
	p.currentVote.PeerEpoch = epoch
}

// Finalizing reports whether a LOOKING peer is in FLE's finalize wait: a
// quorum agrees and a timeout would decide.
func (p *Peer) Finalizing() bool { return p.state == Looking && p.el.finalizing }
