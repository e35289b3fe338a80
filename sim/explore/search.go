package explore

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/zabsim/zabsim/protocol"
)

// maxServers bounds Config.Servers: ids fit the footprints' masks.
const maxServers = 9

// Config bounds a search.
type Config struct {
	Servers    int
	Quorum     int // 0: majority
	Writes     int
	Crashes    int
	Partitions int
	// Losses bounds the messages lost from a live connection. Only those
	// whose loss the protocol must survive are: election notifications
	// (FLE resends) and followers' ACKs (a lost ACK only delays a
	// commit). Over TCP neither is lost alone; the fault exposes mistakes
	// that FIFO delivery hides (commit-out-of-order).
	Losses int
	// Timeouts bounds how often a server in a role gives up on it.
	Timeouts int
	// FromEmpty explores the initial election too; otherwise the search
	// starts once a deterministic election has settled.
	FromEmpty bool
	// CrashPoints carries out each storage operation as a choice of its
	// own, so crashes fall between an append, its fsync, an epoch file
	// write and the messages that depend on them.
	CrashPoints bool
	// ElectionLinks bounds the notifications in flight on one election
	// link (0: no bound). A newer one pushes out the oldest, as
	// QuorumCnxManager's send queue of one does when the sender thread
	// lags; with 1, an election link holds only the latest vote.
	ElectionLinks int
	Depth         int // choices per path
	States        int // distinct states before giving up
	Bugs          []protocol.Bug
	// NoSleepSets and NoSymmetry switch the reductions off, to measure
	// what they save.
	NoSleepSets bool
	NoSymmetry  bool
}

// Result is what a search found.
type Result struct {
	Explored int // transitions taken
	Distinct int // distinct states
	Depth    int // deepest level reached
	// Complete: every state within the bounds was explored. Frontier
	// counts the states at the depth bound whose successors lie beyond
	// it; 0 means no reachable state is deeper.
	Complete bool
	Frontier int
	Walks    int // random walks taken (Walk); 0 for a systematic search
	// Slept counts choices sleep sets pruned; Reexpanded, states
	// expanded again because a later path reached them with a smaller
	// sleep set.
	Slept      int
	Reexpanded int
	// Symmetric counts successors digested under every relabelling.
	Symmetric int
	Elapsed   time.Duration
	Violation string
	Choices   []Choice // the path to the violation
}

// StatesPerSecond is distinct states per wall second.
func (r Result) StatesPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Distinct) / r.Elapsed.Seconds()
}

func (r Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "explored %d transitions, %d distinct states, depth %d, %.0f states/s", r.Explored, r.Distinct, r.Depth, r.StatesPerSecond())
	if r.Slept > 0 {
		fmt.Fprintf(&b, ", sleep sets pruned %d transitions (%d states re-expanded)", r.Slept, r.Reexpanded)
	}
	if r.Symmetric > 0 {
		fmt.Fprintf(&b, ", %d successors digested up to relabelling", r.Symmetric)
	}
	switch {
	case r.Walks > 0:
		fmt.Fprintf(&b, ", %d random walks", r.Walks)
	case r.Complete && r.Frontier > 0:
		fmt.Fprintf(&b, ", complete to depth %d (%d states at that depth have successors beyond it)", r.Depth, r.Frontier)
	case r.Complete:
		b.WriteString(", complete (no reachable state is deeper)")
	case r.Violation == "":
		b.WriteString(", stopped at a bound")
	}
	if r.Violation != "" {
		fmt.Fprintf(&b, "\nviolation: %s\nchoices: %s", r.Violation, FormatChoices(r.Choices))
	}
	return b.String()
}

// FormatChoices is the --replay form of a path.
func FormatChoices(cs []Choice) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.String()
	}
	return strings.Join(parts, ",")
}

func (c *Config) validate() error {
	switch {
	case c.Servers < 1 || c.Servers > maxServers:
		return fmt.Errorf("explore: --servers %d is not between 1 and %d", c.Servers, maxServers)
	case c.Writes < 0 || c.Crashes < 0 || c.Partitions < 0 || c.Timeouts < 0 || c.ElectionLinks < 0 || c.Losses < 0:
		return fmt.Errorf("explore: negative bound")
	case c.Depth <= 0 || c.States <= 0:
		return fmt.Errorf("explore: depth %d and states %d must be positive", c.Depth, c.States)
	}
	return nil
}

// replay builds the world reached by a path; ok is false if some choice
// was not enabled.
func replay(cfg Config, path []Choice, tracing bool) (*world, bool, error) {
	w, err := newWorld(cfg)
	if err != nil {
		return nil, false, err
	}
	w.tracing = tracing
	if !cfg.FromEmpty {
		if err := w.settle(); err != nil {
			return nil, false, err
		}
		w.trace = nil
	}
	for _, c := range path {
		if !w.apply(c) {
			return w, false, nil
		}
		w.check()
		if w.violation != "" {
			break
		}
	}
	return w, true, nil
}

// node is one state of the search tree, reached from its parent by the
// choice with the given label. Frontier states are kept as nodes (a few
// bytes) and rebuilt from their parents when expanded.
type node struct {
	parent int32
	label  uint16
	sleep  uint64 // the sleep set it is expanded with
	only   uint64 // the labels to explore: all for a first visit
}

// searcher is one breadth-first search.
type searcher struct {
	cfg   Config
	n     uint64
	sleep bool // sleep sets on (labels fit in a mask)
	nodes []node
	seen  *visited
	// stack[k] is the world of stackNode[k], the depth-k ancestor of the
	// node last rebuilt: successive frontier nodes share most of their
	// paths, so each is rebuilt from the deepest common ancestor.
	stack     []*world
	stackNode []int32
	chain     []int32
}

// GCTarget is the garbage collector target (debug.SetGCPercent) that
// suits a large search: with the default the collector rescans the
// search's tables after every few expansions.
const GCTarget = 400

// Explore searches breadth-first, so the first violation found has a
// shortest path. Its tables live until it ends while most of what it
// allocates dies within one expansion: a program that runs large
// searches does well to raise the collector's target (GCTarget), which
// is the process's to choose, not this package's.
func Explore(cfg Config) (Result, error) {
	if err := cfg.validate(); err != nil {
		return Result{}, err
	}
	start := time.Now()
	var res Result
	root, _, err := replay(cfg, nil, false)
	if err != nil {
		return res, err
	}
	s := &searcher{cfg: cfg, n: uint64(cfg.Servers), seen: newVisited()}
	s.sleep = !cfg.NoSleepSets && labels(s.n, cfg.Losses > 0) <= 64
	s.nodes = []node{{parent: -1, only: ^uint64(0)}}
	s.stack, s.stackNode = []*world{root}, []int32{0}
	s.seen.put(root.digest(), seenState{node: 0})
	res.Distinct = 1
	done := func() (Result, error) {
		res.Elapsed = time.Since(start)
		return res, nil
	}
	for depth, from, to := 0, 0, 1; from < to; depth, from, to = depth+1, to, len(s.nodes) {
		if depth >= cfg.Depth {
			// Every state within the bounds was reached and checked;
			// only the successors of the last level lie beyond them.
			res.Complete, res.Frontier = true, to-from
			return done()
		}
		for cur := from; cur < to; cur++ {
			if v, path := s.expand(int32(cur), depth, &res); v != "" {
				res.Violation, res.Choices, res.Depth = v, path, depth+1
				return done()
			}
			if res.Distinct >= cfg.States {
				return done()
			}
		}
	}
	res.Complete = true
	return done()
}

// expand generates the successors of node cur, which is depth choices
// from the root; on a violation it returns it with its path.
func (s *searcher) expand(cur int32, depth int, res *Result) (string, []Choice) {
	parent := s.world(cur)
	nd := s.nodes[cur]
	type sibling struct {
		label uint64
		fp    footprint
	}
	before := make([]sibling, 0, 16) // plain choices explored from here so far
	for _, c := range parent.enabled() {
		l := c.label(s.n)
		if s.sleep {
			if nd.sleep&(1<<l) != 0 {
				res.Slept++
				continue
			}
			if nd.only&(1<<l) == 0 {
				continue
			}
		}
		w := parent.clone()
		res.Explored++
		if !w.apply(c) {
			continue
		}
		w.check()
		if w.violation != "" {
			return w.violation, append(s.path(cur), c)
		}
		var sleep uint64
		if s.sleep {
			for rest := nd.sleep; rest != 0; rest &= rest - 1 {
				u := uint64(bits.TrailingZeros64(rest))
				if independent(asleep(choiceOf(u, s.n)), w.fp) {
					sleep |= 1 << u
				}
			}
			for _, b := range before {
				if independent(b.fp, w.fp) {
					sleep |= 1 << b.label
				}
			}
			if w.fp.plain() {
				before = append(before, sibling{l, w.fp})
			}
		}
		d := w.digest()
		if w.sym {
			// A visit through a relabelled copy would read the sleep set
			// with the labels of other servers: symmetric states sleep
			// nothing.
			sleep = 0
			res.Symmetric++
		}
		seen, ok := s.seen.get(d)
		if !ok {
			s.nodes = append(s.nodes, node{parent: cur, label: uint16(l), sleep: sleep, only: ^uint64(0)})
			s.seen.put(d, seenState{sleep: sleep, node: int32(len(s.nodes) - 1)})
			res.Distinct++
			res.Depth = max(res.Depth, depth+1)
			if res.Distinct >= s.cfg.States {
				return "", nil
			}
			continue
		}
		wake := seen.sleep &^ sleep
		if wake == 0 {
			continue
		}
		// The state was queued or expanded with choices asleep that are
		// awake on this path: they must be explored from it after all.
		if seen.node > cur {
			nd := &s.nodes[seen.node]
			nd.sleep &= sleep
			nd.only |= wake
		} else {
			s.nodes = append(s.nodes, node{parent: cur, label: uint16(l), sleep: sleep, only: wake})
			seen.node = int32(len(s.nodes) - 1)
			res.Reexpanded++
		}
		seen.sleep &= sleep
		s.seen.put(d, seen)
	}
	return "", nil
}

// path is the choice sequence that reaches node i.
func (s *searcher) path(i int32) []Choice {
	var out []Choice
	for ; i > 0; i = s.nodes[i].parent {
		out = append(out, choiceOf(uint64(s.nodes[i].label), s.n))
	}
	slices.Reverse(out)
	return out
}

// world rebuilds node i's state from the deepest ancestor on the stack.
func (s *searcher) world(i int32) *world {
	s.chain = s.chain[:0]
	for j := i; j >= 0; j = s.nodes[j].parent {
		s.chain = append(s.chain, j)
	}
	slices.Reverse(s.chain)
	k := 1
	for k < len(s.chain) && k < len(s.stackNode) && s.stackNode[k] == s.chain[k] {
		k++
	}
	s.stack, s.stackNode = s.stack[:k], s.stackNode[:k]
	for ; k < len(s.chain); k++ {
		w := s.stack[k-1].clone()
		w.apply(choiceOf(uint64(s.nodes[s.chain[k]].label), s.n))
		s.stack, s.stackNode = append(s.stack, w), append(s.stackNode, s.chain[k])
	}
	return s.stack[len(s.stack)-1]
}

// Replay reruns a choice sequence and returns the step-by-step trace and
// any violation.
func Replay(cfg Config, path []Choice) (trace []string, violation string, err error) {
	if err := cfg.validate(); err != nil {
		return nil, "", err
	}
	w, ok, err := replay(cfg, path, true)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		return w.trace, "", fmt.Errorf("explore: choice %d (%s) is not enabled there", len(w.trace), path[len(w.trace)-1])
	}
	return w.trace, w.violation, nil
}
