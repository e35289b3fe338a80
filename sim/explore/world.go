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
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/zabsim/zabsim/protocol"
)

// ChoiceKind is one kind of step the explorer can take.
type ChoiceKind uint8

const (
	Deliver ChoiceKind = iota + 1
	Timeout
	Write
	Crash
	Restart
	Isolate
	Heal
	// Persist carries out the next storage operation of a server's
	// outstanding Ready (with Config.CrashPoints), and sends its messages
	// after the last one, so a crash can fall between any two.
	Persist
)

// Choice is one step. For Deliver, From/To/Ch name the link whose oldest
// message arrives; for the others To names the server.
type Choice struct {
	Kind     ChoiceKind
	From, To uint64
	Ch       protocol.Channel
}

// String is the compact form --replay accepts: d1>2q, d3>1e, t2, w3, c1,
// r1, i2, h.
func (c Choice) String() string {
	switch c.Kind {
	case Deliver:
		ch := "q"
		if c.Ch == protocol.ChanElection {
			ch = "e"
		}
		return fmt.Sprintf("d%d>%d%s", c.From, c.To, ch)
	case Timeout:
		return "t" + strconv.FormatUint(c.To, 10)
	case Write:
		return "w" + strconv.FormatUint(c.To, 10)
	case Crash:
		return "c" + strconv.FormatUint(c.To, 10)
	case Restart:
		return "r" + strconv.FormatUint(c.To, 10)
	case Isolate:
		return "i" + strconv.FormatUint(c.To, 10)
	case Heal:
		return "h"
	case Persist:
		return "p" + strconv.FormatUint(c.To, 10)
	}
	return "?"
}

// ParseChoices reads a comma-separated choice sequence.
func ParseChoices(s string) ([]Choice, error) {
	var out []Choice
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		c, err := parseChoice(f)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func parseChoice(f string) (Choice, error) {
	bad := fmt.Errorf("%w: choice %q (want d<from>><to>e|q, t<s>, w<s>, c<s>, r<s>, i<s> or h)", ErrSyntax, f)
	if f == "h" {
		return Choice{Kind: Heal}, nil
	}
	kinds := map[byte]ChoiceKind{'t': Timeout, 'w': Write, 'c': Crash, 'r': Restart, 'i': Isolate, 'p': Persist}
	if k, ok := kinds[f[0]]; ok {
		n, err := strconv.ParseUint(f[1:], 10, 8)
		if err != nil || n == 0 {
			return Choice{}, bad
		}
		return Choice{Kind: k, To: n}, nil
	}
	if f[0] != 'd' || len(f) < 5 {
		return Choice{}, bad
	}
	var ch protocol.Channel
	switch f[len(f)-1] {
	case 'e':
		ch = protocol.ChanElection
	case 'q':
		ch = protocol.ChanQuorum
	default:
		return Choice{}, bad
	}
	from, to, ok := strings.Cut(f[1:len(f)-1], ">")
	a, err1 := strconv.ParseUint(from, 10, 8)
	b, err2 := strconv.ParseUint(to, 10, 8)
	if !ok || err1 != nil || err2 != nil || a == 0 || b == 0 {
		return Choice{}, bad
	}
	return Choice{Kind: Deliver, From: a, To: b, Ch: ch}, nil
}

// server is one server slot: its peer (nil while down), state machine and
// disk.
type server struct {
	peer  *protocol.Peer
	app   *listApp
	store *memStore
	// rd is the Ready being carried out op by op (Config.CrashPoints),
	// op the index of its next storage operation.
	rd *protocol.Ready
	op int
}

// world is the whole system in one state of the search.
type world struct {
	cfg     Config
	quorum  *protocol.QuorumVerifier
	servers []server
	// queues[from][to][ch] is the FIFO of messages in flight.
	queues   [][][2][]protocol.Message
	isolated uint64 // the server cut off, 0 if none
	writes   int
	crashes  int
	cuts     int
	timeouts int
	// Ghost state for the invariants: what each epoch's established
	// leader was, and every entry a leader committed.
	epochLeader map[uint32]uint64
	committed   []protocol.Entry
	violation   string
	trace       []string // filled only when tracing
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
	w := &world{cfg: cfg, quorum: q, epochLeader: map[uint32]uint64{}}
	w.servers = make([]server, cfg.Servers)
	w.queues = make([][][2][]protocol.Message, cfg.Servers+1)
	for i := range w.queues {
		w.queues[i] = make([][2][]protocol.Message, cfg.Servers+1)
	}
	for i := range w.servers {
		w.servers[i].store = &memStore{files: map[string][]byte{}}
		if err := w.start(uint64(i + 1)); err != nil {
			return nil, err
		}
	}
	return w, nil
}

func (w *world) start(sid uint64) error {
	s := &w.servers[sid-1]
	s.app = &listApp{}
	pc := peerConfig(w.cfg, sid, w.quorum)
	pc.App = s.app
	p, err := protocol.New(pc, s.store.recovered())
	if err != nil {
		return err
	}
	s.peer = p
	w.pump(sid)
	return nil
}

// pump carries out every Ready of sid at once, or, with crash points,
// takes the next Ready for Persist choices to carry out.
func (w *world) pump(sid uint64) {
	s := &w.servers[sid-1]
	for s.peer != nil && s.rd == nil && s.peer.HasReady() {
		rd := s.peer.Ready()
		w.observe(sid, rd.Events)
		if rd.Fatal != nil {
			w.note("s%d exits: %v", sid, rd.Fatal)
			w.crashNow(sid)
			return
		}
		if w.cfg.CrashPoints {
			rd.Events = nil
			s.rd, s.op = &rd, 0
			return
		}
		protocol.Carry(rd, s.store, func(m protocol.Message) { w.send(m) }, s.peer.Advance, func(err error) {
			panic(fmt.Sprintf("explore: in-memory storage failed: %v", err))
		})
	}
}

func (w *world) note(format string, args ...any) {
	if w.tracing {
		w.trace = append(w.trace, "  "+fmt.Sprintf(format, args...))
	}
}

func (w *world) send(m protocol.Message) {
	if m.Type == protocol.MsgReset {
		w.reset(m.From, m.To)
		return
	}
	if m.Type == protocol.MsgPing {
		return // time is abstract: liveness of connections is a choice
	}
	if w.cutOff(m.From, m.To) {
		return
	}
	q := &w.queues[m.From][m.To][m.Channel()]
	*q = append(*q, m)
}

func (w *world) cutOff(a, b uint64) bool {
	return w.isolated != 0 && (a == w.isolated) != (b == w.isolated)
}

// reset closes the quorum connection between a and b: in-flight messages
// are lost and the other side hears of it.
func (w *world) reset(from, to uint64) {
	w.queues[from][to][protocol.ChanQuorum] = nil
	w.queues[to][from][protocol.ChanQuorum] = nil
	if !w.cutOff(from, to) {
		w.queues[from][to][protocol.ChanQuorum] = []protocol.Message{{Type: protocol.MsgReset, From: from, To: to}}
	}
}

// persistStep carries out the next storage operation of sid's Ready, and
// after the last one sends its messages and advances the peer.
func (w *world) persistStep(sid uint64) {
	s := &w.servers[sid-1]
	rd := s.rd
	if s.op < len(rd.Persist) {
		one := protocol.Ready{Persist: rd.Persist[s.op : s.op+1]}
		protocol.Carry(one, s.store, nil, func() {}, func(err error) {
			panic(fmt.Sprintf("explore: in-memory storage failed: %v", err))
		})
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
	s := &w.servers[sid-1]
	s.peer = nil
	s.app = nil
	s.rd, s.op = nil, 0
	for other := uint64(1); other <= uint64(len(w.servers)); other++ {
		if other == sid {
			continue
		}
		for ch := range 2 {
			w.queues[sid][other][ch] = nil
			w.queues[other][sid][ch] = nil
		}
		if !w.cutOff(sid, other) {
			w.queues[sid][other][protocol.ChanQuorum] = []protocol.Message{{Type: protocol.MsgReset, From: sid, To: other}}
		}
	}
}

// timeoutEnabled keeps abstract time finite. A server may let time pass
// when its finalize wait runs or when nothing is in flight to or from it
// (it would resend, retry or give up); a serving server may give up on its
// role only within the Timeouts budget, since that acts like a fault.
func (w *world) timeoutEnabled(sid uint64) bool {
	p := w.servers[sid-1].peer
	if p == nil {
		return false
	}
	if p.Status().Serving {
		return w.timeouts < w.cfg.Timeouts
	}
	if p.Finalizing() {
		return true
	}
	return !w.busy(sid)
}

// outgoing counts the messages in flight from sid.
func (w *world) outgoing(sid uint64) int {
	n := 0
	for to := range w.queues[sid] {
		n += len(w.queues[sid][to][0]) + len(w.queues[sid][to][1])
	}
	return n
}

// busy reports whether messages are in flight to or from sid.
func (w *world) busy(sid uint64) bool {
	for other := range w.queues {
		for ch := range 2 {
			if len(w.queues[sid][other][ch]) > 0 || len(w.queues[other][sid][ch]) > 0 {
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
	for i := range w.servers {
		p := w.servers[i].peer
		if p == nil {
			return false
		}
		st := p.Status()
		if !st.Serving {
			return false
		}
		if st.State == protocol.Leading {
			leaders++
		}
	}
	for from := range w.queues {
		for to := range w.queues[from] {
			if len(w.queues[from][to][0])+len(w.queues[from][to][1]) > 0 {
				return false
			}
		}
	}
	return leaders == 1
}

// enabled lists the possible next choices in a fixed order.
func (w *world) enabled() []Choice {
	var out []Choice
	n := uint64(len(w.servers))
	for from := uint64(1); from <= n; from++ {
		for to := uint64(1); to <= n; to++ {
			for ch := protocol.Channel(0); ch < 2; ch++ {
				if len(w.queues[from][to][ch]) > 0 {
					out = append(out, Choice{Kind: Deliver, From: from, To: to, Ch: ch})
				}
			}
		}
	}
	for sid := uint64(1); sid <= n; sid++ {
		s := &w.servers[sid-1]
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
		if w.writes < w.cfg.Writes {
			if _, err := s.peer.NextZxid(); err == nil {
				out = append(out, Choice{Kind: Write, To: sid})
			}
		}
		if w.crashes < w.cfg.Crashes {
			out = append(out, Choice{Kind: Crash, To: sid})
		}
		if w.isolated == 0 && w.cuts < w.cfg.Partitions {
			out = append(out, Choice{Kind: Isolate, To: sid})
		}
	}
	if w.isolated != 0 {
		out = append(out, Choice{Kind: Heal})
	}
	return out
}

// apply takes one step. It reports false for a choice that is not
// enabled.
func (w *world) apply(c Choice) bool {
	n := uint64(len(w.servers))
	if c.To == 0 && c.Kind != Heal || c.To > n || c.From > n {
		return false
	}
	if w.tracing {
		w.trace = append(w.trace, c.String())
	}
	switch c.Kind {
	case Deliver:
		q := &w.queues[c.From][c.To][c.Ch]
		if len(*q) == 0 {
			return false
		}
		m := (*q)[0]
		*q = (*q)[1:]
		if len(*q) == 0 {
			*q = nil
		}
		s := &w.servers[c.To-1]
		if s.peer == nil {
			return true
		}
		w.note("%s", m)
		s.peer.Step(m)
		w.pump(c.To)
	case Timeout:
		p := w.servers[c.To-1].peer
		if p == nil || !w.timeoutEnabled(c.To) {
			return false
		}
		before := p.Status()
		if before.Serving {
			w.timeouts++
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
		if p == nil || w.writes >= w.cfg.Writes {
			return false
		}
		z, err := p.NextZxid()
		if err != nil {
			return false
		}
		w.writes++
		if err := p.Propose(z, binary.BigEndian.AppendUint32([]byte("w"), uint32(w.writes))); err != nil {
			return false
		}
		w.pump(c.To)
	case Crash:
		if w.servers[c.To-1].peer == nil || w.crashes >= w.cfg.Crashes {
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
		if w.isolated != 0 || w.cuts >= w.cfg.Partitions {
			return false
		}
		w.cuts++
		w.isolated = c.To
		for other := uint64(1); other <= n; other++ {
			for ch := range 2 {
				w.queues[c.To][other][ch] = nil
				w.queues[other][c.To][ch] = nil
			}
		}
	case Heal:
		if w.isolated == 0 {
			return false
		}
		w.isolated = 0
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
// the ghost variables.
func (w *world) digest() uint64 {
	h := protocol.NewHasher()
	for i := range w.servers {
		s := &w.servers[i]
		if s.peer == nil {
			h.Word(0)
		} else {
			h.Word(s.peer.StateDigest())
			h.Word(s.app.digest())
			if s.rd != nil {
				h.Word(uint64(len(s.rd.Persist)-s.op)<<32 | uint64(len(s.rd.Messages)))
				for _, o := range s.rd.Persist[s.op:] {
					h.Word(uint64(o.Kind))
					h.Word(uint64(o.Entry.Zxid))
					h.Bytes([]byte(o.Name))
					h.Bytes(o.Data)
				}
				for i := range s.rd.Messages {
					h.Word(s.rd.Messages[i].Digest())
				}
			}
		}
		h.Word(s.store.digest())
	}
	for from := range w.queues {
		for to := range w.queues[from] {
			for ch := range 2 {
				q := w.queues[from][to][ch]
				h.Word(uint64(len(q)))
				for j := range q {
					h.Word(q[j].Digest())
				}
			}
		}
	}
	h.Word(w.isolated)
	h.Word(uint64(w.writes)<<48 | uint64(w.crashes)<<32 | uint64(w.cuts)<<16 | uint64(w.timeouts))
	epochs := make([]uint32, 0, len(w.epochLeader))
	for e := range w.epochLeader {
		epochs = append(epochs, e)
	}
	sort.Slice(epochs, func(i, j int) bool { return epochs[i] < epochs[j] })
	for _, e := range epochs {
		h.Word(uint64(e)<<32 | w.epochLeader[e])
	}
	for _, e := range w.committed {
		h.Word(uint64(e.Zxid))
	}
	return h.Sum()
}

// clone copies the world so that one state can be expanded into each of
// its successors without replaying the path to it.
func (w *world) clone() *world {
	c := *w
	c.servers = make([]server, len(w.servers))
	for i, s := range w.servers {
		st := &memStore{records: append([][]byte(nil), s.store.records...), files: make(map[string][]byte, len(s.store.files))}
		for k, v := range s.store.files {
			st.files[k] = v
		}
		c.servers[i].store = st
		if s.peer != nil {
			app := &listApp{applied: append([]protocol.Entry(nil), s.app.applied...)}
			c.servers[i].app = app
			c.servers[i].peer = s.peer.Clone(app)
			if s.rd != nil {
				rd := protocol.Ready{
					Persist:  append([]protocol.Op(nil), s.rd.Persist...),
					Messages: append([]protocol.Message(nil), s.rd.Messages...),
				}
				c.servers[i].rd, c.servers[i].op = &rd, s.op
			}
		}
	}
	c.queues = make([][][2][]protocol.Message, len(w.queues))
	for from := range w.queues {
		c.queues[from] = make([][2][]protocol.Message, len(w.queues[from]))
		for to := range w.queues[from] {
			for ch := range 2 {
				if q := w.queues[from][to][ch]; len(q) > 0 {
					c.queues[from][to][ch] = append([]protocol.Message(nil), q...)
				}
			}
		}
	}
	c.epochLeader = make(map[uint32]uint64, len(w.epochLeader))
	for k, v := range w.epochLeader {
		c.epochLeader[k] = v
	}
	c.committed = append([]protocol.Entry(nil), w.committed...)
	c.trace = nil
	return &c
}
