package scenarios

import (
	"fmt"
	"slices"
	"time"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/recipes"
	"github.com/zabsim/zabsim/recipes/check"
	"github.com/zabsim/zabsim/sim/zk"
)

// The recipe workloads a scenario can name in Recipe. Their clients run
// the recipe code of package recipes (the same code that runs against a
// live ensemble) instead of the mixed workload, and each recipe's checker
// judges what they did beside the server checks.
const (
	RecipeLock       = "lock"
	RecipeElection   = "election"
	RecipeMembership = "membership"
	RecipeConfig     = "config"
	RecipeQueue      = "queue"
	RecipeBarrier    = "barrier"
)

var recipeNames = []string{RecipeLock, RecipeElection, RecipeMembership, RecipeConfig, RecipeQueue, RecipeBarrier}

// recipeRun is a recipe workload set up for one run: its programs, and
// the check of what they recorded once the run is over.
type recipeRun struct {
	programs []zk.Program
	check    func() ([]linearize.Violation, error)
}

// Timing of the recipe workloads: long enough critical sections and
// terms that faults land inside them, short enough that a 30-second
// window sees dozens of hand-overs.
const (
	lockHold     = 300 * time.Millisecond
	lockThink    = 50 * time.Millisecond
	electionLead = time.Second
	electionTick = 100 * time.Millisecond
)

func validRecipe(name string) bool { return name == "" || slices.Contains(recipeNames, name) }

// worker is a recipe client: recipes.LockWorker, recipes.Member, ...
type worker interface{ Run(c recipes.Conn) error }

// program runs w on a simulated client; a recipe's error fails the run.
func program(w worker, name string) zk.Program {
	return func(c *zk.Conn) {
		if err := w.Run(c); err != nil {
			panic(fmt.Sprintf("%s: %v", name, err))
		}
	}
}

// The changing clients of membership, config and queue scenarios (members
// coming and going, the config writer, producers) are sized to finish in
// the first half of the fault window when undisturbed; the watching ones
// (watchers, readers, consumers) carry on for settle after the window:
// long enough for delayed work to end, sessions to expire and views to
// converge.
const settle = 30 * time.Second

// recipeWorkload builds the recipe workload of s, sized to its clients
// and its fault window: lock and election clients keep the lock or the
// leadership changing hands through the window; the other recipes'
// clients are laid out in their cases.
func recipeWorkload(s Scenario) recipeRun {
	log := &recipes.Log{}
	var run recipeRun
	n := max(s.Clients, 1)
	switch s.Recipe {
	case RecipeLock:
		res := recipes.NewResource(log, s.Fenced)
		rounds := int(s.Duration/(time.Duration(n)*lockHold)) + 1
		for i := range n {
			w := recipes.LockWorker{Name: fmt.Sprintf("w%d", i), Dir: "/lock", Log: log, Resource: res,
				Rounds: rounds, Hold: lockHold, Think: lockThink}
			run.programs = append(run.programs, func(c *zk.Conn) {
				if i == 0 && s.Pause > 0 {
					// The first holder's first critical section is a
					// stop-the-world pause past its session timeout.
					w.Work = func(round int) {
						if round == 0 {
							c.Pause(s.Pause)
						} else {
							c.Sleep(w.Hold)
						}
					}
				}
				program(w, w.Name)(c)
			})
		}
		run.check = func() ([]linearize.Violation, error) { return check.Lock(log, s.Fenced) }
	case RecipeElection:
		terms := int(s.Duration/(time.Duration(n)*electionLead)) + 1
		for i := range n {
			k := recipes.Candidate{Name: fmt.Sprintf("c%d", i), Dir: "/election", Log: log,
				Terms: terms, Lead: electionLead, Tick: electionTick, Think: lockThink}
			run.programs = append(run.programs, program(k, k.Name))
		}
		run.check = func() ([]linearize.Violation, error) { return check.Election(log) }
	case RecipeMembership:
		// Half the clients stay in the group to the end, half come and
		// go during the fault window; a watcher records the views and a
		// balancer picks among the members it sees.
		until := s.Duration + settle
		var ws []worker
		for i := range max(n/2, 1) {
			ws = append(ws, recipes.Member{Name: fmt.Sprintf("stay%d", i), Dir: "/group", Log: log, Rounds: 1, Stay: until + 10*time.Second})
		}
		for i := range max(n-n/2, 1) {
			stay := time.Duration(2+i) * time.Second
			ws = append(ws, recipes.Member{Name: fmt.Sprintf("churn%d", i), Dir: "/group", Log: log,
				Rounds: int(s.Duration/2/(stay+time.Second)) + 1, Stay: stay, Away: time.Second})
		}
		ws = append(ws,
			recipes.GroupWatcher{Name: "watcher", Dir: "/group", Log: log, Until: until},
			recipes.GroupWatcher{Name: "balancer", Dir: "/group", Log: log, Until: until, PickEvery: 200 * time.Millisecond})
		run.programs = programs(ws)
		// A view may lag the group by twice the session timeout: the
		// server notices an expiry after the timeout, its client later.
		run.check = func() ([]linearize.Violation, error) { return check.Membership(log, 2*s.SessionTimeout) }
	case RecipeConfig:
		const every = 500 * time.Millisecond
		ws := []worker{recipes.ConfigWriter{Name: "writer", Path: "/app/config", Log: log, Versions: int(s.Duration / 2 / every), Every: every}}
		for i := range n {
			ws = append(ws, recipes.ConfigReader{Name: fmt.Sprintf("reader%d", i), Path: "/app/config", Log: log, Until: s.Duration + settle})
		}
		run.programs = programs(ws)
		run.check = func() ([]linearize.Violation, error) { return check.Config(log) }
	case RecipeQueue:
		// Two producers fill a bounded queue through the fault window,
		// the other clients consume at different speeds.
		const every = 300 * time.Millisecond
		var ws []worker
		for i := range 2 {
			ws = append(ws, recipes.Producer{Name: fmt.Sprintf("prod%d", i), Dir: "/queue", Log: log,
				Items: int(s.Duration / 2 / every), Bound: 8, Every: every})
		}
		for i := range max(n-2, 1) {
			ws = append(ws, recipes.Consumer{Name: fmt.Sprintf("cons%d", i), Dir: "/queue", Log: log,
				Until: s.Duration + settle, Work: time.Duration(200*(i+1)) * time.Millisecond})
		}
		run.programs = programs(ws)
		run.check = func() ([]linearize.Violation, error) { return check.Queue(log) }
	case RecipeBarrier:
		// Ephemeral participants, as on ZooKeeper's recipes page, unless
		// Durable: an expired participant vanishes from an ephemeral
		// barrier and lets the others leave early.
		var ws []worker
		for i := range n {
			work := time.Duration(300*(i+1)) * time.Millisecond
			ws = append(ws, recipes.BarrierParticipant{Name: fmt.Sprintf("part%d", i), Dir: "/barrier", Log: log,
				Size: n, Rounds: int(s.Duration/(3*time.Second)) + 1, Work: work, Think: 200 * time.Millisecond, Durable: s.Durable})
		}
		run.programs = programs(ws)
		run.check = func() ([]linearize.Violation, error) { return check.Barrier(log, n) }
	}
	return run
}

func programs(ws []worker) []zk.Program {
	out := make([]zk.Program, len(ws))
	for i, w := range ws {
		out[i] = program(w, fmt.Sprintf("recipe client %d", i))
	}
	return out
}
