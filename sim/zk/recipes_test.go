package zk

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/nemesis"
	"github.com/zabsim/zabsim/recipes"
	"github.com/zabsim/zabsim/recipes/check"
	"github.com/zabsim/zabsim/sim"
)

// worker is a recipe client: LockWorker, Member, ConfigReader, ...
type worker interface{ Run(c recipes.Conn) error }

func program(w worker) Program {
	return func(c *Conn) {
		if err := w.Run(c); err != nil {
			panic(err)
		}
	}
}

// Timing of the recipe runs: faults (when any) during the first
// faultWindow, watchers and consumers until watchUntil, long enough
// after the faults for sessions to settle; a view or a pick may lag the
// group by convergeBound (twice the session timeout: an expiry is
// noticed by the server after the timeout, by its client later).
const (
	faultWindow   = 20 * time.Second
	watchUntil    = 45 * time.Second
	convergeBound = 8 * time.Second
)

// recipeCase is a recipe workload: its workers, its checker, and what
// must have happened (so that a clean verdict is not a run that did
// nothing).
type recipeCase struct {
	name     string
	workers  func(log *recipes.Log, faults bool) []worker
	check    func(log *recipes.Log) ([]linearize.Violation, error)
	happened func(t *testing.T, log *recipes.Log)
}

func count(log *recipes.Log, k recipes.Kind) int {
	n := 0
	for _, e := range log.Entries() {
		if e.Kind == k {
			n++
		}
	}
	return n
}

var recipeCases = []recipeCase{{
	name: "membership",
	workers: func(log *recipes.Log, _ bool) []worker {
		var ws []worker
		for i := range 2 { // in the group to the end
			ws = append(ws, recipes.Member{Name: fmt.Sprintf("stay%d", i), Dir: "/group", Log: log,
				Rounds: 1, Stay: watchUntil + 10*time.Second})
		}
		for i := range 2 { // in and out
			ws = append(ws, recipes.Member{Name: fmt.Sprintf("churn%d", i), Dir: "/group", Log: log,
				Rounds: 4, Stay: time.Duration(2+i) * time.Second, Away: time.Second})
		}
		return append(ws,
			recipes.GroupWatcher{Name: "watcher", Dir: "/group", Log: log, Until: watchUntil},
			recipes.GroupWatcher{Name: "balancer", Dir: "/group", Log: log, Until: watchUntil, PickEvery: 200 * time.Millisecond})
	},
	check: func(log *recipes.Log) ([]linearize.Violation, error) { return check.Membership(log, convergeBound) },
	happened: func(t *testing.T, log *recipes.Log) {
		// Both watchers end on the same view, the stayers in it, and the
		// group settled while they still watched, so that the checker
		// judged views they kept up.
		final := map[string]recipes.Entry{}
		last := time.Duration(0)
		for _, e := range log.Entries() {
			switch e.Kind {
			case recipes.View:
				final[e.Client] = e
			case recipes.Joined, recipes.Left:
				if e.At < watchUntil {
					last = e.At
				}
			}
		}
		require.Len(t, final, 2)
		require.Equal(t, final["watcher"].Key, final["balancer"].Key)
		require.Subset(t, strings.Split(final["watcher"].Key, ","), []string{"stay0", "stay1"})
		require.GreaterOrEqual(t, watchUntil-last, convergeBound, "the group changed too late to judge the final views")
		require.GreaterOrEqual(t, count(log, recipes.Left), 8)
		require.Greater(t, count(log, recipes.Picked), 40)
	},
}, {
	name: "config",
	workers: func(log *recipes.Log, _ bool) []worker {
		ws := []worker{recipes.ConfigWriter{Name: "writer", Path: "/app/config", Log: log, Versions: 20, Every: 500 * time.Millisecond}}
		for i := range 3 {
			ws = append(ws, recipes.ConfigReader{Name: fmt.Sprintf("reader%d", i), Path: "/app/config", Log: log, Until: watchUntil})
		}
		return ws
	},
	check: check.Config,
	happened: func(t *testing.T, log *recipes.Log) {
		require.Equal(t, 20, count(log, recipes.ConfigWritten))
		require.GreaterOrEqual(t, count(log, recipes.ConfigActed), 3)
	},
}, {
	name: "queue",
	workers: func(log *recipes.Log, _ bool) []worker {
		var ws []worker
		for i := range 2 {
			ws = append(ws, recipes.Producer{Name: fmt.Sprintf("prod%d", i), Dir: "/queue", Log: log,
				Items: 15, Bound: 8, Every: 300 * time.Millisecond})
		}
		for i := range 3 {
			ws = append(ws, recipes.Consumer{Name: fmt.Sprintf("cons%d", i), Dir: "/queue", Log: log,
				Until: watchUntil, Work: time.Duration(200*(i+1)) * time.Millisecond})
		}
		return ws
	},
	check: check.Queue,
	happened: func(t *testing.T, log *recipes.Log) {
		require.Equal(t, 30, count(log, recipes.Produced))
		require.Equal(t, 30, count(log, recipes.Consumed))
	},
}, {
	name: "barrier",
	workers: func(log *recipes.Log, faults bool) []worker {
		var ws []worker
		for i := range 3 {
			// Ephemeral participants, as on the recipes page, are unsafe
			// when a session expires inside the barrier: under faults
			// they are durable.
			ws = append(ws, recipes.BarrierParticipant{Name: fmt.Sprintf("part%d", i), Dir: "/barrier", Log: log,
				Size: 3, Rounds: 4, Work: time.Duration(300*(i+1)) * time.Millisecond, Think: 200 * time.Millisecond,
				Durable: faults})
		}
		return ws
	},
	check: func(log *recipes.Log) ([]linearize.Violation, error) { return check.Barrier(log, 3) },
	happened: func(t *testing.T, log *recipes.Log) {
		require.Equal(t, 12, count(log, recipes.BarrierLeft))
	},
}}

// TestRecipes runs each recipe in the simulator, calm and under faults
// in the first faultWindow: swarm faults of the servers and pauses of
// the clients. Each recipe's checker judges what its clients did.
func TestRecipes(t *testing.T) {
	for _, rc := range recipeCases {
		for _, faults := range []bool{false, true} {
			name := rc.name + "/calm"
			if faults {
				name = rc.name + "/faults"
			}
			t.Run(name, func(t *testing.T) {
				for seed := uint64(1); seed <= recipeSeeds(); seed++ {
					t.Run(fmt.Sprint(seed), func(t *testing.T) {
						log := &recipes.Log{}
						res := runRecipe(t, rc.workers(log, faults), seed, faults)
						require.True(t, res.Verdict.OK(), strings.Join(res.Verdict.Lines(), "\n"))
						v, err := rc.check(log)
						require.NoError(t, err)
						require.Empty(t, v)
						rc.happened(t, log)
					})
				}
			})
		}
	}
}

// runRecipe runs workers on a fresh world of seed, with or without
// faults.
func runRecipe(t *testing.T, workers []worker, seed uint64, faults bool) Result {
	t.Helper()
	var progs []Program
	for _, w := range workers {
		progs = append(progs, program(w))
	}
	cfg := programConfig(seed, progs...)
	if faults {
		r := sim.New(sim.Config{Seed: seed}).Rand("nemesis")
		cfg.Schedule = nemesis.Generate(r, nemesis.Swarm(r), 3, faultWindow)
		cfg.ProgramPauses = faultWindow
	}
	w, err := New(cfg)
	require.NoError(t, err)
	res, err := w.Run()
	require.NoError(t, err)
	return res
}

// recipeSeeds is how many seeds each recipe runs (ZABSIM_SEEDS for a
// longer sweep).
func recipeSeeds() uint64 {
	if n, err := strconv.ParseUint(os.Getenv("ZABSIM_SEEDS"), 10, 64); err == nil {
		return n
	}
	if testing.Short() {
		return 2
	}
	return 5
}

// TestEphemeralBarrierUnsafe: with ephemeral nodes, as on ZooKeeper's
// recipes page, a participant whose session expires inside the barrier
// vanishes from it, and the others leave before it has begun to. Client
// pauses past the session timeout make this happen, and the barrier
// checker must say so.
func TestEphemeralBarrierUnsafe(t *testing.T) {
	var barrier recipeCase
	for _, rc := range recipeCases {
		if rc.name == "barrier" {
			barrier = rc
		}
	}
	for seed := uint64(1); seed <= 20; seed++ {
		log := &recipes.Log{}
		res := runRecipe(t, barrier.workers(log, false), seed, true)
		require.True(t, res.Verdict.OK(), "seed %d: %s", seed, strings.Join(res.Verdict.Lines(), "\n"))
		v, err := barrier.check(log)
		require.NoError(t, err)
		if len(v) > 0 {
			require.Equal(t, check.BarrierLeave, v[0].Check)
			t.Logf("seed %d: %s", seed, v[0].Summary)
			return
		}
	}
	t.Fatal("no seed of 20 showed an ephemeral participant's expiry letting the others leave early")
}

// TestRecipesReplayExactly: each recipe under faults gives the same trace
// hash and the same log twice over.
func TestRecipesReplayExactly(t *testing.T) {
	for _, rc := range recipeCases {
		t.Run(rc.name, func(t *testing.T) {
			run := func() (uint64, []recipes.Entry) {
				log := &recipes.Log{}
				res := runRecipe(t, rc.workers(log, true), 3, true)
				return res.TraceHash, log.Entries()
			}
			h1, l1 := run()
			h2, l2 := run()
			require.Equal(t, h1, h2)
			require.Equal(t, l1, l2)
		})
	}
}

// TestRecipeRegressionSeeds replays the recipe runs that found bugs.
func TestRecipeRegressionSeeds(t *testing.T) {
	for _, tc := range []struct {
		recipe string
		seed   uint64
		why    string
	}{
		// A leader that established its epoch and stepped down before
		// logging anything in it holds epoch<<32 in memory, as ZooKeeper's
		// startZkServer sets it: memory-disk-agreement took it for a
		// disagreement.
		{"queue", 109, "idle leader's epoch marker"},
	} {
		t.Run(fmt.Sprintf("%s/%d", tc.recipe, tc.seed), func(t *testing.T) {
			for _, rc := range recipeCases {
				if rc.name != tc.recipe {
					continue
				}
				log := &recipes.Log{}
				res := runRecipe(t, rc.workers(log, true), tc.seed, true)
				require.True(t, res.Verdict.OK(), "%s: %s", tc.why, strings.Join(res.Verdict.Lines(), "\n"))
				return
			}
			t.Fatalf("no recipe %q", tc.recipe)
		})
	}
}
