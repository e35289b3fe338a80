package explore

import (
	"fmt"
	"time"

	"github.com/zabsim/zabsim/sim"
)

// walksMax bounds one Walk call.
const walksMax = 10_000_000

// Walk is the explorer's simulation mode (TLC's -simulate): instead of
// every interleaving up to a depth, it follows walks random choices deep
// from the start, each of up to cfg.Depth steps, checking the invariants
// after every step. It reaches depths breadth-first search cannot afford
// (a restart, a sync and a second crash are dozens of choices deep), at
// the price of completeness. The walks are a function of seed; a
// violation comes with its choice sequence for Replay.
func Walk(cfg Config, walks int, seed uint64) (Result, error) {
	if err := cfg.validate(); err != nil {
		return Result{}, err
	}
	if walks < 1 || walks > walksMax {
		return Result{}, fmt.Errorf("explore: --walks %d is not between 1 and %d", walks, walksMax)
	}
	start := time.Now()
	root, _, err := replay(cfg, nil, false)
	if err != nil {
		return Result{}, err
	}
	r := sim.NewRand(seed).Fork("explore/walk")
	seen := map[uint64]bool{root.digest(): true}
	res := Result{Distinct: 1}
	for ; res.Walks < walks; res.Walks++ {
		w := root.clone()
		var path []Choice
		for depth := 0; depth < cfg.Depth; depth++ {
			choices := w.enabled()
			if len(choices) == 0 {
				break
			}
			c := choices[r.IntN(len(choices))]
			res.Explored++
			if !w.apply(c) {
				continue
			}
			path = append(path, c)
			w.check()
			if w.violation != "" {
				res.Walks++
				res.Violation, res.Choices = w.violation, path
				res.Depth = max(res.Depth, len(path))
				res.Elapsed = time.Since(start)
				return res, nil
			}
			if d := w.digest(); !seen[d] && len(seen) < cfg.States {
				seen[d] = true
				res.Distinct++
			}
			res.Depth = max(res.Depth, len(path))
		}
	}
	res.Elapsed = time.Since(start)
	return res, nil
}
