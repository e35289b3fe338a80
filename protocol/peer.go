package protocol

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// App is the replicated state machine above Zab: the server layer with its
// tree and sessions. The peer calls it synchronously, in the one goroutine
// that drives the peer, so the composition stays deterministic.
type App interface {
	// Apply applies a transaction: a committed one, or, while recovering
	// from disk or fast-forwarding the retained database, a logged one.
	Apply(zxid Zxid, txn []byte)
	// Snapshot serializes the state as of the last applied zxid.
	Snapshot() []byte
	// Restore replaces the whole state with a snapshot taken at zxid; nil
	// data means the empty state.
	Restore(zxid Zxid, data []byte) error
	// PingData is what a learner piggybacks on its reply to the leader's
	// PING: ZooKeeper sends its session touch table.
	PingData() []byte
	// Receive hands over the payload of another peer's APP message, or the
	// data of a learner's PING reply (ping is then true).
	Receive(from uint64, data []byte, ping bool)
	// StatusChanged reports a change of role or of serving state.
	StatusChanged(Status)
}

// Phase is Zab's phase (ZabState in ZooKeeper).
type Phase uint8

const (
	PhaseElection Phase = iota + 1
	PhaseDiscovery
	PhaseSync
	PhaseBroadcast
)

func (p Phase) String() string {
	switch p {
	case PhaseElection:
		return "ELECTION"
	case PhaseDiscovery:
		return "DISCOVERY"
	case PhaseSync:
		return "SYNCHRONIZATION"
	case PhaseBroadcast:
		return "BROADCAST"
	}
	return fmt.Sprintf("PHASE(%d)", uint8(p))
}

// Status is a peer's role as the layer above sees it.
type Status struct {
	State  ServerState
	Phase  Phase
	Leader uint64 // the leader followed or led; 0 while looking
	Epoch  uint32 // the epoch being established or served
	// Serving is true once the server may answer clients: a leader after
	// its NEWLEADER quorum, a learner after UPTODATE.
	Serving bool
}

func (s Status) String() string {
	out := fmt.Sprintf("%s/%s", s.State, s.Phase)
	if s.Leader != 0 {
		out += fmt.Sprintf(" leader=%d epoch=%d", s.Leader, s.Epoch)
	}
	if s.Serving {
		out += " serving"
	}
	return out
}

// Bug names a known protocol mistake that a configuration can switch on,
// so that checkers can be shown to catch it (see bugs.go).
type Bug string

// Config fixes a peer's identity, ensemble and timing. Durations are
// converted to ticks of length Tick, the interval at which the host calls
// Tick.
type Config struct {
	ID        uint64
	Quorum    *QuorumVerifier
	Observers []uint64
	// Tick is how often the host calls Tick. TickTime is ZooKeeper's
	// tickTime, the unit of InitLimit and SyncLimit.
	Tick      time.Duration
	TickTime  time.Duration
	InitLimit int
	SyncLimit int
	// FinalizeWait and MaxNotificationInterval are FLE's 200 ms and 60 s.
	FinalizeWait            time.Duration
	MaxNotificationInterval time.Duration
	// ConnectRetry is the pause between attempts to reach the leader
	// (leaderConnectDelayDuringRetryMs).
	ConnectRetry time.Duration
	// CommittedLogMax is the size of the in-memory committedLog window used
	// for DIFF (ZooKeeper: 500).
	CommittedLogMax int
	// TxnLogSyncMax bounds how many logged entries beyond the committedLog
	// window a leader sends as a DIFF before falling back to SNAP.
	TxnLogSyncMax int
	// SnapCount is the number of logged entries after which a snapshot is
	// taken (ZooKeeper's snapCount, without its random half).
	SnapCount int
	// SnapRetain is how many snapshots are kept (snapRetainCount).
	SnapRetain int
	// Bugs switches on known protocol mistakes; empty means faithful.
	Bugs []Bug
	App  App
}

// DefaultConfig returns ZooKeeper's defaults for everything but identity,
// ensemble and App.
func DefaultConfig() Config {
	return Config{
		Tick:                    50 * time.Millisecond,
		TickTime:                2000 * time.Millisecond,
		InitLimit:               10,
		SyncLimit:               5,
		FinalizeWait:            200 * time.Millisecond,
		MaxNotificationInterval: 60 * time.Second,
		ConnectRetry:            100 * time.Millisecond,
		CommittedLogMax:         500,
		TxnLogSyncMax:           5000,
		SnapCount:               100000,
		SnapRetain:              3,
	}
}

// Errors a caller can test for.
var (
	ErrConfig = errors.New("protocol: invalid configuration")
	// ErrRecovery: the durable state cannot be loaded; ZooKeeper refuses
	// to start in the same cases (QuorumPeer.loadDataBase).
	ErrRecovery = errors.New("protocol: cannot recover from disk")
	// ErrNotLeader: Propose on a peer that is not a broadcasting leader.
	ErrNotLeader = errors.New("protocol: not the serving leader")
	// ErrZxidMismatch: Propose with a zxid other than NextZxid.
	ErrZxidMismatch = errors.New("protocol: proposal zxid is not the next one")
)

// Durable file names, as ZooKeeper names them.
const (
	FileAcceptedEpoch = "acceptedEpoch"
	FileCurrentEpoch  = "currentEpoch"
	// FileUpdatingEpoch marks a NEWLEADER whose history is being
	// written before currentEpoch (ZOOKEEPER-2354's fix).
	FileUpdatingEpoch = "updatingEpoch"
	snapshotPrefix    = "snapshot."
)

// SnapshotFile is the file name of a snapshot taken at zxid.
func SnapshotFile(zxid Zxid) string { return snapshotPrefix + strconv.FormatUint(uint64(zxid), 16) }

type snapshot struct {
	zxid Zxid
	data []byte
}

// Peer is one ZooKeeper server's replication core: FLE plus Zab over
// opaque transactions. It is driven by Step, Tick and Propose and emits
// its work through Ready/Advance.
type Peer struct {
	cfg    Config
	id     uint64
	app    App
	ticks  uint64 // Tick calls since start
	limits limits

	// Durable state, mirrored. disk holds the log records from index
	// diskBase on; records before it are below every retained snapshot.
	acceptedEpoch, currentEpoch uint32
	disk                        []Entry
	diskBase                    int
	lastLogged                  Zxid
	snaps                       []snapshot // oldest first
	sinceSnap                   int

	// Volatile state.
	state         ServerState
	phase         Phase
	serving       bool
	lastProcessed Zxid    // the in-memory database's last zxid (votes use it)
	committed     []Entry // ZooKeeper's committedLog window
	currentVote   Vote    // getCurrentVote: the last decided vote
	voteRound     uint64  // its electionEpoch

	el   election
	lead *leader
	lrn  *learner

	// term counts role changes, so work queued for after a persist can
	// tell whether the role it was queued for still holds.
	term   uint64
	out    Ready
	onDone []continuation
	// handed are the Readies handed out and not yet advanced, oldest
	// first, each with the continuations that run on its Advance.
	handed []handedReady
	// unsyncedBatch: the batch being built must not get the group
	// commit's fsync (an injected mistake asked for it).
	unsyncedBatch bool
	// free holds the buffers of advanced Readies for the next batches, so
	// a busy peer does not allocate per batch.
	free   []Ready
	halted bool
}

type limits struct {
	tickTime     uint64 // peer ticks per ZooKeeper tick
	init, sync   uint64 // in peer ticks
	finalize     uint64
	notifyMax    uint64
	connectRetry uint64
}

func ticksOf(d, tick time.Duration) uint64 {
	n := uint64((d + tick - 1) / tick)
	return max(n, 1)
}

func (c *Config) validate() error {
	switch {
	case c.ID == 0:
		return fmt.Errorf("%w: server id 0 (ids start at 1)", ErrConfig)
	case c.Quorum == nil:
		return fmt.Errorf("%w: no quorum verifier", ErrConfig)
	case c.App == nil:
		return fmt.Errorf("%w: no App", ErrConfig)
	case c.Tick <= 0 || c.TickTime < c.Tick:
		return fmt.Errorf("%w: tick %v must be positive and at most tickTime %v", ErrConfig, c.Tick, c.TickTime)
	case c.InitLimit <= 0 || c.SyncLimit <= 0:
		return fmt.Errorf("%w: initLimit %d and syncLimit %d must be positive", ErrConfig, c.InitLimit, c.SyncLimit)
	case c.FinalizeWait <= 0 || c.MaxNotificationInterval < c.FinalizeWait || c.ConnectRetry <= 0:
		return fmt.Errorf("%w: election timing finalizeWait=%v max=%v connectRetry=%v", ErrConfig, c.FinalizeWait, c.MaxNotificationInterval, c.ConnectRetry)
	case c.CommittedLogMax <= 0 || c.SnapCount <= 0 || c.SnapRetain <= 0 || c.TxnLogSyncMax < 0:
		return fmt.Errorf("%w: committedLog %d, snapCount %d, snapRetain %d, txnLogSync %d", ErrConfig, c.CommittedLogMax, c.SnapCount, c.SnapRetain, c.TxnLogSyncMax)
	}
	isObserver := containsSid(c.Observers, c.ID)
	if c.Quorum.IsVoter(c.ID) == isObserver {
		return fmt.Errorf("%w: server %d must be exactly one of voter or observer", ErrConfig, c.ID)
	}
	for _, o := range c.Observers {
		if c.Quorum.IsVoter(o) {
			return fmt.Errorf("%w: server %d is both voter and observer", ErrConfig, o)
		}
	}
	known := map[Bug]bool{}
	for _, b := range KnownBugs() {
		known[b] = true
	}
	for _, b := range c.Bugs {
		if !known[b] {
			return fmt.Errorf("%w: unknown bug %q", ErrConfig, b)
		}
	}
	return nil
}

// New starts a peer from what its host recovered from disk, the way
// QuorumPeer.loadDataBase does: newest valid snapshot, then every logged
// entry above it (committed or not), then the epoch files, with the same
// checks. The peer starts LOOKING.
func New(cfg Config, rec Recovered) (*Peer, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	p := &Peer{cfg: cfg, id: cfg.ID, app: cfg.App}
	if p.has(BugQuorumTooSmall) {
		voters := cfg.Quorum.Voters()
		q, err := NewQuorumSize(voters, max(len(voters)/2, 1))
		if err != nil {
			return nil, err
		}
		p.cfg.Quorum = q
	}
	p.limits = limits{
		tickTime:     ticksOf(cfg.TickTime, cfg.Tick),
		finalize:     ticksOf(cfg.FinalizeWait, cfg.Tick),
		notifyMax:    ticksOf(cfg.MaxNotificationInterval, cfg.Tick),
		connectRetry: ticksOf(cfg.ConnectRetry, cfg.Tick),
	}
	p.limits.init = p.limits.tickTime * uint64(cfg.InitLimit)
	p.limits.sync = p.limits.tickTime * uint64(cfg.SyncLimit)
	if err := p.recover(rec); err != nil {
		return nil, err
	}
	p.startLooking("start")
	return p, nil
}

func (p *Peer) recover(rec Recovered) error {
	for _, r := range rec.Records {
		e, err := UnmarshalEntry(r)
		if err != nil {
			return fmt.Errorf("%w: log record %d: %v", ErrRecovery, len(p.disk), err)
		}
		p.disk = append(p.disk, e)
		p.lastLogged = e.Zxid
	}
	var names []string
	for name := range rec.Files {
		if strings.HasPrefix(name, snapshotPrefix) {
			names = append(names, name)
		}
	}
	for _, name := range names {
		z, err := strconv.ParseUint(strings.TrimPrefix(name, snapshotPrefix), 16, 64)
		if err != nil {
			return fmt.Errorf("%w: snapshot file name %q", ErrRecovery, name)
		}
		p.snaps = append(p.snaps, snapshot{zxid: Zxid(z), data: rec.Files[name]})
	}
	sort.Slice(p.snaps, func(i, j int) bool { return p.snaps[i].zxid < p.snaps[j].zxid })
	// ZooKeeper tries the newest snapshots first and skips invalid ones.
	base := Zxid(0)
	restored := false
	for i := len(p.snaps) - 1; i >= 0 && !restored; i-- {
		if err := p.app.Restore(p.snaps[i].zxid, p.snaps[i].data); err == nil {
			p.event(Event{Kind: EvRestored, Zxid: p.snaps[i].zxid})
			base, restored = p.snaps[i].zxid, true
			p.snaps = p.snaps[:i+1]
		}
	}
	if !restored {
		if len(p.snaps) > 0 {
			return fmt.Errorf("%w: no valid snapshot among %d", ErrRecovery, len(p.snaps))
		}
		if err := p.app.Restore(0, nil); err != nil {
			return fmt.Errorf("%w: empty state: %v", ErrRecovery, err)
		}
		p.event(Event{Kind: EvRestored})
	}
	p.lastProcessed = base
	p.replayLog(base)
	epochOfZxid := p.lastProcessed.Epoch()
	var err error
	if p.currentEpoch, err = readEpoch(rec.Files, FileCurrentEpoch, epochOfZxid, &p.out); err != nil {
		return err
	}
	_, updating := rec.Files[FileUpdatingEpoch]
	if epochOfZxid > p.currentEpoch && updating {
		// The server crashed after writing the synced history of a
		// NEWLEADER and before writing its epoch; the history is the
		// new epoch's, so the epoch is too.
		p.currentEpoch = epochOfZxid
		p.persist(Op{Kind: OpWriteFile, Name: FileCurrentEpoch, Data: epochBytes(epochOfZxid)})
	}
	if updating {
		// ZooKeeper leaves a marker that is not needed; a stale one could
		// later excuse a real inconsistency, so it goes.
		p.persist(Op{Kind: OpRemoveFile, Name: FileUpdatingEpoch})
	}
	if epochOfZxid > p.currentEpoch {
		// ZooKeeper would look for currentEpoch.tmp; an atomic file write
		// never leaves one behind, so the server refuses to start.
		return fmt.Errorf("%w: the current epoch, %d, is older than the last zxid, %s", ErrRecovery, p.currentEpoch, p.lastProcessed)
	}
	if p.acceptedEpoch, err = readEpoch(rec.Files, FileAcceptedEpoch, epochOfZxid, &p.out); err != nil {
		return err
	}
	if p.acceptedEpoch < p.currentEpoch {
		return fmt.Errorf("%w: the accepted epoch, %d, is less than the current epoch, %d", ErrRecovery, p.acceptedEpoch, p.currentEpoch)
	}
	return nil
}

// readEpoch reads an epoch file; a missing one is created with the epoch
// of the last zxid, as ZooKeeper does when upgrading.
func readEpoch(files map[string][]byte, name string, dflt uint32, out *Ready) (uint32, error) {
	b, ok := files[name]
	if !ok {
		out.Persist = append(out.Persist, Op{Kind: OpWriteFile, Name: name, Data: epochBytes(dflt)})
		return dflt, nil
	}
	v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%w: %s holds %q, not an epoch", ErrRecovery, name, b)
	}
	return uint32(v), nil
}

func epochBytes(e uint32) []byte { return []byte(strconv.FormatUint(uint64(e), 10)) }

// ID is the peer's server id.
func (p *Peer) ID() uint64 { return p.id }

// Status is the peer's current role.
func (p *Peer) Status() Status {
	s := Status{State: p.state, Phase: p.phase, Serving: p.serving}
	switch {
	case p.lead != nil:
		s.Leader, s.Epoch = p.id, p.lead.epoch
	case p.lrn != nil:
		s.Leader, s.Epoch = p.lrn.leader, p.lrn.epoch
	}
	return s
}

// LastProcessed is the in-memory database's last zxid, the one votes carry.
func (p *Peer) LastProcessed() Zxid { return p.lastProcessed }

// LastLogged is the zxid of the last entry of the history the peer has
// written (durable or not): its log's last entry, or its newest snapshot
// when that is newer, as after a SNAP sync that emptied the log; 0 when
// it has neither.
func (p *Peer) LastLogged() Zxid {
	if n := len(p.snaps); n > 0 && p.snaps[n-1].zxid > p.lastLogged {
		return p.snaps[n-1].zxid
	}
	return p.lastLogged
}

// Epochs returns acceptedEpoch and currentEpoch as last written.
func (p *Peer) Epochs() (accepted, current uint32) { return p.acceptedEpoch, p.currentEpoch }

// Log returns the entries of the peer's log from absolute record index
// from on, and the number of records before them that are no longer kept
// in memory.
func (p *Peer) Log() (base int, entries []Entry) { return p.diskBase, p.disk }

// Halted reports whether the peer met a fatal condition; it then ignores
// every input.
func (p *Peer) Halted() bool { return p.halted }

// Tick advances the peer's clock by one Config.Tick.
func (p *Peer) Tick() {
	if p.halted {
		return
	}
	p.ticks++
	switch {
	case p.state == Looking:
		p.tickElection()
	case p.lead != nil:
		p.tickLeader()
	case p.lrn != nil:
		p.tickLearner()
	}
}

// Step feeds the peer a message from another peer (or a MsgReset from the
// host). Messages not addressed to this peer are an error of the host.
func (p *Peer) Step(m Message) {
	if p.halted {
		return
	}
	if m.To != p.id {
		panic(fmt.Sprintf("protocol: peer %d stepped a message for %d: %s", p.id, m.To, m))
	}
	if m.Type == MsgNotification {
		p.stepNotification(m)
		return
	}
	if m.Type == MsgReset {
		p.forgetQueued(m.From)
	}
	switch {
	case p.lead != nil:
		p.stepLeader(m)
	case p.lrn != nil:
		p.stepLearner(m)
	default:
		p.stepUnconnected(m)
	}
}

// forgetQueued drops the quorum messages still queued for peer when its
// connection breaks: a socket's unsent bytes die with it. Sent on the
// next connection, they would answer requests it never made: a LEADERINFO
// made for the old connection's FOLLOWERINFO, arriving after the new
// connection's, made the learner exit on an unexpected packet (found by
// the live nemesis after a partition healed, and by the zk-4925 schedule
// in the simulator). The host drops what it already took in a Ready.
func (p *Peer) forgetQueued(peer uint64) {
	kept := p.out.Messages[:0]
	for _, q := range p.out.Messages {
		if q.To == peer && q.Channel() == ChanQuorum && q.Type != MsgReset {
			continue
		}
		kept = append(kept, q)
	}
	p.out.Messages = kept
}

// stepUnconnected answers quorum traffic reaching a peer that neither
// leads nor follows: a learner trying to register is refused, as a closed
// quorum port refuses its TCP connection.
func (p *Peer) stepUnconnected(m Message) {
	switch m.Type {
	case MsgFollowerInfo, MsgObserverInfo:
		p.send(Message{Type: MsgReset, To: m.From})
	case MsgReset:
	default:
		p.dropped(m, "not leading or following")
	}
}

// MaxInflightReadies bounds how many Readies a peer hands out before the
// oldest is advanced. While a host's disk is busy with them, new work
// joins the batch being built instead, so a slow disk means larger
// batches, not an unbounded queue.
const MaxInflightReadies = 16

// handedReady is a Ready handed out and not yet advanced.
type handedReady struct {
	rd   Ready
	done []continuation
}

// HasReady reports whether Ready has work and may be called: up to
// MaxInflightReadies may be outstanding, each until its Advance.
func (p *Peer) HasReady() bool { return len(p.handed) < MaxInflightReadies && !p.out.Empty() }

// Ready hands out the accumulated work. The caller must carry it out
// (a Carrier) and then call Advance; Readies are carried out and advanced
// in the order they were handed out. The Ready's slices are reused after
// its Advance: a host must copy whatever it keeps.
func (p *Peer) Ready() Ready {
	if len(p.handed) >= MaxInflightReadies {
		panic("protocol: Ready called with MaxInflightReadies outstanding")
	}
	// Group commit: one fsync covers every log write of the batch, and
	// the messages after it may depend on them.
	skipSync := p.unsyncedBatch || (p.has(BugAckBeforeFsync) && p.lrn != nil && p.lrn.stage == lBroadcast)
	p.unsyncedBatch = false
	for i := len(p.out.Persist) - 1; i >= 0 && !skipSync; i-- {
		k := p.out.Persist[i].Kind
		if k == OpSync {
			break
		}
		if k == OpAppend || k == OpTruncate {
			p.persist(Op{Kind: OpSync})
			break
		}
	}
	rd := p.out
	p.out = Ready{}
	if n := len(p.free); n > 0 {
		p.out, p.free = p.free[n-1], p.free[:n-1]
	}
	p.handed = append(p.handed, handedReady{rd: rd, done: p.onDone})
	p.onDone = nil
	return rd
}

// Advance tells the peer the oldest outstanding Ready is durable and
// sent. Work that had to wait for it (a leader's own ACK, a follower's
// NEWLEADER ACK after its history and currentEpoch are on disk) happens
// now.
func (p *Peer) Advance() {
	if len(p.handed) == 0 {
		panic("protocol: Advance without an outstanding Ready")
	}
	h := p.handed[0]
	copy(p.handed, p.handed[1:])
	p.handed[len(p.handed)-1] = handedReady{}
	p.handed = p.handed[:len(p.handed)-1]
	clear(h.rd.Persist)
	clear(h.rd.Messages)
	clear(h.rd.Events)
	if len(p.free) < MaxInflightReadies {
		p.free = append(p.free, Ready{Persist: h.rd.Persist[:0], Messages: h.rd.Messages[:0], Early: h.rd.Early[:0], Events: h.rd.Events[:0]})
	}
	for _, c := range h.done {
		if p.halted {
			return
		}
		if c.term != p.term || p.lead == nil {
			continue
		}
		switch c.kind {
		case contSelfAck:
			p.processAck(nil, c.zxid)
		case contSelfNewLeaderAck:
			p.countNewLeaderAck(p.id)
		}
	}
	if p.onDone == nil {
		p.onDone = h.done[:0] // nobody else holds it: reuse its array
	}
}

// continuation is work that waits until everything queued before it is
// durable: a leader's own ACK of its proposal, or of its NEWLEADER once
// currentEpoch is written. It is data rather than a closure so that a peer
// can be digested and cloned.
type continuation struct {
	kind contKind
	term uint64 // the role it was queued for; a later role drops it
	zxid Zxid
}

type contKind uint8

const (
	contSelfAck contKind = iota + 1
	contSelfNewLeaderAck
)

// afterPersist queues a continuation for the current role.
func (p *Peer) afterPersist(kind contKind, z Zxid) {
	p.onDone = append(p.onDone, continuation{kind: kind, term: p.term, zxid: z})
}

func (p *Peer) send(m Message) {
	m.From = p.id
	p.out.Messages = append(p.out.Messages, m)
	p.out.Early = append(p.out.Early, p.early(m))
}

// early reports whether m depends on nothing the peer has yet to make
// durable, so that a host may send it before the Ready's storage work
// (ZooKeeper's leader sends a PROPOSAL before its own log write is
// flushed, and a follower forwards requests from its own thread).
//   - An established leader's messages: its own durability enters the
//     protocol only through its self-ACKs, which are continuations run
//     after the persist. A quorum of ACKs still means a quorum of disks.
//   - A serving learner's forwarded requests (APP), which carry a
//     client's request and nothing of the learner's log.
//
// Everything else (an ACK, an ACKEPOCH, anything of election, discovery
// and sync) waits for the persist, as ZooKeeper's SendAckRequestProcessor
// waits for the flush.
func (p *Peer) early(m Message) bool {
	switch {
	case p.lead != nil:
		return p.lead.established && m.Type != MsgReset
	case p.lrn != nil:
		return p.lrn.stage == lBroadcast && m.Type == MsgApp
	}
	return false
}

func (p *Peer) persist(o Op) { p.out.Persist = append(p.out.Persist, o) }

func (p *Peer) event(e Event) {
	e.Peer = p.id
	p.out.Events = append(p.out.Events, e)
}

func (p *Peer) dropped(m Message, why string) {
	p.event(Event{Kind: EvDropped, From: m.From, Zxid: m.Zxid, Text: m.Type.String() + ": " + why})
}

// anomaly records a branch the TLA+ specifications flag as impossible.
func (p *Peer) anomaly(format string, args ...any) {
	p.event(Event{Kind: EvAnomaly, Text: fmt.Sprintf(format, args...)})
}

// fatal stops the peer as ZooKeeper's System.exit would.
func (p *Peer) fatal(format string, args ...any) {
	p.out.Fatal = fmt.Errorf(format, args...)
	p.halted = true
}

func (p *Peer) setStatus(state ServerState, phase Phase, serving bool) {
	if p.state == state && p.phase == phase && p.serving == serving {
		return
	}
	if p.state != state {
		p.term++
	}
	p.state, p.phase, p.serving = state, phase, serving
	st := p.Status()
	p.event(Event{Kind: EvState, Epoch: st.Epoch, From: st.Leader, Text: st.String()})
	p.app.StatusChanged(st)
}

// apply hands an entry to the state machine and moves lastProcessed.
func (p *Peer) apply(e Entry) {
	p.applyOutsideLog(e)
	p.addCommitted(e)
}

// applySynced applies an entry of a learner's sync stream. Before
// ZOOKEEPER-4925's fix it bypassed the committedLog, leaving a hole that
// a DIFF from this server would later skip over.
func (p *Peer) applySynced(e Entry) {
	if p.has(BugSyncSkipsCommittedLog) {
		p.applyOutsideLog(e)
		return
	}
	p.apply(e)
}

func (p *Peer) applyOutsideLog(e Entry) {
	p.app.Apply(e.Zxid, e.Txn)
	p.lastProcessed = e.Zxid
	p.event(Event{Kind: EvApplied, Zxid: e.Zxid, Txn: e.Txn})
}

// addCommitted keeps the committedLog window, which ZooKeeper fills with
// everything its database processed, replayed tails included.
func (p *Peer) addCommitted(e Entry) {
	if n := len(p.committed); n > 0 && p.committed[n-1].Zxid >= e.Zxid {
		p.committed = p.committed[:0]
	}
	if len(p.committed) >= 2*p.cfg.CommittedLogMax {
		// Amortized sliding window: move the newest entries down only
		// once the slice is twice the window.
		n := copy(p.committed, p.committed[len(p.committed)-p.cfg.CommittedLogMax+1:])
		clear(p.committed[n:])
		p.committed = p.committed[:n]
	}
	if cap(p.committed) == 0 {
		// The window fills up in every run: allocate it once rather
		// than through a chain of doublings.
		p.committed = make([]Entry, 0, min(2*p.cfg.CommittedLogMax, 4096))
	}
	p.committed = append(p.committed, e)
}

// committedLog is the committedLog window: at most CommittedLogMax of the
// newest entries.
func (p *Peer) committedLog() []Entry {
	return p.committed[max(len(p.committed)-p.cfg.CommittedLogMax, 0):]
}

// appendLog writes an entry to the log (the SyncRequestProcessor's append)
// and takes a snapshot when snapCount entries have been logged since the
// last one.
func (p *Peer) appendLog(e Entry) {
	p.disk = append(p.disk, e)
	p.lastLogged = e.Zxid
	p.persist(Op{Kind: OpAppend, Entry: e})
	p.sinceSnap++
}

// maybeSnapshot takes a snapshot of the applied state when enough entries
// were logged, then prunes old snapshots and the memory of log records
// below the oldest one kept.
func (p *Peer) maybeSnapshot() {
	if p.sinceSnap < p.cfg.SnapCount {
		return
	}
	p.takeSnapshot()
}

func (p *Peer) takeSnapshot() {
	p.sinceSnap = 0
	s := snapshot{zxid: p.lastProcessed, data: p.app.Snapshot()}
	if n := len(p.snaps); n > 0 && p.snaps[n-1].zxid >= s.zxid {
		p.snaps = p.snaps[:n-1]
	}
	p.snaps = append(p.snaps, s)
	p.persist(Op{Kind: OpWriteFile, Name: SnapshotFile(s.zxid), Data: s.data})
	p.event(Event{Kind: EvSnapshot, Zxid: s.zxid})
	for len(p.snaps) > p.cfg.SnapRetain {
		p.persist(Op{Kind: OpRemoveFile, Name: SnapshotFile(p.snaps[0].zxid)})
		p.snaps = p.snaps[1:]
	}
	// Records at or below the oldest kept snapshot are never replayed
	// again; forget them (the disk keeps them, as ZooKeeper keeps old log
	// files until purged).
	drop := 0
	for drop < len(p.disk) && p.disk[drop].Zxid <= min(p.snaps[0].zxid, p.lastProcessed) {
		drop++
	}
	n := copy(p.disk, p.disk[drop:]) // in place: the array is reused
	clear(p.disk[n:])
	p.disk = p.disk[:n]
	p.diskBase += drop
}

// truncateLog keeps the log records with zxid <= z and rebuilds the
// in-memory database from the newest snapshot at or below z plus the
// remaining log, as ZKDatabase.truncateLog does. It reports false when
// that is impossible (z below every retained snapshot and record).
func (p *Peer) truncateLog(z Zxid) bool {
	keep := 0
	for keep < len(p.disk) && p.disk[keep].Zxid <= z {
		keep++
	}
	for len(p.snaps) > 0 && p.snaps[len(p.snaps)-1].zxid > z {
		p.persist(Op{Kind: OpRemoveFile, Name: SnapshotFile(p.snaps[len(p.snaps)-1].zxid)})
		p.snaps = p.snaps[:len(p.snaps)-1]
	}
	if len(p.snaps) == 0 && p.diskBase > 0 {
		return false
	}
	p.disk = p.disk[:keep]
	p.lastLogged = 0
	if keep > 0 {
		p.lastLogged = p.disk[keep-1].Zxid
	} else if len(p.snaps) > 0 && p.diskBase > 0 {
		p.lastLogged = min(p.snaps[0].zxid, z)
	}
	p.persist(Op{Kind: OpTruncate, Keep: p.diskBase + keep})
	p.reload()
	return true
}

// reload rebuilds the database from the retained snapshot and log.
func (p *Peer) reload() {
	base := Zxid(0)
	var data []byte
	if n := len(p.snaps); n > 0 {
		base, data = p.snaps[n-1].zxid, p.snaps[n-1].data
	}
	if err := p.app.Restore(base, data); err != nil {
		p.fatal("reload from snapshot %s: %v", base, err)
		return
	}
	p.event(Event{Kind: EvRestored, Zxid: base})
	p.lastProcessed = base
	p.committed = p.committed[:0]
	p.replayLog(base)
}

// replayLog applies the logged entries above base. A record at or below
// the one before it means the log was written out of order, which only a
// broken protocol does; ZooKeeper logs it and goes on, and so does the
// peer, skipping the record rather than applying a zxid twice.
func (p *Peer) replayLog(base Zxid) {
	for _, e := range p.disk {
		switch {
		case e.Zxid <= base:
		case e.Zxid <= p.lastProcessed:
			p.anomaly("log record %s after %s", e.Zxid, p.lastProcessed)
		default:
			p.apply(e)
		}
	}
}

// fastForward applies every logged entry the database has not processed,
// as ZooKeeperServer.shutdown does when a server leaves its role and keeps
// its database (ZOOKEEPER-2678, the fix of ZOOKEEPER-2845).
func (p *Peer) fastForward() {
	upTo := ^Zxid(0)
	if p.has(BugLogWriterOutlivesRole) {
		// The log writer is still working through its queue: the
		// appends of the Readies being carried out and of the one being
		// built land only after the fast-forward.
		upTo = min(upTo, firstAppend(p.out.Persist)-1)
		for _, h := range p.handed {
			upTo = min(upTo, firstAppend(h.rd.Persist)-1)
		}
	}
	for _, e := range p.disk {
		if e.Zxid > p.lastProcessed && e.Zxid <= upTo {
			p.apply(e)
		}
	}
}

// firstAppend is the zxid of the first log append among ops, or the
// largest zxid when there is none.
func firstAppend(ops []Op) Zxid {
	for _, o := range ops {
		if o.Kind == OpAppend {
			return o.Entry.Zxid
		}
	}
	return ^Zxid(0)
}

// String describes the peer on one line.
func (p *Peer) String() string {
	return fmt.Sprintf("peer %d %s accepted=%d current=%d processed=%s logged=%s", p.id, p.Status(), p.acceptedEpoch, p.currentEpoch, p.lastProcessed, p.LastLogged())
}

// History is the peer's history as a restart would rebuild it: the
// logged entries above base, where everything up to base is in the newest
// snapshot.
func (p *Peer) History() (base Zxid, entries []Entry) {
	if n := len(p.snaps); n > 0 {
		base = p.snaps[n-1].zxid
	}
	for _, e := range p.disk {
		if e.Zxid > base {
			entries = append(entries, e)
		}
	}
	return base, entries
}
