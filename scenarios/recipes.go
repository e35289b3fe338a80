package scenarios

import (
	"fmt"
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
	RecipeLock     = "lock"
	RecipeElection = "election"
)

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

func validRecipe(name string) bool { return name == "" || name == RecipeLock || name == RecipeElection }

// recipeWorkload builds the recipe workload of s: s.Clients clients, with
// enough rounds each to keep the lock or the leadership changing hands
// for the whole fault window.
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
				if err := w.Run(c); err != nil {
					panic(fmt.Sprintf("lock worker %s: %v", w.Name, err))
				}
			})
		}
		run.check = func() ([]linearize.Violation, error) { return check.Lock(log, s.Fenced) }
	case RecipeElection:
		terms := int(s.Duration/(time.Duration(n)*electionLead)) + 1
		for i := range n {
			k := recipes.Candidate{Name: fmt.Sprintf("c%d", i), Dir: "/election", Log: log,
				Terms: terms, Lead: electionLead, Tick: electionTick, Think: lockThink}
			run.programs = append(run.programs, func(c *zk.Conn) {
				if err := k.Run(c); err != nil {
					panic(fmt.Sprintf("candidate %s: %v", k.Name, err))
				}
			})
		}
		run.check = func() ([]linearize.Violation, error) { return check.Election(log) }
	}
	return run
}
