// Package explore is zabsim's model checker: it drives the real protocol
// peers, but instead of drawing choices from a seed it enumerates them
// (which message is delivered next, when a timeout fires, when a server
// crashes, restarts or is cut off, when a client writes) and checks the
// Zab invariants in every distinct state it reaches.
//
// Time is abstract here, as in ZooKeeper's TLA+ specifications: a timeout
// is a choice ("timeout s3" ticks s3 until its role changes), and leader
// pings are not modelled, so a follower loses its leader only through a
// crash, a cut or an explicit timeout. Storage completes at once; a crash
// falls between two Ready batches.
package explore

import (
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/zabsim/zabsim/protocol"
)

// server is one server slot: its peer (nil while down), state machine and
// disk. Worlds share servers and copy one before changing it, so a
// successor state costs a copy of the one server its choice touches.
type server struct {
	peer  *protocol.Peer
	app   *listApp
	store *memStore
	// rd is the Ready being carried out op by op (Config.CrashPoints),
	// op the index of its next storage operation. Shared read-only.
	rd *protocol.Ready
	op int
	// sum and fixed cache the server's digest and its part without ids
	// while it is shared (and so frozen).
	sum, fixed uint64
	summed     bool
}

// env is what every world of one search shares.
type env struct {
	cfg    Config
	quorum *protocol.QuorumVerifier
	// carrier and persister carry out Readys for whichever world cur
	// is; the records persister marshals are never overwritten, so
	// stores may keep them.
	carrier       *protocol.Carrier
	persister     *protocol.Persister
	persisted     func()
	storageFailed func(error)
	cur           *world
	store         *memStore
	// holding: the carrier's sends are kept in held instead of sent
	// (the late messages of a Ready carried out choice by choice).
	holding bool
	held    []protocol.Message
	perms   []perm // the relabellings symmetric states are digested under
}

// epochOwner is one entry of the ghost epoch-to-leader map.
type epochOwner struct {
	epoch uint32
	sid   uint64
}

// world is the whole system in one state of the search.
type world struct {
	env     *env
	servers []*server
	owned   uint16 // servers this world made and may change in place
	// queues[(from-1)*n+to-1][ch] is the FIFO of messages in flight. The
	// backing arrays are shared between worlds and never written in
	// place: a send always appends to a full slice.
	queues [][2][]protocol.Message
	// serverBuf and queueBuf back servers and queues (queues only up to
	// 3 servers), so that a clone, made for every successor, is one
	// allocation.
	serverBuf [maxServers]*server
	queueBuf  [9][2][]protocol.Message
	isolated  uint64 // the server cut off, 0 if none
	writes    int
	crashes   int
	cuts      int
	timeouts  int
	losses    int
	// Ghost state for the invariants, shared between worlds and copied
	// on change: which server established each epoch (by epoch), and
	// every entry a leader committed (by zxid).
	epochLeader []epochOwner
	committed   []protocol.Entry
	violation   string
	fp          footprint // of the last choice applied
	sym         bool      // the last digest was taken under every relabelling
	trace       []string  // filled only when tracing
	tracing     bool
}

func peerConfig(cfg Config, sid uint64, q *protocol.QuorumVerifier) protocol.Config {
	pc := protocol.DefaultConfig()
	pc.ID, pc.Quorum = sid, q
	pc.Tick = time.Millisecond
	pc.TickTime = 2 * time.Millisecond
	pc.FinalizeWait = time.Millisecond
	pc.MaxNotificationInterval = 4 * time.Millisecond
	pc.ConnectRetry = time.Millisecond
	pc.InitLimit, pc.SyncLimit = 2, 2
	pc.CommittedLogMax = 2
	pc.TxnLogSyncMax = 0
	pc.SnapCount = 1 << 20
	pc.Bugs = cfg.Bugs
	return pc
}

func newWorld(cfg Config) (*world, error) {
	var voters []uint64
	for i := 1; i <= cfg.Servers; i++ {
		voters = append(voters, uint64(i))
	}
	var q *protocol.QuorumVerifier
	var err error
	if cfg.Quorum > 0 {
		q, err = protocol.NewQuorumSize(voters, cfg.Quorum)
	} else {
		q, err = protocol.NewMajority(voters)
	}
	if err != nil {
		return nil, err
	}
	e := &env{cfg: cfg, quorum: q, perms: permutations(cfg.Servers)}
	e.carrier = protocol.NewCarrier(func(m protocol.Message, _ uint64) {
		if e.holding {
			e.held = append(e.held, m)
			return
		}
		e.cur.send(m)
	})
	e.persister = protocol.NewPersister(envStore{e})
	e.persisted = func() { e.carrier.Persisted() }
	e.storageFailed = func(err error) { panic(fmt.Sprintf("explore: in-memory storage failed: %v", err)) }
	w := &world{env: e}
	w.servers = w.serverBuf[:cfg.Servers]
	if links := cfg.Servers * cfg.Servers; links <= len(w.queueBuf) {
		w.queues = w.queueBuf[:links]
	} else {
		w.queues = make([][2][]protocol.Message, links)
	}
	for i := range w.servers {
		w.servers[i] = &server{store: &memStore{files: map[string][]byte{}}}
		w.owned |= 1 << i
		if err := w.boot(uint64(i + 1)); err != nil {
			return nil, err
		}
	}
	// Every server is up before any speaks: a message to a server that
	// is down is lost.
	for sid := uint64(1); sid <= uint64(cfg.Servers); sid++ {
		w.pump(sid)
	}
	return w, nil
}

// queue is the link from one server to another on one channel.
func (w *world) queue(from, to uint64, ch protocol.Channel) *[]protocol.Message {
	return &w.queues[(from-1)*uint64(len(w.servers))+to-1][ch]
}

// mutable returns sid's server for changing, copying it first unless
// this world made it.
func (w *world) mutable(sid uint64) *server {
	bit := uint16(1) << (sid - 1)
	s := w.servers[sid-1]
	if w.owned&bit == 0 {
		c := &server{rd: s.rd, op: s.op, store: s.store.clone()}
		if s.peer != nil {
			c.app = &listApp{applied: slices.Clip(s.app.applied)}
			c.peer = s.peer.Clone(c.app)
		}
		w.servers[sid-1] = c
		w.owned |= bit
		s = c
	}
	s.summed = false
	return s
}

func (w *world) start(sid uint64) error {
	if err := w.boot(sid); err != nil {
		return err
	}
	w.pump(sid)
	return nil
}

// boot starts sid's peer from its disk without carrying out its first
// Ready.
func (w *world) boot(sid uint64) error {
	s := w.mutable(sid)
	s.app = &listApp{}
	pc := peerConfig(w.env.cfg, sid, w.env.quorum)
	pc.App = s.app
	p, err := protocol.New(pc, s.store.recovered())
	if err != nil {
		return err
	}
	s.peer = p
	return nil
}

// carry carries out rd (or one storage operation of it, when advance is
// nil) on s's disk, sending its messages from this world. The in-memory
// disk completes at once, so the Ready is carried out before carry
// returns.
func (w *world) carry(rd protocol.Ready, s *server, advance *protocol.Peer) {
	e := w.env
	e.cur, e.store = w, s.store
	e.carrier.Hand(rd, 0)
	ops, _ := e.carrier.Batch()
	e.persister.Persist(ops, e.persisted, e.storageFailed)
	e.cur, e.store = nil, nil
	if advance != nil {
		advance.Advance()
	}
}

// pump carries out every Ready of sid at once, or, with crash points,
// takes the next Ready for Persist choices to carry out.
func (w *world) pump(sid uint64) {
	s := w.mutable(sid)
	for s.peer != nil && s.rd == nil && s.peer.HasReady() {
		rd := s.peer.Ready()
		w.observe(sid, rd.Events)
		if rd.Fatal != nil {
			w.note("s%d exits: %v", sid, rd.Fatal)
			w.crashNow(sid)
			return
		}
		if w.env.cfg.CrashPoints {
			rd.Events = nil
			rd.Messages, rd.Early = w.holdLate(rd), nil
			s.rd, s.op = &rd, 0
			return
		}
		w.carry(rd, s, s.peer)
	}
}

// holdLate sends rd's early messages through the shared Carrier and
// returns a copy of the others, which wait for the persist choices.
func (w *world) holdLate(rd protocol.Ready) []protocol.Message {
	e := w.env
	e.cur = w
	e.carrier.Hand(rd, 0)
	e.carrier.Batch() // its storage work is left to the choices
	e.holding = true
	e.carrier.Persisted()
	late := e.held
	e.cur, e.holding, e.held = nil, false, nil
	return late
}

func (w *world) note(format string, args ...any) {
	if w.tracing {
		w.trace = append(w.trace, "  "+fmt.Sprintf(format, args...))
	}
}

// send puts m in flight. A message to a server that is down is lost, as
// on a closed connection (whether it is down depends on the order of
// choices, so the footprint records the attempt). An election link holds
// at most Config.ElectionLinks notifications: a newer one pushes out the
// oldest, as QuorumCnxManager's send queue does.
func (w *world) send(m protocol.Message) {
	if m.Type == protocol.MsgPing {
		return // time is abstract: liveness of connections is a choice
	}
	w.fp.sentTo |= 1 << (m.To - 1)
	if w.servers[m.To-1].peer == nil {
		return
	}
	if m.Type == protocol.MsgReset {
		w.reset(m.From, m.To)
		return
	}
	if w.cutOff(m.From, m.To) {
		return
	}
	q := w.queue(m.From, m.To, m.Channel())
	keep := *q
	if m.Channel() == protocol.ChanElection && w.env.cfg.ElectionLinks > 0 && len(keep) >= w.env.cfg.ElectionLinks {
		keep = keep[len(keep)-w.env.cfg.ElectionLinks+1:]
		w.fp.replaced |= 1 << (m.To - 1)
	}
	*q = append(keep[:len(keep):len(keep)], m)
}

func (w *world) cutOff(a, b uint64) bool {
	return w.isolated != 0 && (a == w.isolated) != (b == w.isolated)
}

// reset closes the quorum connection between a and b: in-flight messages
// are lost and the other side hears of it.
func (w *world) reset(from, to uint64) {
	w.fp.global = true
	*w.queue(from, to, protocol.ChanQuorum) = nil
	*w.queue(to, from, protocol.ChanQuorum) = nil
	if !w.cutOff(from, to) {
		*w.queue(from, to, protocol.ChanQuorum) = []protocol.Message{{Type: protocol.MsgReset, From: from, To: to}}
	}
}

// persistStep carries out the next storage operation of sid's Ready, and
// after the last one sends its messages and advances the peer.
func (w *world) persistStep(sid uint64) {
	s := w.mutable(sid)
	rd := s.rd
	if s.op < len(rd.Persist) {
		w.carry(protocol.Ready{Persist: rd.Persist[s.op : s.op+1]}, s, nil)
		w.note("s%d persist %s", sid, rd.Persist[s.op])
		s.op++
		if s.op < len(rd.Persist) {
			return
		}
	}
	for _, m := range rd.Messages {
		w.send(m)
	}
	s.rd, s.op = nil, 0
	s.peer.Advance()
	w.pump(sid)
}

func (w *world) crashNow(sid uint64) {
	w.fp.global = true
	s := w.mutable(sid)
	s.peer = nil
	s.app = nil
	s.rd, s.op = nil, 0
	for other := uint64(1); other <= uint64(len(w.servers)); other++ {
		if other == sid {
			continue
		}
		for ch := range protocol.Channel(2) {
			*w.queue(sid, other, ch) = nil
			*w.queue(other, sid, ch) = nil
		}
		if !w.cutOff(sid, other) {
			*w.queue(sid, other, protocol.ChanQuorum) = []protocol.Message{{Type: protocol.MsgReset, From: sid, To: other}}
		}
	}
}

// losable: the messages Config.Losses may drop.
func losable(m protocol.Message) bool {
	return m.Type == protocol.MsgNotification || m.Type == protocol.MsgAck
}

// timeoutEnabled keeps abstract time finite. A LOOKING server may let
// time pass when its finalize wait runs or when nothing is in flight to
// or from it (it would resend its vote or decide). A server in a role, a
// leader or a learner, serving or still syncing, lets time pass only
// within the Timeouts budget, since giving up a role acts like a fault (a
// lost connection, a slow quorum). Without that bound a follower could
// abandon every sync the moment it waits, each new election would bump
// the round and the epoch, and the state space would have no end.
func (w *world) timeoutEnabled(sid uint64) bool {
	p := w.servers[sid-1].peer
	if p == nil {
		return false
	}
	st := p.Status()
	switch {
	case st.State != protocol.Looking:
		return w.timeouts < w.env.cfg.Timeouts && (st.Serving || !w.busy(sid))
	case p.Finalizing():
		return true
	}
	return !w.busy(sid)
}

// outgoing counts the messages in flight from sid.
func (w *world) outgoing(sid uint64) int {
	n := 0
	for to := uint64(1); to <= uint64(len(w.servers)); to++ {
		q := w.queues[(sid-1)*uint64(len(w.servers))+to-1]
		n += len(q[0]) + len(q[1])
	}
	return n
}

// busy reports whether messages are in flight to or from sid.
func (w *world) busy(sid uint64) bool {
	for other := uint64(1); other <= uint64(len(w.servers)); other++ {
		for ch := range protocol.Channel(2) {
			if len(*w.queue(sid, other, ch)) > 0 || len(*w.queue(other, sid, ch)) > 0 {
				return true
			}
		}
	}
	return false
}

// settle runs the world deterministically (oldest link first, then the
// lowest LOOKING server's timeout) until one leader serves and every
// server follows it: the starting point when the election itself is not
// explored.
func (w *world) settle() error {
	for steps := 0; steps < 100000; steps++ {
		if w.stable() {
			return nil
		}
		// Deliver the oldest link's message; when none is in flight, let
		// time pass for every server that waits for it.
		var timeouts []Choice
		delivered := false
		for _, c := range w.enabled() {
			if c.Kind == Deliver || c.Kind == Persist {
				w.apply(c)
				delivered = true
				break
			}
			if c.Kind == Timeout && !w.servers[c.To-1].peer.Status().Serving {
				timeouts = append(timeouts, c)
			}
		}
		if delivered {
			continue
		}
		if len(timeouts) == 0 {
			return fmt.Errorf("explore: the initial election is stuck")
		}
		for _, c := range timeouts {
			w.apply(c)
		}
	}
	return fmt.Errorf("explore: the initial election did not settle")
}

func (w *world) stable() bool {
	leaders := 0
	for _, s := range w.servers {
		if s.peer == nil {
			return false
		}
		st := s.peer.Status()
		if !st.Serving {
			return false
		}
		if st.State == protocol.Leading {
			leaders++
		}
	}
	for _, q := range w.queues {
		if len(q[0])+len(q[1]) > 0 {
			return false
		}
	}
	return leaders == 1
}

// enabled lists the possible next choices in a fixed order.
func (w *world) enabled() []Choice {
	out := make([]Choice, 0, 16)
	n := uint64(len(w.servers))
	cfg := &w.env.cfg
	for from := uint64(1); from <= n; from++ {
		for to := uint64(1); to <= n; to++ {
			for ch := range protocol.Channel(2) {
				if q := *w.queue(from, to, ch); len(q) > 0 {
					out = append(out, Choice{Kind: Deliver, From: from, To: to, Ch: ch})
					if w.losses < cfg.Losses && losable(q[0]) {
						out = append(out, Choice{Kind: Lose, From: from, To: to, Ch: ch})
					}
				}
			}
		}
	}
	for sid := uint64(1); sid <= n; sid++ {
		s := w.servers[sid-1]
		if s.peer == nil {
			out = append(out, Choice{Kind: Restart, To: sid})
			continue
		}
		if s.rd != nil {
			out = append(out, Choice{Kind: Persist, To: sid})
		}
		if w.timeoutEnabled(sid) {
			out = append(out, Choice{Kind: Timeout, To: sid})
		}
		if w.writes < cfg.Writes {
			if _, err := s.peer.NextZxid(); err == nil {
				out = append(out, Choice{Kind: Write, To: sid})
			}
		}
		if w.crashes < cfg.Crashes {
			out = append(out, Choice{Kind: Crash, To: sid})
		}
		if w.isolated == 0 && w.cuts < cfg.Partitions {
			out = append(out, Choice{Kind: Isolate, To: sid})
		}
	}
	if w.isolated != 0 {
		out = append(out, Choice{Kind: Heal})
	}
	return out
}

// apply takes one step and records its footprint. It reports false for a
// choice that is not enabled.
func (w *world) apply(c Choice) bool {
	n := uint64(len(w.servers))
	if c.To == 0 && c.Kind != Heal || c.To > n || c.From > n || (c.Kind == Deliver || c.Kind == Lose) && c.From == 0 {
		return false
	}
	w.fp = footprint{server: c.To, kind: c.Kind}
	if w.tracing {
		w.trace = append(w.trace, c.String())
	}
	cfg := &w.env.cfg
	switch c.Kind {
	case Deliver:
		q := w.queue(c.From, c.To, c.Ch)
		if len(*q) == 0 {
			return false
		}
		m := (*q)[0]
		*q = (*q)[1:]
		if len(*q) == 0 {
			*q = nil
		}
		if w.servers[c.To-1].peer == nil {
			return true
		}
		w.note("%s", m)
		w.mutable(c.To).peer.Step(m)
		w.pump(c.To)
	case Lose:
		q := w.queue(c.From, c.To, c.Ch)
		if w.losses >= cfg.Losses || len(*q) == 0 || !losable((*q)[0]) {
			return false
		}
		w.losses++
		w.fp.budget = true
		w.note("lost %s", (*q)[0])
		*q = (*q)[1:]
		if len(*q) == 0 {
			*q = nil
		}
	case Timeout:
		if !w.timeoutEnabled(c.To) {
			return false
		}
		p := w.mutable(c.To).peer
		before := p.Status()
		if before.State != protocol.Looking {
			w.timeouts++
			w.fp.budget = true
		}
		// Let time pass until something happens: a role change, or a
		// message (a resent vote, a registration retry).
		sent := w.outgoing(c.To)
		for i := 0; i < 64 && p.Status() == before && w.servers[c.To-1].peer != nil && w.outgoing(c.To) == sent; i++ {
			p.Tick()
			w.pump(c.To)
		}
	case Write:
		p := w.servers[c.To-1].peer
		if p == nil || w.writes >= cfg.Writes {
			return false
		}
		z, err := p.NextZxid()
		if err != nil {
			return false
		}
		w.writes++
		w.fp.budget = true
		if err := w.mutable(c.To).peer.Propose(z, binary.BigEndian.AppendUint32([]byte("w"), uint32(w.writes))); err != nil {
			return false
		}
		w.pump(c.To)
	case Crash:
		if w.servers[c.To-1].peer == nil || w.crashes >= cfg.Crashes {
			return false
		}
		w.crashes++
		w.crashNow(c.To)
	case Restart:
		if w.servers[c.To-1].peer != nil {
			return false
		}
		if err := w.start(c.To); err != nil {
			w.note("s%d refused to start: %v", c.To, err)
		}
	case Isolate:
		if w.isolated != 0 || w.cuts >= cfg.Partitions {
			return false
		}
		w.cuts++
		w.isolated = c.To
		w.fp.global = true
		for other := uint64(1); other <= n; other++ {
			for ch := range protocol.Channel(2) {
				*w.queue(c.To, other, ch) = nil
				*w.queue(other, c.To, ch) = nil
			}
		}
	case Heal:
		if w.isolated == 0 {
			return false
		}
		w.isolated = 0
		w.fp.global = true
	case Persist:
		if w.servers[c.To-1].peer == nil || w.servers[c.To-1].rd == nil {
			return false
		}
		w.persistStep(c.To)
	default:
		return false
	}
	return true
}

// digest is the canonical digest of the whole state: peers, state
// machines, disks, messages in flight, the partition, the budgets used and
// the ghost variables; for a symmetric state, the least over every
// relabelling of the server ids (symmetry.go).
func (w *world) digest() uint64 {
	d := w.digestUnder(nil, nil)
	w.sym = w.symmetric()
	if w.sym {
		for _, p := range w.env.perms {
			d = min(d, w.digestUnder(p.to, p.from))
		}
	}
	return d
}

// digestUnder digests the state with server sid relabelled to[sid]; from
// is the inverse permutation (both nil for the identity).
func (w *world) digestUnder(to, from protocol.Relabel) uint64 {
	h := protocol.NewHasher()
	n := uint64(len(w.servers))
	for sid := uint64(1); sid <= n; sid++ {
		h.Word(w.servers[from.Of(sid)-1].digest(to))
	}
	for a := uint64(1); a <= n; a++ {
		for b := uint64(1); b <= n; b++ {
			for ch := range protocol.Channel(2) {
				q := *w.queue(from.Of(a), from.Of(b), ch)
				h.Word(uint64(len(q)))
				for j := range q {
					h.Word(q[j].RelabelledDigest(to))
				}
			}
		}
	}
	h.Word(to.Of(w.isolated))
	h.Word(uint64(w.writes)<<48 | uint64(w.crashes)<<32 | uint64(w.cuts)<<16 | uint64(w.timeouts))
	h.Word(uint64(w.losses))
	for _, o := range w.epochLeader {
		h.Word(uint64(o.epoch)<<32 | to.Of(o.sid))
	}
	h.Word(uint64(len(w.committed)))
	for _, e := range w.committed {
		h.Word(uint64(e.Zxid))
	}
	return h.Sum()
}

// digest is the server's part of the world's digest with ids relabelled
// by to. The parts that hold no ids are cached while the server is shared
// (and so frozen), and so is the whole under the identity.
func (s *server) digest(to protocol.Relabel) uint64 {
	if !s.summed {
		h := protocol.NewHasher()
		if s.peer != nil {
			h.Word(s.app.digest())
		}
		if s.rd != nil {
			h.Word(uint64(len(s.rd.Persist)-s.op)<<32 | uint64(len(s.rd.Messages)))
			for _, o := range s.rd.Persist[s.op:] {
				h.Word(uint64(o.Kind))
				h.Word(uint64(o.Entry.Zxid))
				h.Bytes([]byte(o.Name))
				h.Bytes(o.Data)
			}
		}
		h.Word(s.store.digest())
		s.fixed = h.Sum()
		s.sum, s.summed = s.relabelled(nil), true
	}
	if to == nil {
		return s.sum
	}
	return s.relabelled(to)
}

func (s *server) relabelled(to protocol.Relabel) uint64 {
	h := protocol.NewHasher()
	h.Word(s.fixed)
	if s.peer == nil {
		h.Word(0)
		return h.Sum()
	}
	h.Word(s.peer.RelabelledDigest(to))
	if s.rd != nil {
		for i := range s.rd.Messages {
			h.Word(s.rd.Messages[i].RelabelledDigest(to))
		}
	}
	return h.Sum()
}

// clone copies the world so that one state can be expanded into each of
// its successors without replaying the path to it. Both worlds then share
// every server and copy one before changing it.
func (w *world) clone() *world {
	c := *w
	c.servers = c.serverBuf[:len(w.servers)]
	if len(w.queues) <= len(w.queueBuf) {
		c.queues = c.queueBuf[:len(w.queues)]
	} else {
		c.queues = slices.Clone(w.queues)
	}
	c.owned, w.owned = 0, 0
	c.epochLeader = slices.Clip(w.epochLeader)
	c.committed = slices.Clip(w.committed)
	c.trace = nil
	return &c
}
