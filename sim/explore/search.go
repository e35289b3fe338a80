package explore

import (
	"fmt"
	"strings"
	"time"

	"github.com/zabsim/zabsim/protocol"
)

// Config bounds a search.
type Config struct {
	Servers    int
	Quorum     int // 0: majority
	Writes     int
	Crashes    int
	Partitions int
	// Timeouts bounds how often a server in a role gives up on it.
	Timeouts int
	// FromEmpty explores the initial election too; otherwise the search
	// starts once a deterministic election has settled.
	FromEmpty bool
	// CrashPoints carries out each storage operation as a choice of its
	// own, so crashes fall between an append, its fsync, an epoch file
	// write and the messages that depend on them.
	CrashPoints bool
	Depth       int // choices per path
	States      int // distinct states before giving up
	Bugs        []protocol.Bug
}

// Result is what a search found.
type Result struct {
	Explored  int // transitions taken
	Distinct  int // distinct states
	Depth     int // deepest level reached
	Complete  bool
	Walks     int // random walks taken (Walk); 0 for a systematic search
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
	switch {
	case r.Walks > 0:
		fmt.Fprintf(&b, ", %d random walks", r.Walks)
	case r.Complete:
		b.WriteString(", complete")
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
	case c.Servers < 1 || c.Servers > 9:
		return fmt.Errorf("explore: --servers %d is not between 1 and 9", c.Servers)
	case c.Writes < 0 || c.Crashes < 0 || c.Partitions < 0 || c.Timeouts < 0:
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

// Explore searches breadth-first, so the first violation found has a
// shortest path.
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
	seen := map[uint64]bool{root.digest(): true}
	res.Distinct = 1
	frontier := [][]Choice{nil}
	for depth := 0; len(frontier) > 0; depth++ {
		if depth >= cfg.Depth {
			res.Elapsed = time.Since(start)
			return res, nil
		}
		var next [][]Choice
		for _, path := range frontier {
			// Frontier states are kept as paths (small) and rebuilt once;
			// each successor then starts from a clone.
			parent := root.clone()
			for _, c := range path {
				parent.apply(c)
			}
			for _, c := range parent.enabled() {
				w := parent.clone()
				res.Explored++
				if !w.apply(c) {
					continue
				}
				w.check()
				child := append(append([]Choice(nil), path...), c)
				if w.violation != "" {
					res.Violation, res.Choices = w.violation, child
					res.Depth = depth + 1
					res.Elapsed = time.Since(start)
					return res, nil
				}
				d := w.digest()
				if seen[d] {
					continue
				}
				seen[d] = true
				res.Distinct++
				res.Depth = depth + 1
				if res.Distinct >= cfg.States {
					res.Elapsed = time.Since(start)
					return res, nil
				}
				next = append(next, child)
			}
		}
		frontier = next
	}
	res.Complete = true
	res.Elapsed = time.Since(start)
	return res, nil
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
