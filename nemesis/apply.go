package nemesis

import (
	"fmt"
	"sort"

	"github.com/zabsim/zabsim/sim"
)

// apply carries out one step when its time comes.
func (n *Nemesis) apply(st Step) {
	f := st.Fault
	switch f.Kind {
	case Partition:
		groups := n.partition(f)
		n.s.Net.Partition(groups...)
		n.record(st, nil, fmt.Sprintf("partition %s: %s", f.Shape, n.groupsText(groups)))
	case Heal:
		n.heal()
		n.record(st, nil, "heal")
	case Crash, Kill, Restart, Pause, Resume:
		ids := n.resolve(f.Who)
		for _, id := range ids {
			n.lifecycle(f.Kind, n.node(id))
		}
		n.record(st, ids, fmt.Sprintf("%s %s", f.Kind, idsText(ids)))
	case CrashAt:
		ids := n.resolve(f.Who)
		for _, id := range ids {
			if err := n.t.(CrashPointer).ArmCrashPoint(n.node(id), f.Point); err != nil {
				n.record(st, ids, fmt.Sprintf("crash-at %d %s refused: %v", id, f.Point, err))
				return
			}
		}
		n.record(st, ids, fmt.Sprintf("crash-at %s %s armed", idsText(ids), f.Point))
	case Block:
		n.s.Net.Block(n.node(f.From), n.node(f.To))
		n.record(st, []int{f.From, f.To}, f.String())
	case Unblock:
		n.s.Net.Unblock(n.node(f.From), n.node(f.To))
		n.record(st, []int{f.From, f.To}, f.String())
	case Reset:
		n.s.Net.Reset(n.node(f.From), n.node(f.To))
		n.record(st, []int{f.From, f.To}, f.String())
	case Clog, Unclog:
		ids := n.resolve(f.Who)
		for _, id := range ids {
			n.clog(id, f.Kind == Clog)
		}
		n.record(st, ids, fmt.Sprintf("%s %s", f.Kind, idsText(ids)))
	case Latency, Loss, Duplicate:
		n.links(f)
		n.record(st, nil, f.String())
	case Skew:
		ids := n.resolve(f.Who)
		for _, id := range ids {
			n.s.Node(n.node(id)).SetTickRate(f.P)
		}
		n.record(st, ids, fmt.Sprintf("skew %s %g", idsText(ids), f.P))
	case SlowDisk:
		ids := n.resolve(f.Who)
		for _, id := range ids {
			n.slowDisk(id, f)
		}
		n.record(st, ids, Fault{Kind: SlowDisk, Who: Servers(ids...), Min: f.Min, Max: f.Max, Base: f.Base}.String())
	case Calm:
		n.calm()
		n.record(st, nil, "calm")
	default:
		panic(fmt.Sprintf("nemesis: no way to apply %s", f.Kind))
	}
}

func (n *Nemesis) lifecycle(k Kind, id sim.NodeID) {
	node := n.s.Node(id)
	switch k {
	case Crash:
		node.Crash()
	case Kill:
		if d := node.Disk(); d != nil && node.Up() {
			cfg := d.Config()
			lossy := cfg
			lossy.KeepUnsynced = 0
			if err := d.SetConfig(lossy); err != nil {
				panic(err) // a valid config with one probability zeroed is valid
			}
			node.Crash()
			if err := d.SetConfig(cfg); err != nil {
				panic(err)
			}
		} else {
			node.Crash()
		}
	case Restart:
		if !node.Up() {
			node.Restart()
		}
	case Pause:
		node.Pause()
	case Resume:
		node.Resume()
	}
}

// partition computes the groups for a partition fault.
func (n *Nemesis) partition(f Fault) [][]sim.NodeID {
	all := make([]int, len(n.servers))
	for i := range all {
		all[i] = i + 1
	}
	perm := n.pick(all, len(all))
	toNodes := func(ids []int) []sim.NodeID {
		sort.Ints(ids)
		out := make([]sim.NodeID, len(ids))
		for i, id := range ids {
			out[i] = n.node(id)
		}
		return out
	}
	switch f.Shape {
	case Halves:
		half := len(perm) / 2
		return [][]sim.NodeID{toNodes(perm[:half]), toNodes(perm[half:])}
	case Minority:
		k := 1 + n.rand.IntN(max(1, (len(perm)-1)/2))
		return [][]sim.NodeID{toNodes(perm[:k]), toNodes(perm[k:])}
	case Isolate:
		cut := n.resolve(f.Who)
		in := map[int]bool{}
		for _, id := range cut {
			in[id] = true
		}
		var rest []int
		for _, id := range all {
			if !in[id] {
				rest = append(rest, id)
			}
		}
		return [][]sim.NodeID{toNodes(cut), toNodes(rest)}
	case Bridge:
		// perm[0] is the bridge: it is in neither group, so it keeps
		// its links to both.
		rest := perm[1:]
		half := len(rest) / 2
		return [][]sim.NodeID{toNodes(rest[:half]), toNodes(rest[half:])}
	case Ring:
		n.ring(perm)
		return nil
	}
	panic(fmt.Sprintf("nemesis: unknown shape %s", f.Shape))
}

// ring cuts every link except those between servers at most k positions
// apart in a random ring, where k makes each server see a bare majority;
// no two servers see the same majority.
func (n *Nemesis) ring(order []int) {
	size := len(order)
	reach := max(1, (size/2+1)/2)
	for i := range order {
		for j := range order {
			d := (j - i + size) % size
			if d == 0 || d <= reach || size-d <= reach {
				continue
			}
			n.s.Net.Block(n.node(order[i]), n.node(order[j]))
		}
	}
}

func (n *Nemesis) groupsText(groups [][]sim.NodeID) string {
	if groups == nil {
		return "ring"
	}
	out := ""
	for i, g := range groups {
		if i > 0 {
			out += " | "
		}
		ids := make([]int, len(g))
		for j, node := range g {
			ids[j] = n.idOf(node)
		}
		out += idsText(ids)
	}
	return out
}

func (n *Nemesis) heal() {
	n.s.Net.Heal()
	n.clogged = map[int]bool{}
}

// clog cuts (or restores) every link of one server, both ways; a link
// between two clogged servers stays cut until both are unclogged.
func (n *Nemesis) clog(id int, on bool) {
	if on {
		n.clogged[id] = true
	} else {
		delete(n.clogged, id)
	}
	for other := 1; other <= len(n.servers); other++ {
		if other == id {
			continue
		}
		a, b := n.node(id), n.node(other)
		if on {
			n.s.Net.Block(a, b)
			n.s.Net.Block(b, a)
		} else if !n.clogged[other] {
			n.s.Net.Unblock(a, b)
			n.s.Net.Unblock(b, a)
		}
	}
}

// links changes every channel of every server-to-server link.
func (n *Nemesis) links(f Fault) {
	n.eachLink(func(k linkKey) {
		cfg := n.s.Net.Link(k.from, k.to, k.ch)
		base := n.base[k]
		switch f.Kind {
		case Latency:
			if f.Base {
				cfg.LatencyMin, cfg.LatencyMax = base.LatencyMin, base.LatencyMax
			} else {
				cfg.LatencyMin, cfg.LatencyMax = f.Min, f.Max
			}
		case Loss:
			cfg.Loss = f.P
		case Duplicate:
			cfg.Duplicate = f.P
		}
		if err := n.s.Net.SetLink(k.from, k.to, k.ch, cfg); err != nil {
			panic(err) // validated when the schedule was
		}
	})
}

// eachLink calls fn for every channel of every server-to-server direction,
// in a fixed order.
func (n *Nemesis) eachLink(fn func(linkKey)) {
	for _, a := range n.servers {
		for _, b := range n.servers {
			for ch := sim.Channel(0); a != b && ch < sim.ChannelsMax; ch++ {
				fn(linkKey{a, b, ch})
			}
		}
	}
}

func (n *Nemesis) slowDisk(id int, f Fault) {
	d := n.s.Node(n.node(id)).Disk()
	if d == nil {
		return
	}
	cfg := d.Config()
	base := n.disks[id-1]
	if f.Base {
		cfg.SyncMin, cfg.SyncMax = base.SyncMin, base.SyncMax
	} else {
		cfg.SyncMin, cfg.SyncMax = f.Min, f.Max
	}
	if err := d.SetConfig(cfg); err != nil {
		panic(err)
	}
}

// calm ends every fault, the start of a liveness phase.
func (n *Nemesis) calm() {
	n.heal()
	n.eachLink(func(k linkKey) {
		if err := n.s.Net.SetLink(k.from, k.to, k.ch, n.base[k]); err != nil {
			panic(err)
		}
	})
	for i, id := range n.servers {
		node := n.s.Node(id)
		if d := node.Disk(); d != nil {
			if err := d.SetConfig(n.disks[i]); err != nil {
				panic(err)
			}
		}
		if node.TickRate() != 1 {
			node.SetTickRate(1)
		}
		node.Resume()
		if !node.Up() {
			node.Restart()
		}
	}
}
