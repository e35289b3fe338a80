package protocol

// learner is Learner.java with Follower and Observer: registration,
// syncWithLeader and the broadcast loop.
type learner struct {
	leader   uint64
	observer bool
	epoch    uint32 // the leader's new epoch, once LEADERINFO arrived
	stage    learnerStage
	// deadline is the socket read timeout: initLimit until NEWLEADER,
	// syncLimit after. connectBy bounds the registration retries.
	deadline  uint64
	connectBy uint64
	retryAt   uint64 // 0: no retry pending

	mode           MsgType // DIFF, TRUNC or SNAP
	snapshotNeeded bool
	writeToTxnLog  bool
	newLeaderSeen  bool
	notLogged      []Entry // packetsNotLogged
	committedZxids []Zxid  // packetsCommitted
	lastQueued     Zxid
	pending        []Entry // pendingTxns: logged, awaiting COMMIT
}

type learnerStage uint8

const (
	lConnecting learnerStage = iota + 1 // FOLLOWERINFO sent
	lAwaitSync                          // ACKEPOCH sent
	lSyncing                            // in syncWithLeader's loop
	lBroadcast                          // after UPTODATE
)

func (p *Peer) startLearning(leader uint64, state ServerState) {
	p.lead = nil
	p.lrn = &learner{
		leader:    leader,
		observer:  state == Observing,
		stage:     lConnecting,
		deadline:  p.ticks + p.limits.init,
		connectBy: p.ticks + p.limits.init,
	}
	p.setStatus(state, PhaseDiscovery, false)
	p.register()
}

// register sends FOLLOWERINFO (OBSERVERINFO) with the accepted epoch.
func (p *Peer) register() {
	t := MsgFollowerInfo
	if p.lrn.observer {
		t = MsgObserverInfo
	}
	p.event(Event{Kind: EvLookingMemDisk, Zxid: p.lastProcessed, Durable: p.LastLogged(), Text: "registering"})
	p.send(Message{Type: t, To: p.lrn.leader, Zxid: MakeZxid(p.acceptedEpoch, 0)})
}

func (p *Peer) tickLearner() {
	l := p.lrn
	if l.stage == lConnecting && l.retryAt != 0 && p.ticks >= l.retryAt {
		l.retryAt = 0
		p.register()
		return
	}
	if p.ticks >= l.deadline {
		p.startLooking("no packet from the leader within the read timeout")
	}
}

func (p *Peer) stepLearner(m Message) {
	l := p.lrn
	if m.From != l.leader {
		if m.Type == MsgFollowerInfo || m.Type == MsgObserverInfo {
			p.send(Message{Type: MsgReset, To: m.From})
			return
		}
		if m.Type != MsgReset {
			p.dropped(m, "not from the leader")
		}
		return
	}
	if m.Type == MsgReset {
		if l.stage == lConnecting && p.ticks+p.limits.connectRetry < l.connectBy {
			// Connection refused: the leader is not leading yet. Retry.
			l.retryAt = p.ticks + p.limits.connectRetry
			return
		}
		p.startLooking("leader closed the connection")
		return
	}
	if l.newLeaderSeen {
		l.deadline = p.ticks + p.limits.sync
	} else {
		l.deadline = p.ticks + p.limits.init
	}
	switch l.stage {
	case lConnecting:
		p.learnerLeaderInfo(m)
	case lAwaitSync:
		p.learnerSyncStart(m)
	case lSyncing:
		p.learnerSyncing(m)
	case lBroadcast:
		p.learnerBroadcast(m)
	}
}

// learnerLeaderInfo is registerWithLeader's answer to LEADERINFO.
func (p *Peer) learnerLeaderInfo(m Message) {
	l := p.lrn
	if m.Type != MsgLeaderInfo {
		p.startLooking("first packet from the leader is " + m.Type.String() + ", not LEADERINFO")
		return
	}
	newEpoch := m.Zxid.Epoch()
	ack := Message{Type: MsgAckEpoch, To: l.leader, Zxid: p.lastProcessed, Epoch: int64(p.currentEpoch)}
	switch {
	case newEpoch > p.acceptedEpoch:
		p.acceptedEpoch = newEpoch
		if !p.has(BugAcceptedEpochNotWritten) {
			p.persist(Op{Kind: OpWriteFile, Name: FileAcceptedEpoch, Data: epochBytes(newEpoch)})
		}
	case newEpoch == p.acceptedEpoch:
		ack.Epoch = -1
	default:
		p.startLooking("leader's epoch is less than our accepted epoch")
		return
	}
	l.epoch = newEpoch
	l.stage = lAwaitSync
	l.retryAt = 0
	p.send(ack)
	p.setStatus(p.state, PhaseSync, false)
}

// learnerSyncStart handles the first sync packet: DIFF, SNAP or TRUNC.
func (p *Peer) learnerSyncStart(m Message) {
	l := p.lrn
	switch m.Type {
	case MsgDiff:
		l.snapshotNeeded = false
		if p.has(BugDiffZxidBeforeApply) {
			// Before ZOOKEEPER-2355's fix: the database claims the DIFF's
			// zxid before a single streamed transaction is applied.
			p.lastProcessed = m.Zxid
		}
	case MsgSnap:
		if err := p.app.Restore(m.Zxid, m.Data); err != nil {
			p.startLooking("snapshot from the leader does not load: " + err.Error())
			return
		}
		p.event(Event{Kind: EvRestored, Zxid: m.Zxid})
		p.lastProcessed = m.Zxid
		p.committed = p.committed[:0]
		l.snapshotNeeded = true
	case MsgTrunc:
		if !p.truncateLog(m.Zxid) {
			p.fatal("not able to truncate the log to %s", m.Zxid)
			return
		}
		p.lastProcessed = m.Zxid
		l.snapshotNeeded = true
	default:
		p.fatal("got unexpected packet from leader: %s", m)
		return
	}
	l.mode = m.Type
	l.writeToTxnLog = !l.snapshotNeeded
	l.stage = lSyncing
	p.event(Event{Kind: EvSynced, From: l.leader, Zxid: m.Zxid, Text: m.Type.String()})
}

// learnerSyncing is syncWithLeader's loop, in the order ZooKeeper runs it
// after the fixes for ZOOKEEPER-3911, 4394, 4643, 4646 and 4785.
func (p *Peer) learnerSyncing(m Message) {
	l := p.lrn
	switch m.Type {
	case MsgProposal:
		if l.lastQueued != 0 && m.Zxid != l.lastQueued+1 && m.Zxid.Epoch() <= l.lastQueued.Epoch() {
			p.anomaly("DIFF sync got proposal %s, last queued %s", m.Zxid, l.lastQueued)
			p.startLooking("non-continuous proposal in sync")
			return
		}
		l.lastQueued = m.Zxid
		l.notLogged = append(l.notLogged, Entry{Zxid: m.Zxid, Txn: m.Data})
	case MsgCommit:
		if len(l.notLogged) == 0 {
			p.anomaly("COMMIT %s in sync with no proposal", m.Zxid)
			p.startLooking("commit without proposal in sync")
			return
		}
		if !l.writeToTxnLog {
			if l.notLogged[0].Zxid != m.Zxid {
				p.dropped(m, "next proposal is "+l.notLogged[0].Zxid.String())
				return
			}
			p.applySynced(l.notLogged[0])
			l.notLogged = l.notLogged[1:]
			return
		}
		l.committedZxids = append(l.committedZxids, m.Zxid)
	case MsgInform:
		e := Entry{Zxid: m.Zxid, Txn: m.Data}
		if !l.writeToTxnLog {
			p.applySynced(e)
			return
		}
		l.notLogged = append(l.notLogged, e)
		l.committedZxids = append(l.committedZxids, m.Zxid)
	case MsgNewLeader:
		p.learnerNewLeader(m)
	case MsgUpToDate:
		if !l.newLeaderSeen {
			p.anomaly("UPTODATE before NEWLEADER")
			p.startLooking("UPTODATE before NEWLEADER")
			return
		}
		p.learnerUpToDate()
	case MsgPing:
		// Not answered until the loop ends, as in Learner.syncWithLeader.
	default:
		p.anomaly("%s during sync", m.Type)
	}
}

// learnerNewLeader persists the synced history, then currentEpoch, then
// ACKs: each a separate storage step, so a crash can fall between them.
func (p *Peer) learnerNewLeader(m Message) {
	l := p.lrn
	if l.newLeaderSeen {
		p.anomaly("second NEWLEADER")
		return
	}
	l.newLeaderSeen = true
	marker := !p.has(BugNoUpdatingEpochMarker)
	if marker {
		p.persist(Op{Kind: OpWriteFile, Name: FileUpdatingEpoch})
	}
	if l.snapshotNeeded {
		p.takeSnapshot()
		if l.mode == MsgSnap && !p.has(BugSnapKeepsLogTail) {
			// The log above the snapshot belongs to an abandoned history;
			// replaying it after a restart is ZOOKEEPER-2832.
			p.disk, p.diskBase, p.lastLogged = nil, 0, 0
			p.persist(Op{Kind: OpTruncate, Keep: 0})
		}
	}
	l.writeToTxnLog = true
	if p.has(BugEpochBeforeHistory) {
		p.currentEpoch = l.epoch
		p.persist(Op{Kind: OpWriteFile, Name: FileCurrentEpoch, Data: epochBytes(l.epoch)})
		if marker {
			p.persist(Op{Kind: OpRemoveFile, Name: FileUpdatingEpoch})
			marker = false
		}
	}
	// Before ZOOKEEPER-4394's fix, a follower handed everything of the
	// sync to the log writer here; the writer ACKs each once logged.
	var handedOver []Entry
	if !l.observer && (p.has(BugNewLeaderClearsPending) || p.has(BugProposalAckFirst)) {
		handedOver, l.notLogged = l.notLogged, nil
	}
	if p.has(BugProposalAckFirst) {
		for _, e := range handedOver {
			p.logProposal(e)
		}
		handedOver = nil
	}
	if !l.observer && len(l.committedZxids) > 0 && !p.has(BugNewLeaderAckBeforeDiff) && !p.has(BugNewLeaderClearsPending) && !p.has(BugProposalAckFirst) {
		for _, z := range l.committedZxids {
			if len(l.notLogged) == 0 || l.notLogged[0].Zxid != z {
				p.event(Event{Kind: EvDropped, Zxid: z, Text: "committing without a matching proposal"})
				continue
			}
			e := l.notLogged[0]
			l.notLogged = l.notLogged[1:]
			p.appendLog(e)
			p.applySynced(e)
		}
		l.committedZxids = nil
	}
	if p.has(BugNewLeaderAckBeforeFsync) {
		p.unsyncedBatch = true // the ACK leaves before the fsync
	} else {
		p.persist(Op{Kind: OpSync})
	}
	if !p.has(BugEpochBeforeHistory) {
		p.currentEpoch = l.epoch
		p.persist(Op{Kind: OpWriteFile, Name: FileCurrentEpoch, Data: epochBytes(l.epoch)})
	}
	if marker {
		p.persist(Op{Kind: OpRemoveFile, Name: FileUpdatingEpoch})
	}
	l.deadline = p.ticks + p.limits.sync
	p.send(Message{Type: MsgAck, To: l.leader, Zxid: MakeZxid(l.epoch, 0)})
	for _, e := range handedOver {
		p.logProposal(e)
	}
}

// learnerUpToDate ends the sync: the learner serves, then logs what came
// in during the sync (ACKed once durable) and commits what was committed.
func (p *Peer) learnerUpToDate() {
	l := p.lrn
	l.stage = lBroadcast
	p.send(Message{Type: MsgAck, To: l.leader, Zxid: MakeZxid(l.epoch, 0)})
	p.updateElectionVote(l.epoch)
	p.setStatus(p.state, PhaseBroadcast, true)
	if l.observer {
		for _, e := range l.notLogged {
			if len(l.committedZxids) == 0 || l.committedZxids[0] != e.Zxid {
				continue
			}
			l.committedZxids = l.committedZxids[1:]
			p.appendLog(e)
			p.apply(e)
		}
	} else {
		for _, e := range l.notLogged {
			p.logProposal(e)
		}
		for _, z := range l.committedZxids {
			p.commitFollower(z)
			if p.halted {
				return
			}
		}
	}
	l.notLogged, l.committedZxids = nil, nil
}

// logProposal is FollowerZooKeeperServer.logRequest: append, and ACK once
// the append is durable (the ACK travels in the same Ready, after its
// fsync).
func (p *Peer) logProposal(e Entry) {
	l := p.lrn
	p.appendLog(e)
	l.pending = append(l.pending, e)
	if p.has(BugUncommittedReads) {
		p.apply(e) // at once, not at its COMMIT
	}
	p.send(Message{Type: MsgAck, To: l.leader, Zxid: e.Zxid})
	p.maybeSnapshot()
}

// commitFollower is FollowerZooKeeperServer.commit: the COMMIT must match
// the oldest pending transaction, or the server exits.
func (p *Peer) commitFollower(z Zxid) {
	l := p.lrn
	if len(l.pending) == 0 {
		p.event(Event{Kind: EvDropped, Zxid: z, Text: "committing without seeing txn"})
		return
	}
	if l.pending[0].Zxid != z {
		p.anomaly("committing %s but next pending txn %s", z, l.pending[0].Zxid)
		p.fatal("committing zxid %s but next pending txn %s", z, l.pending[0].Zxid)
		return
	}
	e := l.pending[0]
	l.pending = popFront(l.pending, 1)
	if !p.has(BugUncommittedReads) {
		p.apply(e)
	}
}

func (p *Peer) learnerBroadcast(m Message) {
	l := p.lrn
	switch m.Type {
	case MsgProposal:
		if l.observer {
			p.dropped(m, "observers get INFORM")
			return
		}
		if l.lastQueued != 0 && m.Zxid != l.lastQueued+1 {
			p.event(Event{Kind: EvDropped, Zxid: m.Zxid, Text: "got zxid " + m.Zxid.String() + " expected " + (l.lastQueued + 1).String()})
		}
		l.lastQueued = m.Zxid
		p.logProposal(Entry{Zxid: m.Zxid, Txn: m.Data})
	case MsgCommit:
		p.commitFollower(m.Zxid)
	case MsgInform:
		e := Entry{Zxid: m.Zxid, Txn: m.Data}
		p.appendLog(e)
		p.apply(e)
		p.maybeSnapshot()
	case MsgPing:
		p.send(Message{Type: MsgPing, To: l.leader, Zxid: m.Zxid, Data: p.app.PingData()})
	case MsgApp:
		p.app.Receive(l.leader, m.Data, false)
	default:
		p.anomaly("%s in broadcast", m.Type)
	}
}
