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

// ConnResetter is implemented by processes that want to hear that a stream
// connection from a peer was reset (a crash, a nemesis cut, a full queue):
// the notice arrives in order, after the last message the old connection
// delivered and before the first of the new one.
type ConnResetter interface {
	ConnReset(peer NodeID)
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
	blocked  bool   // partitioned in this direction
	held     []event
}

// NetworkStats counts what the network did.
type NetworkStats struct {
	Sent, Delivered, Dropped, Duplicated, Resets uint64
}

// Network connects every pair of nodes in both directions.
type Network struct {
	s     *Sim
	rand  *Rand
	links [][]link // links[from][to]
	ids   uint64   // message ids, unique in the run
	def   LinkConfig
	stats NetworkStats
}

func newNetwork(s *Sim) *Network {
	return &Network{s: s, rand: s.rand.Fork("network"), def: DefaultLink}
}

func (nw *Network) addNode() {
	n := len(nw.links) + 1
	for i := range nw.links {
		nw.links[i] = append(nw.links[i], link{cfg: nw.def})
	}
	row := make([]link, n)
	for i := range row {
		row[i].cfg = nw.def
	}
	nw.links = append(nw.links, row)
}

// Stats returns the network's counters.
func (nw *Network) Stats() NetworkStats { return nw.stats }

// SetDefault sets the configuration of every link, present and future.
func (nw *Network) SetDefault(cfg LinkConfig) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	nw.def = cfg
	for from := range nw.links {
		for to := range nw.links[from] {
			nw.links[from][to].cfg = cfg
		}
	}
	return nil
}

// SetLink sets the configuration of the link from one node to another.
func (nw *Network) SetLink(from, to NodeID, cfg LinkConfig) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	nw.link(from, to).cfg = cfg
	return nil
}

// Link returns the configuration of the link from one node to another.
func (nw *Network) Link(from, to NodeID) LinkConfig { return nw.link(from, to).cfg }

func (nw *Network) link(from, to NodeID) *link {
	if from < 0 || int(from) >= len(nw.links) || to < 0 || int(to) >= len(nw.links) {
		panic(fmt.Sprintf("sim: link %s->%s names an unknown node", from, to))
	}
	return &nw.links[from][to]
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
					nw.link(a, b).blocked = true
				}
			}
		}
	}
	nw.s.Note(TraceFault, -1, "partition "+describeGroups(nw.s, groups))
}

// Block cuts the link from one node to another only (a one-way partition).
func (nw *Network) Block(from, to NodeID) {
	nw.link(from, to).blocked = true
	nw.s.Note(TraceFault, from, "block ->"+nw.s.Name(to))
}

// Blocked reports whether the link from one node to another is cut.
func (nw *Network) Blocked(from, to NodeID) bool { return nw.link(from, to).blocked }

// Heal removes every partition and block; messages that waited on stream
// links leave in order.
func (nw *Network) Heal() {
	nw.s.Note(TraceFault, -1, "heal")
	for from := range nw.links {
		for to := range nw.links[from] {
			l := &nw.links[from][to]
			if !l.blocked {
				continue
			}
			l.blocked = false
			nw.release(NodeID(from), NodeID(to), l)
		}
	}
}

// Reset breaks the connection between two nodes in both directions, as a
// cut cable or a firewall RST would: everything in flight is dropped and
// each end is told.
func (nw *Network) Reset(a, b NodeID) {
	nw.reset(a, b)
	nw.reset(b, a)
}

// Disconnect is Reset on behalf of a process closing its connection.
func (c *NodeContext) Disconnect(peer NodeID) {
	if !c.Alive() {
		return
	}
	c.n.s.Net.Reset(c.n.id, peer)
}

func (nw *Network) resetNode(id NodeID) {
	for other := range nw.links {
		if NodeID(other) == id {
			continue
		}
		nw.reset(id, NodeID(other))
		nw.reset(NodeID(other), id)
	}
}

// reset ends the current connection from one node to another; the next
// message opens a new one, preceded by an in-band notice for the receiver.
func (nw *Network) reset(from, to NodeID) {
	l := nw.link(from, to)
	if l.cfg.Mode != Stream {
		return
	}
	dropped := len(l.held)
	for _, e := range l.held {
		nw.drop(from, to, e.id, e.msg, DropReset)
	}
	l.held = nil
	l.inflight -= dropped
	l.gen++
	nw.stats.Resets++
	nw.s.trace.add(TraceEvent{At: nw.s.now, Kind: TraceReset, Node: from, Peer: to, Info: uint64(l.gen)})
	if nw.s.nodes[to].state != nodeDown {
		nw.schedule(from, to, l, resetNotice{}, 0, 0)
	}
}

// send is a process sending msg; it never blocks and never fails visibly,
// like a write to a socket buffer.
func (nw *Network) send(from, to NodeID, msg any) {
	l := nw.link(from, to)
	nw.ids++
	id := nw.ids
	nw.stats.Sent++
	nw.s.trace.add(TraceEvent{At: nw.s.now, Kind: TraceSend, Node: from, Peer: to, ID: id, Msg: msg})
	if l.inflight >= l.cfg.QueueMax {
		nw.drop(from, to, id, msg, DropQueueFull)
		if l.cfg.Mode == Stream {
			nw.reset(from, to)
		}
		return
	}
	if l.cfg.Mode == Datagram {
		nw.sendDatagram(from, to, l, id, msg)
		return
	}
	extra := time.Duration(0)
	if nw.rand.Chance(l.cfg.Loss) {
		extra = l.cfg.Retransmit
	}
	nw.schedule(from, to, l, msg, id, extra)
}

func (nw *Network) sendDatagram(from, to NodeID, l *link, id uint64, msg any) {
	if l.blocked {
		nw.drop(from, to, id, msg, DropPartition)
		return
	}
	if nw.rand.Chance(l.cfg.Loss) {
		nw.drop(from, to, id, msg, DropLoss)
		return
	}
	nw.schedule(from, to, l, msg, id, 0)
	if nw.rand.Chance(l.cfg.Duplicate) && l.inflight < l.cfg.QueueMax {
		nw.stats.Duplicated++
		nw.s.trace.add(TraceEvent{At: nw.s.now, Kind: TraceDuplicate, Node: from, Peer: to, ID: id})
		nw.schedule(from, to, l, msg, id, 0)
	}
}

// schedule puts a delivery on the queue after the link's latency plus
// extra; stream links never let a message overtake an earlier one.
func (nw *Network) schedule(from, to NodeID, l *link, msg any, id uint64, extra time.Duration) {
	at := nw.s.now.Add(nw.rand.Between(l.cfg.LatencyMin, l.cfg.LatencyMax) + extra)
	if l.cfg.Mode == Stream {
		if at < l.lastAt {
			at = l.lastAt
		}
		l.lastAt = at
	}
	l.inflight++
	nw.s.push(event{at: at, kind: kindDeliver, node: int32(to), src: int32(from), gen: l.gen, id: id, msg: msg})
}

// release sends what waited on a stream link during a partition.
func (nw *Network) release(from, to NodeID, l *link) {
	waiting := l.held
	l.held = nil
	l.inflight -= len(waiting)
	for _, e := range waiting {
		nw.schedule(from, to, l, e.msg, e.id, 0)
	}
}

// Unblock restores the link from one node to another.
func (nw *Network) Unblock(from, to NodeID) {
	l := nw.link(from, to)
	if !l.blocked {
		return
	}
	nw.s.Note(TraceFault, from, "unblock ->"+nw.s.Name(to))
	l.blocked = false
	nw.release(from, to, l)
}

// forget accounts for deliveries a crashed node had buffered while paused.
func (nw *Network) forget(to NodeID, deferred []event) {
	for _, e := range deferred {
		if e.kind == kindDeliver {
			nw.links[e.src][to].inflight--
		}
	}
}

func (nw *Network) drop(from, to NodeID, id uint64, msg any, why DropReason) {
	nw.stats.Dropped++
	nw.s.trace.add(TraceEvent{At: nw.s.now, Kind: TraceDrop, Node: from, Peer: to, ID: id, Info: uint64(why), Msg: msg})
}

// deliver runs a delivery event.
func (nw *Network) deliver(e *event) {
	from, to := NodeID(e.src), NodeID(e.node)
	l := &nw.links[from][to]
	l.inflight--
	if e.gen != l.gen {
		nw.drop(from, to, e.id, e.msg, DropReset)
		return
	}
	dst := nw.s.nodes[to]
	if dst.state == nodeDown {
		nw.drop(from, to, e.id, e.msg, DropDown)
		return
	}
	if l.blocked {
		if l.cfg.Mode == Datagram {
			nw.drop(from, to, e.id, e.msg, DropPartition)
			return
		}
		// The partition began while the message was on the wire: TCP
		// keeps retransmitting it until the partition heals.
		l.inflight++
		l.held = append(l.held, *e)
		return
	}
	if dst.state == nodePaused {
		if !dst.defer_(*e) {
			nw.drop(from, to, e.id, e.msg, DropQueueFull)
			return
		}
		l.inflight++ // still the link's until the process reads it
		return
	}
	if _, ok := e.msg.(resetNotice); ok {
		if r, ok := dst.proc.(ConnResetter); ok {
			r.ConnReset(from)
		}
		return
	}
	nw.stats.Delivered++
	nw.s.trace.add(TraceEvent{At: nw.s.now, Kind: TraceDeliver, Node: from, Peer: to, ID: e.id, Msg: e.msg})
	dst.proc.Receive(from, e.msg)
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
