package nemesis

import (
	"fmt"
	"sort"
	"strings"

	"github.com/zabsim/zabsim/sim"
)

// Target is the simulated ensemble a nemesis acts on. The protocol host
// implements it.
type Target interface {
	// Sim is the world the servers live in.
	Sim() *sim.Sim
	// Servers are the server nodes; index i is ZooKeeper server id i+1.
	// Client nodes are not listed: faults act between servers only, as
	// Jepsen's do, so clients keep reaching the server they chose.
	Servers() []sim.NodeID
	// Leader is the established leader, if there is one.
	Leader() (sim.NodeID, bool)
}

// CrashPointer is implemented by targets that can crash a server when it
// next reaches a named point of the protocol (see the Point constants).
type CrashPointer interface {
	ArmCrashPoint(server sim.NodeID, point string) error
}

// Applied is a step as it actually happened: selectors resolved to server
// ids, or a note that it did nothing (no leader to crash, say).
type Applied struct {
	At   sim.Time
	Step Step
	// Servers are the server ids the step acted on.
	Servers []int
	Text    string
}

func (a Applied) String() string { return fmt.Sprintf("%s %s", a.At, a.Text) }

// Nemesis runs one schedule against one target.
type Nemesis struct {
	t       Target
	s       *sim.Sim
	servers []sim.NodeID
	rand    *sim.Rand
	base    map[linkKey]sim.LinkConfig
	disks   []sim.DiskConfig
	clogged map[int]bool
	applied []Applied
}

// linkKey names one channel of one direction between two servers.
type linkKey struct {
	from, to sim.NodeID
	ch       sim.Channel
}

// Start schedules every step of sched, with times measured from now. It
// fails if the schedule does not fit the ensemble (an unknown server id,
// a crash point the target cannot arm).
func Start(t Target, sched Schedule) (*Nemesis, error) {
	servers := t.Servers()
	if err := sched.Validate(len(servers)); err != nil {
		return nil, err
	}
	if _, ok := t.(CrashPointer); !ok {
		for _, st := range sched {
			if st.Fault.Kind == CrashAt {
				return nil, fmt.Errorf("nemesis: step %q needs crash points, which this target does not support", st)
			}
		}
	}
	s := t.Sim()
	n := &Nemesis{t: t, s: s, servers: servers, rand: s.Rand("nemesis/resolve"), base: map[linkKey]sim.LinkConfig{}, clogged: map[int]bool{}}
	for _, a := range servers {
		for _, b := range servers {
			for ch := sim.Channel(0); a != b && ch < sim.ChannelsMax; ch++ {
				n.base[linkKey{a, b, ch}] = s.Net.Link(a, b, ch)
			}
		}
		if d := s.Node(a).Disk(); d != nil {
			n.disks = append(n.disks, d.Config())
		} else {
			n.disks = append(n.disks, sim.DiskConfig{})
		}
	}
	start := s.Now()
	for _, st := range sched {
		st := st
		s.At(start.Add(st.At), func() { n.apply(st) })
	}
	return n, nil
}

// Applied lists what the nemesis has done so far.
func (n *Nemesis) Applied() []Applied { return n.applied }

func (n *Nemesis) node(id int) sim.NodeID { return n.servers[id-1] }

func (n *Nemesis) idOf(node sim.NodeID) int {
	for i, s := range n.servers {
		if s == node {
			return i + 1
		}
	}
	panic(fmt.Sprintf("nemesis: node %s is not a server", node))
}

func (n *Nemesis) record(st Step, ids []int, text string) {
	a := Applied{At: n.s.Now(), Step: st, Servers: ids, Text: text}
	n.applied = append(n.applied, a)
	n.s.Note(sim.TraceFault, -1, "nemesis "+text)
}

// resolve turns a selector into server ids, sorted.
func (n *Nemesis) resolve(w Who) []int {
	all := make([]int, len(n.servers))
	for i := range all {
		all[i] = i + 1
	}
	var out []int
	switch w.Sel {
	case Explicit:
		out = append(out, w.IDs...)
	case All:
		out = all
	case Leader:
		if l, ok := n.t.Leader(); ok {
			out = []int{n.idOf(l)}
		}
	case Follower:
		l, ok := n.t.Leader()
		var followers []int
		for _, id := range all {
			if !ok || n.node(id) != l {
				followers = append(followers, id)
			}
		}
		if len(followers) > 0 {
			out = []int{followers[n.rand.IntN(len(followers))]}
		}
	case One:
		out = []int{all[n.rand.IntN(len(all))]}
	case MinorityOf:
		out = n.pick(all, 1+n.rand.IntN(max(1, (len(all)-1)/2)))
	case MajorityOf:
		out = n.pick(all, len(all)/2+1)
	}
	sort.Ints(out)
	return out
}

func (n *Nemesis) pick(from []int, k int) []int {
	perm := n.rand.Perm(len(from))
	out := make([]int, 0, k)
	for _, i := range perm[:min(k, len(from))] {
		out = append(out, from[i])
	}
	return out
}

func idsText(ids []int) string {
	if len(ids) == 0 {
		return "nobody"
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	return strings.Join(parts, ",")
}
