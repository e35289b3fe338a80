package sim

import (
	"fmt"
	"time"
)

// LinkMode says which transport a link imitates.
type LinkMode uint8

const (
	// Stream is a TCP connection: FIFO, no duplicates, no gaps. A lost
	// packet costs a retransmission delay instead of a gap; across a
	// partition messages wait (as TCP keeps retransmitting) until the
	// partition heals or the connection is reset. A reset drops everything
	// in flight and tells the receiver, in order, that the old connection
	// is gone, so a receiver never sees a gap without a reset before it.
	Stream LinkMode = iota
	// Datagram is an unreliable channel: messages may be lost, duplicated
	// and reordered, and a partition drops them.
	Datagram
)

func (m LinkMode) String() string {
	if m == Datagram {
		return "datagram"
	}
	return "stream"
}

// LinkConfig describes one direction of the link between two nodes.
type LinkConfig struct {
	Mode LinkMode
	// LatencyMin and LatencyMax bound the one-way latency, drawn uniformly.
	LatencyMin, LatencyMax time.Duration
	// Loss is the probability that a message is lost: dropped on a
	// datagram link, retransmitted after Retransmit on a stream link.
	Loss float64
	// Retransmit is the extra delay a lost stream packet costs (TCP's RTO).
	Retransmit time.Duration
	// Duplicate is the probability that a datagram is delivered twice.
	Duplicate float64
	// QueueMax bounds the messages in flight or waiting on the link; a full
	// stream link resets, a full datagram link drops.
	QueueMax int
	// Overwrite makes a stream link keep only the newest message that
	// waits across a partition, as ZooKeeper's election connections do
	// with their send queue of capacity one: an older vote is replaced by
	// a newer one rather than delivered late.
	Overwrite bool
}

// DefaultLink is a LAN link: FIFO, 0.1-1 ms, no faults.
var DefaultLink = LinkConfig{
	Mode:       Stream,
	LatencyMin: 100 * time.Microsecond,
	LatencyMax: time.Millisecond,
	Retransmit: 200 * time.Millisecond,
	QueueMax:   4096,
}

func (c LinkConfig) validate() error {
	switch {
	case c.LatencyMin < 0 || c.LatencyMax < c.LatencyMin:
		return fmt.Errorf("sim: link latency [%v, %v] is not a valid range", c.LatencyMin, c.LatencyMax)
	case c.Loss < 0 || c.Loss > 1:
		return fmt.Errorf("sim: link loss %v is not a probability", c.Loss)
	case c.Duplicate < 0 || c.Duplicate > 1:
		return fmt.Errorf("sim: link duplication %v is not a probability", c.Duplicate)
	case c.Retransmit < 0:
		return fmt.Errorf("sim: link retransmit delay %v is negative", c.Retransmit)
	case c.QueueMax <= 0:
		return fmt.Errorf("sim: link queue limit %d must be positive", c.QueueMax)
	case c.Mode != Stream && c.Mode != Datagram:
		return fmt.Errorf("sim: unknown link mode %d", c.Mode)
	}
	return nil
}

// Channel is one of the independent connections between two nodes, like
// ZooKeeper's election and quorum ports: each has its own order, its own
// resets and its own configuration. Channel 0 is the default.
type Channel uint8

// ChannelsMax is the number of channels between each pair of nodes.
const ChannelsMax = 4

// ConnResetter is implemented by processes that want to hear that a stream
// connection from a peer was reset (a crash, a nemesis cut, a full queue):
// the notice arrives in order, after the last message the old connection
// delivered and before the first of the new one.
type ConnResetter interface {
	ConnReset(peer NodeID, ch Channel)
}

// resetNotice travels in-band on a stream link to tell the receiver that
// the previous connection ended.
type resetNotice struct{}

// link is one direction between two nodes.
type link struct {
	cfg      LinkConfig
	gen      uint32 // connection generation: a reset bumps it
	inflight int    // deliveries scheduled and not yet run, plus held
	lastAt   Time   // latest scheduled delivery, for FIFO
	open     bool   // the connection has carried a message either way
	held     []event
	// sent and recvd number the messages of the current connection, and
	// reorder keeps those that arrive before a predecessor (one that was
	// held across a partition, say), so an ordered stream is FIFO no
	// matter how deliveries were timed.
	sent, recvd uint64
	reorder     []event
}

// ordered reports whether the link delivers strictly in send order: every
// stream link except an overwriting one, whose dropped messages leave
// gaps by design.
func (l *link) ordered() bool { return l.cfg.Mode == Stream && !l.cfg.Overwrite }

// NetworkStats counts what the network did.
type NetworkStats struct {
	Sent, Delivered, Dropped, Duplicated, Resets uint64
}

// Network connects every pair of nodes in both directions, over
// ChannelsMax independent channels.
type Network struct {
	s         *Sim
	rand      *Rand
	links     [][]link // links[from][to*ChannelsMax+ch]
	blocked   [][]bool // blocked[from][to]: partitioned in this direction
	ids       uint64   // message ids, unique in the run
	def       [ChannelsMax]LinkConfig
	stats     NetworkStats
	onRelease []func(from NodeID, msg any)
}

// OnRelease registers fn to be told of every message the network is done
// with (delivered and Receive returned, or dropped) that nothing else may
// still hold: the trace neither records events nor has observers, and the
// message was sent once on a stream link (a datagram may be duplicated).
// A sender may then reuse the message's memory, provided no receiver
// keeps a message past Receive.
func (nw *Network) OnRelease(fn func(from NodeID, msg any)) {
	nw.onRelease = append(nw.onRelease, fn)
}

// released hands e's message to the release hooks if nothing else may
// hold it.
func (nw *Network) released(e *event) {
	if len(nw.onRelease) == 0 || e.shared || nw.s.trace.retains() {
		return
	}
	for _, fn := range nw.onRelease {
		fn(NodeID(e.src), e.msg)
	}
}

func newNetwork(s *Sim) *Network {
	nw := &Network{s: s, rand: s.rand.Fork("network")}
	for ch := range nw.def {
		nw.def[ch] = DefaultLink
	}
	return nw
}

func (nw *Network) addNode() {
	n := len(nw.links) + 1
	for i := range nw.links {
		for ch := 0; ch < ChannelsMax; ch++ {
			nw.links[i] = append(nw.links[i], link{cfg: nw.def[ch]})
		}
		nw.blocked[i] = append(nw.blocked[i], false)
	}
	row := make([]link, n*ChannelsMax)
	for i := range row {
		row[i].cfg = nw.def[i%ChannelsMax]
	}
	nw.links = append(nw.links, row)
	nw.blocked = append(nw.blocked, make([]bool, n))
}

// Stats returns the network's counters.
func (nw *Network) Stats() NetworkStats { return nw.stats }

// SetDefault sets the configuration of every link on every channel,
// present and future.
func (nw *Network) SetDefault(cfg LinkConfig) error {
	for ch := Channel(0); ch < ChannelsMax; ch++ {
		if err := nw.SetChannelDefault(ch, cfg); err != nil {
			return err
		}
	}
	return nil
}

// SetChannelDefault sets the configuration of every link on one channel,
// present and future (for example a datagram channel for elections).
func (nw *Network) SetChannelDefault(ch Channel, cfg LinkConfig) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	if ch >= ChannelsMax {
		return fmt.Errorf("sim: channel %d is not below %d", ch, ChannelsMax)
	}
	nw.def[ch] = cfg
	for from := range nw.links {
		for to := 0; to < len(nw.links); to++ {
			nw.links[from][to*ChannelsMax+int(ch)].cfg = cfg
		}
	}
	return nil
}

// SetLink sets the configuration of the link from one node to another on
// one channel.
func (nw *Network) SetLink(from, to NodeID, ch Channel, cfg LinkConfig) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	nw.link(from, to, ch).cfg = cfg
	return nil
}

// Link returns the configuration of the link from one node to another on
// one channel.
func (nw *Network) Link(from, to NodeID, ch Channel) LinkConfig { return nw.link(from, to, ch).cfg }

func (nw *Network) link(from, to NodeID, ch Channel) *link {
	if from < 0 || int(from) >= len(nw.links) || to < 0 || int(to) >= len(nw.links) || ch >= ChannelsMax {
		panic(fmt.Sprintf("sim: link %s->%s channel %d names an unknown node or channel", from, to, ch))
	}
	return &nw.links[from][int(to)*ChannelsMax+int(ch)]
}

// Partition splits the listed nodes into groups that cannot reach each
// other, in both directions; pairs that involve an unlisted node are left
// as they are. It adds to any existing partition.
func (nw *Network) Partition(groups ...[]NodeID) {
	for gi, g := range groups {
		for hi, h := range groups {
			if gi == hi {
				continue
			}
			for _, a := range g {
				for _, b := range h {
					nw.setBlocked(a, b, true)
				}
			}
		}
	}
	nw.s.Note(TraceFault, -1, "partition "+describeGroups(nw.s, groups))
}

// Block cuts the link from one node to another only (a one-way partition).
func (nw *Network) Block(from, to NodeID) {
	nw.setBlocked(from, to, true)
	nw.s.Note(TraceFault, from, "block ->"+nw.s.Name(to))
}

// Unblock restores the link from one node to another.
func (nw *Network) Unblock(from, to NodeID) {
	if !nw.Blocked(from, to) {
		return
	}
	nw.s.Note(TraceFault, from, "unblock ->"+nw.s.Name(to))
	nw.setBlocked(from, to, false)
}

// Blocked reports whether the link from one node to another is cut.
func (nw *Network) Blocked(from, to NodeID) bool {
	nw.link(from, to, 0) // bounds check
	return nw.blocked[from][to]
}

func (nw *Network) setBlocked(from, to NodeID, on bool) {
	nw.link(from, to, 0) // bounds check
	was := nw.blocked[from][to]
	nw.blocked[from][to] = on
	if was && !on {
		for ch := Channel(0); ch < ChannelsMax; ch++ {
			nw.release(from, to, ch)
		}
	}
}

// Heal removes every partition and block; messages that waited on stream
// links leave in order.
func (nw *Network) Heal() {
	nw.s.Note(TraceFault, -1, "heal")
	for from := range nw.blocked {
		for to := range nw.blocked[from] {
			nw.setBlocked(NodeID(from), NodeID(to), false)
		}
	}
}

// Reset breaks every connection between two nodes in both directions, as a
// cut cable or a firewall RST would: everything in flight is dropped and
// each end is told.
func (nw *Network) Reset(a, b NodeID) {
	for ch := Channel(0); ch < ChannelsMax; ch++ {
		nw.ResetChannel(a, b, ch)
	}
}

// ResetChannel breaks one channel's connection between two nodes, both
// directions.
func (nw *Network) ResetChannel(a, b NodeID, ch Channel) { nw.closeChannel(a, b, ch, true) }

// Disconnect closes this node's connection to peer on one channel: what
// either side had in flight is dropped and the peer is told. This node
// is not: it closed the connection itself, and a notice arriving later
// would be taken for news about the connection it may have opened since
// (a learner that re-registered would take it for a refusal).
func (c *NodeContext) Disconnect(peer NodeID, ch Channel) {
	if !c.Alive() {
		return
	}
	c.n.s.Net.closeChannel(c.n.id, peer, ch, false)
}

// closeChannel breaks the connection between a and b on ch, both
// directions; b is told, and a too if tellA.
func (nw *Network) closeChannel(a, b NodeID, ch Channel, tellA bool) {
	// A connection carries both directions: it exists once either side
	// has used it.
	if !nw.link(a, b, ch).open && !nw.link(b, a, ch).open {
		return
	}
	nw.reset(a, b, ch, true)
	nw.reset(b, a, ch, tellA)
}

func (nw *Network) resetNode(id NodeID) {
	for other := range nw.links {
		if NodeID(other) != id {
			nw.Reset(id, NodeID(other))
		}
	}
}

// reset ends the current connection from one node to another; the next
// message opens a new one. With notify, an in-band notice tells the
// receiver.
func (nw *Network) reset(from, to NodeID, ch Channel, notify bool) {
	l := nw.link(from, to, ch)
	if l.cfg.Mode != Stream {
		return
	}
	l.open = false
	for _, e := range l.held {
		nw.drop(e, DropReset)
	}
	for _, e := range l.reorder {
		nw.drop(e, DropReset)
	}
	l.inflight -= len(l.held) + len(l.reorder)
	l.held, l.reorder = nil, nil
	l.sent, l.recvd = 0, 0
	l.gen++
	nw.stats.Resets++
	nw.s.trace.add(TraceEvent{At: nw.s.now, Kind: TraceReset, Node: from, Peer: to, Info: uint64(ch)})
	if notify && nw.s.nodes[to].state != nodeDown {
		l.sent++
		nw.schedule(from, to, ch, l, resetNotice{}, 0, 0, l.sent)
	}
}

// send is a process sending msg; it never blocks and never fails visibly,
// like a write to a socket buffer.
func (nw *Network) send(from, to NodeID, ch Channel, msg any) {
	l := nw.link(from, to, ch)
	nw.ids++
	id := nw.ids
	nw.stats.Sent++
	nw.s.trace.add(TraceEvent{At: nw.s.now, Kind: TraceSend, Node: from, Peer: to, ID: id, Info: uint64(ch), Msg: msg})
	if l.cfg.Overwrite && len(l.held) > 0 {
		for _, e := range l.held {
			nw.drop(e, DropOverwritten)
		}
		l.inflight -= len(l.held)
		l.held = l.held[:0]
	}
	if l.inflight >= l.cfg.QueueMax {
		nw.drop(event{node: int32(to), src: int32(from), ch: ch, id: id, msg: msg}, DropQueueFull)
		if l.cfg.Mode == Stream {
			nw.reset(from, to, ch, true)
		}
		return
	}
	if l.cfg.Mode == Datagram {
		nw.sendDatagram(from, to, ch, l, id, msg)
		return
	}
	if !l.open {
		l.open = true
		nw.link(to, from, ch).open = true
	}
	extra := time.Duration(0)
	if nw.rand.Chance(l.cfg.Loss) {
		extra = l.cfg.Retransmit
	}
	l.sent++
	nw.schedule(from, to, ch, l, msg, id, extra, l.sent)
}

func (nw *Network) sendDatagram(from, to NodeID, ch Channel, l *link, id uint64, msg any) {
	if nw.blocked[from][to] {
		nw.drop(event{node: int32(to), src: int32(from), ch: ch, id: id, msg: msg}, DropPartition)
		return
	}
	if nw.rand.Chance(l.cfg.Loss) {
		nw.drop(event{node: int32(to), src: int32(from), ch: ch, id: id, msg: msg}, DropLoss)
		return
	}
	nw.schedule(from, to, ch, l, msg, id, 0, 0)
	if nw.rand.Chance(l.cfg.Duplicate) && l.inflight < l.cfg.QueueMax {
		nw.stats.Duplicated++
		nw.s.trace.add(TraceEvent{At: nw.s.now, Kind: TraceDuplicate, Node: from, Peer: to, ID: id, Info: uint64(ch)})
		nw.schedule(from, to, ch, l, msg, id, 0, 0)
	}
}

// schedule puts a delivery on the queue after the link's latency plus
// extra; stream links never let a message overtake an earlier one.
func (nw *Network) schedule(from, to NodeID, ch Channel, l *link, msg any, id uint64, extra time.Duration, lseq uint64) {
	at := nw.s.now.Add(nw.rand.Between(l.cfg.LatencyMin, l.cfg.LatencyMax) + extra)
	if l.cfg.Mode == Stream {
		if at < l.lastAt {
			at = l.lastAt
		}
		l.lastAt = at
	}
	l.inflight++
	nw.s.push(event{at: at, kind: kindDeliver, node: int32(to), src: int32(from), ch: ch, gen: l.gen, id: id, msg: msg, lseq: lseq, shared: l.cfg.Mode == Datagram})
}

// release sends what waited on a stream link during a partition.
func (nw *Network) release(from, to NodeID, ch Channel) {
	l := nw.link(from, to, ch)
	waiting := l.held
	l.held = nil
	l.inflight -= len(waiting)
	for _, e := range waiting {
		nw.schedule(from, to, ch, l, e.msg, e.id, 0, e.lseq)
	}
}

// forget accounts for deliveries a crashed node had buffered while paused.
func (nw *Network) forget(to NodeID, deferred []event) {
	for _, e := range deferred {
		if e.kind == kindDeliver {
			nw.link(NodeID(e.src), to, e.ch).inflight--
		}
	}
}

func (nw *Network) drop(e event, why DropReason) {
	nw.stats.Dropped++
	nw.s.trace.add(TraceEvent{At: nw.s.now, Kind: TraceDrop, Node: NodeID(e.src), Peer: NodeID(e.node), ID: e.id, Info: uint64(why) | uint64(e.ch)<<8, Msg: e.msg})
	nw.released(&e)
}

// deliver runs a delivery event.
func (nw *Network) deliver(e *event) {
	from, to := NodeID(e.src), NodeID(e.node)
	l := &nw.links[from][int(to)*ChannelsMax+int(e.ch)]
	l.inflight--
	if e.gen != l.gen {
		nw.drop(*e, DropReset)
		return
	}
	dst := nw.s.nodes[to]
	if dst.state == nodeDown {
		nw.drop(*e, DropDown)
		return
	}
	if l.ordered() && e.lseq != l.recvd+1 {
		// A predecessor is still on its way: wait for it.
		l.inflight++
		i := len(l.reorder)
		for i > 0 && l.reorder[i-1].lseq > e.lseq {
			i--
		}
		l.reorder = append(l.reorder, event{})
		copy(l.reorder[i+1:], l.reorder[i:])
		l.reorder[i] = *e
		return
	}
	if nw.blocked[from][to] {
		if l.cfg.Mode == Datagram {
			nw.drop(*e, DropPartition)
			return
		}
		// The partition began while the message was on the wire: TCP
		// keeps retransmitting it until the partition heals.
		l.inflight++
		if l.cfg.Overwrite {
			for _, old := range l.held {
				nw.drop(old, DropOverwritten)
			}
			l.inflight -= len(l.held)
			l.held = l.held[:0]
		}
		l.held = append(l.held, *e)
		return
	}
	if dst.state == nodePaused {
		if !dst.defer_(*e) {
			nw.drop(*e, DropQueueFull)
			return
		}
		l.inflight++ // still the link's until the process reads it
		return
	}
	if l.ordered() {
		l.recvd = e.lseq
		if len(l.reorder) > 0 && l.reorder[0].lseq == l.recvd+1 {
			// The successor that arrived early goes next, right now.
			next := l.reorder[0]
			l.reorder = l.reorder[1:]
			next.at = nw.s.now
			nw.s.push(next)
		}
	}
	if _, ok := e.msg.(resetNotice); ok {
		if r, ok := dst.proc.(ConnResetter); ok {
			r.ConnReset(from, e.ch)
		}
		return
	}
	nw.stats.Delivered++
	nw.s.trace.add(TraceEvent{At: nw.s.now, Kind: TraceDeliver, Node: from, Peer: to, ID: e.id, Info: uint64(e.ch), Msg: e.msg})
	dst.proc.Receive(from, e.msg)
	nw.released(e)
}

func describeGroups(s *Sim, groups [][]NodeID) string {
	out := ""
	for i, g := range groups {
		if i > 0 {
			out += " | "
		}
		for j, id := range g {
			if j > 0 {
				out += ","
			}
			out += s.Name(id)
		}
	}
	return out
}
