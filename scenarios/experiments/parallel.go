package experiments

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// Config sizes every experiment.
type Config struct {
	// Seeds is how many seeds each point of an experiment runs, seeds
	// FirstSeed.. FirstSeed+Seeds-1 (FirstSeed 0 means 1).
	Seeds     int
	FirstSeed uint64
	// Parallel bounds the runs under way at once (0: GOMAXPROCS).
	Parallel int
	// Meter, when set, is told how far each experiment has come; nil
	// stays silent. reports.NewProgress fits it.
	Meter func(label string, total int) Meter
}

// Meter counts finished runs of one experiment.
type Meter interface {
	Add(n int)
	Finish()
}

type silent struct{}

func (silent) Add(int) {}
func (silent) Finish() {}

func (c Config) seed(i int) uint64 {
	first := c.FirstSeed
	if first == 0 {
		first = 1
	}
	return first + uint64(i)
}

func (c Config) seeds() int { return max(c.Seeds, 1) }

func (c Config) parallel() int {
	if c.Parallel > 0 {
		return c.Parallel
	}
	return runtime.GOMAXPROCS(0)
}

func (c Config) meter(label string, total int) Meter {
	if c.Meter == nil {
		return silent{}
	}
	return c.Meter(label, total)
}

// runAll calls run for 0..n-1 on at most c.parallel() goroutines and
// returns the results in index order, so what an experiment computes
// from them does not depend on which run finished first. Each run reduces
// its world to a small result before it returns, which keeps memory to
// the runs under way. The first error by index is returned.
func runAll[T any](c Config, label string, n int, run func(i int) (T, error)) ([]T, error) {
	out := make([]T, n)
	errs := make([]error, n)
	m := c.meter(label, n)
	defer m.Finish()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(c.parallel(), n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				out[i], errs[i] = run(i)
				m.Add(1)
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%s: run %d: %w", label, i+1, err)
		}
	}
	return out, nil
}

// grid runs points × seeds, point-major: result [p][s] is point p on
// seed s.
func grid[T any](c Config, label string, points int, run func(point int, seed uint64) (T, error)) ([][]T, error) {
	seeds := c.seeds()
	flat, err := runAll(c, label, points*seeds, func(i int) (T, error) { return run(i/seeds, c.seed(i%seeds)) })
	if err != nil {
		return nil, err
	}
	out := make([][]T, points)
	for p := range out {
		out[p] = flat[p*seeds : (p+1)*seeds]
	}
	return out, nil
}
