package sim

import (
	"fmt"
	"strconv"
	"time"
)

// NodeID names a node (a server or a client) inside one world. Ids are
// dense, starting at 0, in the order nodes were added.
type NodeID int32

// String is the id as trace lines show it when no name is at hand.
func (id NodeID) String() string { return "n" + strconv.Itoa(int(id)) }

// Process is the code a node runs: a toy protocol in tests, a Zab peer in
// zabsim. Each incarnation of a node gets a fresh Process built from its
// disk alone, so nothing volatile survives a crash. Calls never overlap.
type Process interface {
	// Receive handles a message from another node.
	Receive(from NodeID, msg any)
	// Tick tells the process that one tick of its clock has passed.
	Tick()
}

// NodeConfig describes a node.
type NodeConfig struct {
	Name string
	// Tick is the length of one tick at rate 1; 0 means the node gets no
	// ticks (a passive client, say).
	Tick time.Duration
	// Disk, when non-nil, gives the node a simulated disk that survives
	// its crashes.
	Disk *DiskConfig
	// Start builds the node's process for a new incarnation.
	Start func(ctx *NodeContext) Process
	// StartAt, when positive, keeps the node down until that much time
	// after it is added, as a machine switched on later would be; a
	// Restart before then starts it early.
	StartAt time.Duration
}

type nodeState uint8

const (
	nodeUp nodeState = iota + 1
	nodeDown
	nodePaused
)

// Node is one machine of the world.
type Node struct {
	s        *Sim
	id       NodeID
	cfg      NodeConfig
	state    nodeState
	gen      uint32 // incarnation; bumped by every crash
	proc     Process
	ctx      *NodeContext
	disk     *Disk
	rand     *Rand
	tickRate float64
	ticks    uint64
	// deferred holds events that reached the node while it was paused; a
	// paused process cannot react, but its socket buffers still fill.
	deferred []event
}

// deferredMax bounds what a paused node buffers; beyond it messages are
// dropped as a full socket buffer would.
const deferredMax = 1 << 16

// AddNode adds a node and starts its first incarnation.
func (s *Sim) AddNode(cfg NodeConfig) NodeID {
	if cfg.Start == nil {
		panic("sim: NodeConfig.Start is nil")
	}
	if cfg.Tick < 0 {
		panic(fmt.Sprintf("sim: node %q has a negative tick %v", cfg.Name, cfg.Tick))
	}
	id := NodeID(len(s.nodes))
	if cfg.Name == "" {
		cfg.Name = id.String()
	}
	n := &Node{s: s, id: id, cfg: cfg, rand: s.rand.Fork("node/" + cfg.Name), tickRate: 1}
	if cfg.Disk != nil {
		n.disk = newDisk(n, *cfg.Disk)
	}
	s.nodes = append(s.nodes, n)
	s.Net.addNode()
	if cfg.StartAt <= 0 {
		n.start()
		return id
	}
	n.state = nodeDown
	s.After(cfg.StartAt, func() {
		if n.state == nodeDown && n.gen == 0 {
			n.s.trace.add(TraceEvent{At: n.s.now, Kind: TraceStart, Node: n.id, Peer: -1})
			n.start()
		}
	})
	return id
}

// Node returns the node with id.
func (s *Sim) Node(id NodeID) *Node { return s.nodes[id] }

// Nodes is the number of nodes.
func (s *Sim) Nodes() int { return len(s.nodes) }

// Name returns a node's configured name.
func (s *Sim) Name(id NodeID) string {
	if id < 0 || int(id) >= len(s.nodes) {
		return id.String()
	}
	return s.nodes[id].cfg.Name
}

// Describe renders a trace event with node names instead of ids.
func (s *Sim) Describe(e TraceEvent) string {
	return e.Format(s.Name)
}

// ID is the node's id.
func (n *Node) ID() NodeID { return n.id }

// Name is the node's configured name.
func (n *Node) Name() string { return n.cfg.Name }

// Up reports whether the node is running (possibly paused).
func (n *Node) Up() bool { return n.state != nodeDown }

// Paused reports whether the node is paused.
func (n *Node) Paused() bool { return n.state == nodePaused }

// Incarnation counts the node's crashes.
func (n *Node) Incarnation() uint32 { return n.gen }

// Process is the current incarnation's process, or nil while down.
func (n *Node) Process() Process { return n.proc }

// Disk is the node's disk, or nil.
func (n *Node) Disk() *Disk { return n.disk }

// Ticks is the number of ticks this node has received over its life.
func (n *Node) Ticks() uint64 { return n.ticks }

func (n *Node) start() {
	n.state = nodeUp
	n.ctx = &NodeContext{n: n, gen: n.gen, rand: n.rand.Fork("inc/" + strconv.FormatUint(uint64(n.gen), 10))}
	n.proc = n.cfg.Start(n.ctx)
	if n.proc == nil {
		panic(fmt.Sprintf("sim: node %q: Start returned a nil Process", n.cfg.Name))
	}
	if n.cfg.Tick > 0 {
		// A random phase keeps nodes from ticking in lockstep, which
		// real servers started at different moments never do.
		n.s.push(event{at: n.s.now.Add(n.rand.Between(0, n.tickInterval()-1)), kind: kindTick, node: int32(n.id), gen: n.gen})
	}
}

// Crash kills the node: its process and everything volatile are gone,
// pending disk I/O is abandoned and its disk loses what was not durable,
// and every connection to or from it is reset.
func (n *Node) Crash() {
	if n.state == nodeDown {
		return
	}
	n.s.trace.add(TraceEvent{At: n.s.now, Kind: TraceCrash, Node: n.id, Peer: -1, Info: uint64(n.gen)})
	n.state = nodeDown
	n.gen++
	n.proc = nil
	n.ctx = nil
	n.s.Net.forget(n.id, n.deferred)
	n.deferred = nil
	if n.disk != nil {
		n.disk.crash()
	}
	n.s.Net.resetNode(n.id)
}

// Restart brings a crashed node back: a new process is built from its disk.
func (n *Node) Restart() {
	if n.state != nodeDown {
		panic(fmt.Sprintf("sim: Restart of node %q, which is not down", n.cfg.Name))
	}
	n.s.trace.add(TraceEvent{At: n.s.now, Kind: TraceRestart, Node: n.id, Peer: -1, Info: uint64(n.gen)})
	n.start()
}

// Pause stops the process from running (like SIGSTOP): messages and disk
// completions addressed to it wait, ticks are skipped.
func (n *Node) Pause() {
	if n.state != nodeUp {
		return
	}
	n.s.trace.add(TraceEvent{At: n.s.now, Kind: TracePause, Node: n.id, Peer: -1})
	n.state = nodePaused
}

// Resume lets a paused node run again; what waited is handled first, in
// arrival order.
func (n *Node) Resume() {
	if n.state != nodePaused {
		return
	}
	n.s.trace.add(TraceEvent{At: n.s.now, Kind: TraceResume, Node: n.id, Peer: -1, Info: uint64(len(n.deferred))})
	n.state = nodeUp
	waiting := n.deferred
	n.deferred = nil
	for _, e := range waiting {
		e.at = n.s.now
		n.s.push(e)
	}
}

// SetTickRate makes the node's clock run rate times as fast as real time
// (clock skew): at 1.5 it gets its ticks 1.5x as often.
func (n *Node) SetTickRate(rate float64) {
	if !(rate > 0) || rate > 1000 {
		panic(fmt.Sprintf("sim: tick rate %v out of (0, 1000]", rate))
	}
	n.tickRate = rate
	n.s.Note(TraceFault, n.id, "tick-rate "+strconv.FormatFloat(rate, 'g', 6, 64))
}

// TickRate is the node's current clock rate.
func (n *Node) TickRate() float64 { return n.tickRate }

func (n *Node) tickInterval() time.Duration {
	d := time.Duration(float64(n.cfg.Tick) / n.tickRate)
	if d < 1 {
		d = 1
	}
	return d
}

func (n *Node) tick(gen uint32) {
	if gen != n.gen {
		return // a tick of a dead incarnation
	}
	n.s.push(event{at: n.s.now.Add(n.tickInterval()), kind: kindTick, node: int32(n.id), gen: gen})
	if n.state != nodeUp {
		return
	}
	n.ticks++
	n.s.trace.add(TraceEvent{At: n.s.now, Kind: TraceTick, Node: n.id, Peer: -1, ID: n.ticks})
	n.proc.Tick()
}

// run executes a node-scoped callback if its incarnation is alive, or keeps
// it for later if the node is paused.
func (n *Node) run(gen uint32, fn func()) {
	if gen != n.gen {
		return
	}
	if n.state == nodePaused {
		n.defer_(event{kind: kindNode, node: int32(n.id), gen: gen, fn: fn})
		return
	}
	fn()
}

func (n *Node) defer_(e event) bool {
	if len(n.deferred) >= deferredMax {
		return false
	}
	n.deferred = append(n.deferred, e)
	return true
}

// NodeContext is what a process may touch of the world. It belongs to one
// incarnation: once the node crashes, the context's sends and timers do
// nothing, so a stale process cannot act from beyond the grave.
type NodeContext struct {
	n    *Node
	gen  uint32
	rand *Rand
}

// ID is the node's id.
func (c *NodeContext) ID() NodeID { return c.n.id }

// Name is the node's name.
func (c *NodeContext) Name() string { return c.n.cfg.Name }

// Now is the current virtual time.
func (c *NodeContext) Now() Time { return c.n.s.now }

// Alive reports whether this context's incarnation is still running.
func (c *NodeContext) Alive() bool { return c.gen == c.n.gen && c.n.state != nodeDown }

// Rand is this incarnation's own random stream.
func (c *NodeContext) Rand() *Rand { return c.rand }

// Disk is the node's disk (nil if it has none).
func (c *NodeContext) Disk() *Disk { return c.n.disk }

// Send sends msg to another node on channel 0.
func (c *NodeContext) Send(to NodeID, msg any) { c.SendOn(0, to, msg) }

// SendOn sends msg to another node on the given channel.
func (c *NodeContext) SendOn(ch Channel, to NodeID, msg any) {
	if !c.Alive() {
		return
	}
	c.n.s.Net.send(c.n.id, to, ch, msg)
}

// After runs fn after d of virtual time, if this incarnation still lives
// then (later, if the node is paused at that moment).
func (c *NodeContext) After(d time.Duration, fn func()) {
	if !c.Alive() {
		return
	}
	if d < 0 {
		panic(fmt.Sprintf("sim: NodeContext.After(%v) with a negative delay", d))
	}
	c.n.s.push(event{at: c.n.s.now.Add(d), kind: kindNode, node: int32(c.n.id), gen: c.gen, fn: fn})
}

// Note adds a line about this node to the trace.
func (c *NodeContext) Note(text string) {
	if !c.Alive() {
		return
	}
	c.n.s.Note(TraceNote, c.n.id, text)
}
