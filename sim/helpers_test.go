package sim

import "time"

// recorder is a process that remembers what it received.
type recorder struct {
	ctx    *NodeContext
	got    []received
	resets []NodeID
	ticks  int
	onTick func()
}

type received struct {
	from NodeID
	msg  any
	at   Time
}

func (r *recorder) Receive(from NodeID, msg any) {
	r.got = append(r.got, received{from: from, msg: msg, at: r.ctx.Now()})
}

func (r *recorder) Tick() {
	r.ticks++
	if r.onTick != nil {
		r.onTick()
	}
}

func (r *recorder) ConnReset(peer NodeID, _ Channel) { r.resets = append(r.resets, peer) }

func (r *recorder) ints() []int {
	out := make([]int, 0, len(r.got))
	for _, g := range r.got {
		out = append(out, g.msg.(int))
	}
	return out
}

// world builds a sim with n recorder nodes (no ticks unless tick > 0) and
// returns the recorders of the current incarnations through a getter.
func world(seed uint64, n int, tick time.Duration, disk *DiskConfig) (*Sim, func(NodeID) *recorder) {
	s := New(Config{Seed: seed})
	for i := 0; i < n; i++ {
		s.AddNode(NodeConfig{Tick: tick, Disk: disk, Start: func(ctx *NodeContext) Process {
			return &recorder{ctx: ctx}
		}})
	}
	return s, func(id NodeID) *recorder {
		p := s.Node(id).Process()
		if p == nil {
			return nil
		}
		return p.(*recorder)
	}
}

func send(s *Sim, from, to NodeID, msg any) {
	s.Node(from).ctx.Send(to, msg)
}
