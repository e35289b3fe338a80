package scenarios

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/nemesis"
	"github.com/zabsim/zabsim/recipes/check"
)

// Expectation is what a scenario must show over its seeds.
type Expectation string

const (
	// ExpectOK: every seed's verdict is ok.
	ExpectOK Expectation = "ok"
	// ExpectViolation: at least one seed fails one of the scenario's
	// Damage checks. Used for set-ups that are broken on purpose, to prove
	// the checkers see the breakage.
	ExpectViolation Expectation = "violation"
)

// Scenario is one named experiment, as data: the ensemble, the clients'
// workload, the faults and what the verdict must be.
type Scenario struct {
	Name    string
	Summary string
	// Servers are voters, Observers non-voting learners; Quorum is the
	// acks a decision needs (0: a majority of the voters).
	Servers, Observers, Quorum int
	// The workload: Clients each run a mix of operations on Keys contended
	// znodes, waiting up to Think between operations. SessionTimeout is
	// what clients ask for (the servers negotiate it to 2..20 ticks).
	Clients        int
	Keys           int
	Think          time.Duration
	SessionTimeout time.Duration
	// Faults names the nemesis (see Faults).
	Faults string
	// Duration is how long faults are injected, in simulated time; the
	// clients' workload is sized to keep running through it.
	Duration time.Duration
	// LivenessBound: after the last fault is healed, a leader must serve
	// and every client must finish within it.
	LivenessBound time.Duration
	Expect        Expectation
	// Damage lists the checks whose failure counts as the expected
	// violation of an ExpectViolation scenario. A quorum of 2 out of 5
	// always trips quorum-intersection; the point is to see the harm
	// clients suffer, so that check alone is not enough.
	Damage []linearize.Check
	// SkipSyncedReads leaves sync+read pairs out of the linearizability
	// model, for faults that cut a leader from its quorum: a deposed
	// leader may answer a sync for up to syncLimit (ZAB.md §4), which
	// ZooKeeper allows.
	SkipSyncedReads bool
	// Recipe, when set, names a recipe workload (RecipeLock, ...): the
	// Clients run that recipe instead of the mixed workload, and its
	// checker joins the verdict. Fenced makes the lock's resource check
	// fencing tokens; Pause stops the first lock holder's client that
	// long inside its first critical section.
	Recipe string
	Fenced bool
	Pause  time.Duration
	// ClientPauses stops the recipe clients now and then during the
	// fault window, each time for up to twice the session timeout (see
	// zk.Config.ProgramPauses). Durable makes barrier participants'
	// nodes persistent instead of ephemeral.
	ClientPauses bool
	Durable      bool
	// EventsMax, when positive, replaces the run's budget of simulated
	// events (zk.DefaultConfig's). Without clients a run needs a few
	// thousand events a second, so a small budget turns a notification
	// storm that never elects a leader into a failure in seconds of wall
	// time instead of a minute.
	EventsMax uint64
	// StartGap, when positive, switches the servers on one after another,
	// server i at (i-1)*StartGap, instead of all at once.
	StartGap time.Duration
}

// Fault generators a scenario can name besides nemesis.Profiles.
const (
	// FaultsSwarm draws a fresh profile for every seed (nemesis.Swarm).
	FaultsSwarm = "swarm"
	// FaultsRolling restarts the servers one at a time, in a random order,
	// each once the previous is back, like an operator's rolling upgrade.
	FaultsRolling = "rolling-restarts"
	// FaultsStaggered crashes a server, lets the others commit without it,
	// crashes the leader, and restarts the lagging server first: the one
	// with the shorter log must not win the election.
	FaultsStaggered = "staggered-crashes"
	// FaultsTwoCrashes crashes one server, later a second, and restarts
	// both: how many failures does the ensemble tolerate?
	FaultsTwoCrashes = "two-crashes"
)

// ErrUnknown is returned for a scenario name that is not in the catalogue.
var ErrUnknown = errors.New("scenarios: unknown scenario")

const (
	defaultDuration = 30 * time.Second
	defaultLiveness = time.Minute
)

// base is the shape most scenarios share: 10 clients over 5 keys, a think
// time of up to 100 ms, sessions of 4 s, 30 s of faults.
func base(name, summary string, servers int, faults string) Scenario {
	return Scenario{
		Name: name, Summary: summary, Servers: servers, Faults: faults,
		Clients: 10, Keys: 5, Think: 100 * time.Millisecond, SessionTimeout: 4 * time.Second,
		Duration: defaultDuration, LivenessBound: defaultLiveness, Expect: ExpectOK,
	}
}

// catalogue is every scenario, in the order they are listed and run.
var catalogue = []Scenario{
	base("steady-state", "3 servers, no faults: the baseline every check must pass", 3, "none"),
	base("steady-state-5", "5 servers, no faults, 20 clients", 5, "none").with(func(s *Scenario) { s.Clients = 20 }),
	base("leader-crash-loop", "the leader crashes every few seconds and restarts from its disk", 3, "leader-crash"),
	base("follower-crash-loop", "a follower crashes every few seconds and restarts from its disk", 5, "follower-crash"),
	base("rolling-restarts", "every server restarts once, one at a time, under load", 5, FaultsRolling),
	base("crash-kill", "crashes of the leader, followers and minorities, some losing unsynced writes", 5, "crashes"),
	base("staggered-crashes", "a server falls behind, the leader crashes, and the laggard restarts first: it must not lead", 3, FaultsStaggered),
	base("idle-crashes", "5 servers and no clients: leaders and followers crash and restart, and epochs are established with no transaction in them", 5, "crashes").
		with(func(s *Scenario) { s.Clients, s.EventsMax = 0, 1_000_000 }),
	base("total-crash", "every server crashes at once and the ensemble recovers from disk", 3, "total-crash"),
	base("crash-points", "servers crash at named points around NEWLEADER, fsync and snapshots", 3, "crash-points"),
	base("minority-partition", "a random minority is cut off from the majority", 5, "minority-partition").skipSynced(),
	base("isolated-leader", "the leader is cut off from everyone and must step down within syncLimit", 5, "isolate-leader").skipSynced(),
	base("bridge", "two halves joined by one server that sees both", 5, "bridge").skipSynced(),
	base("partitions", "every partition shape: halves, minority, isolated leader, bridge, ring, one-way", 5, "partitions").skipSynced(),
	base("flaky-network", "message loss, duplication, latency spikes and connection resets", 3, "flaky-network"),
	base("swizzle", "FoundationDB's swizzle-clogging: servers' links clogged one by one, unclogged in another order", 5, "swizzle").skipSynced(),
	base("pauses", "a server stops (like SIGSTOP or a long GC pause) and continues", 3, "pauses").skipSynced(),
	base("clock-skew-sessions", "servers' clocks run from 0.25x to 3x while short sessions expire and reconnect", 3, "clock-skew").
		with(func(s *Scenario) { s.SessionTimeout = 2 * time.Second }),
	base("slow-disk", "a server's fsync takes up to 400 ms", 3, "slow-disk"),
	base("observers-partition", "3 voters and 2 observers under partitions", 3, "partitions").
		with(func(s *Scenario) { s.Observers = 2 }).skipSynced(),
	base("swarm", "a different random mix of every fault kind for each seed (swarm testing)", 5, FaultsSwarm).skipSynced(),
	base("split-brain-quorum2", "5 servers with a quorum of 2 under partitions: two leaders serve at once and acknowledged writes are lost", 5, "partitions").
		with(func(s *Scenario) {
			s.Quorum = 2
			s.Expect = ExpectViolation
			s.Damage = []linearize.Check{linearize.AckedWriteDurable, linearize.Linearizable, linearize.OneLeaderPerEpoch}
		}).skipSynced(),

	// The textbook examples.
	base("staggered-start", "5 servers switched on 2 s apart from empty: server 3 leads as soon as it starts (a majority of votes), 4 and 5 join it as followers", 5, "none").
		with(func(s *Scenario) { s.StartGap = 2 * time.Second }),
	base("four-servers-two-crashes", "4 servers lose one server, then a second: like 3 servers, they tolerate only one failure", 4, FaultsTwoCrashes),

	// Recipes: the coordination patterns built on ZooKeeper, each judged
	// by its own checker.
	recipe("lock", "4 clients take turns on ZooKeeper's lock recipe: never two holders at once", 3, "none", RecipeLock),
	recipe("lock-swarm", "the lock recipe with fencing tokens under swarm faults: the resource never takes a stale holder's write", 5, FaultsSwarm, RecipeLock).
		with(func(s *Scenario) { s.Fenced = true }).skipSynced(),
	recipe("lock-pause-nofence", "a lock holder pauses past its session timeout (a GC pause) and writes after another client took the lock: unsafe without fencing", 3, "none", RecipeLock).
		with(func(s *Scenario) {
			s.Pause = 3 * s.SessionTimeout
			s.Expect = ExpectViolation
			s.Damage = []linearize.Check{check.MutualExclusion, check.StaleWrite}
		}),
	recipe("lock-pause-fence", "the same pause with fencing tokens: the resource refuses the stale holder's write", 3, "none", RecipeLock).
		with(func(s *Scenario) { s.Pause, s.Fenced = 3*s.SessionTimeout, true }),
	recipe("election", "4 candidates take turns leading with ZooKeeper's leader election recipe", 3, "none", RecipeElection),
	recipe("election-swarm", "the leader election recipe under swarm faults: one leader per term, terms in order", 5, FaultsSwarm, RecipeElection).skipSynced(),
	recipe("membership", "members join and leave a group; a watcher's view and a balancer's picks follow the live sessions", 3, "none", RecipeMembership),
	recipe("membership-swarm", "group membership under swarm faults and client pauses: views converge to the live sessions within twice the session timeout", 5, FaultsSwarm, RecipeMembership).
		with(func(s *Scenario) { s.ClientPauses = true }).skipSynced(),
	recipe("config", "a writer publishes 60 configuration versions; readers follow with data watches", 3, "none", RecipeConfig),
	recipe("config-swarm", "configuration under swarm faults and client pauses: every reader ends on the last version and never goes back", 5, FaultsSwarm, RecipeConfig).
		with(func(s *Scenario) { s.ClientPauses = true }).skipSynced(),
	recipe("queue", "two producers and two consumers share a bounded FIFO queue of sequential nodes", 3, "none", RecipeQueue),
	recipe("queue-swarm", "the queue under swarm faults and client pauses: every item consumed exactly once, in order", 5, FaultsSwarm, RecipeQueue).
		with(func(s *Scenario) { s.ClientPauses = true }).skipSynced(),
	recipe("barrier", "3 participants pass a double barrier round after round", 3, "none", RecipeBarrier).
		with(func(s *Scenario) { s.Clients = 3 }),
	recipe("barrier-swarm", "the double barrier with persistent participant nodes under swarm faults and client pauses: none enters or leaves early", 5, FaultsSwarm, RecipeBarrier).
		with(func(s *Scenario) { s.Clients, s.ClientPauses, s.Durable = 3, true, true }).skipSynced(),
	recipe("barrier-ephemeral-pauses", "the double barrier as ZooKeeper's recipes page writes it, with ephemeral nodes: a participant paused past its session timeout vanishes and the others leave early", 3, "none", RecipeBarrier).
		with(func(s *Scenario) {
			s.Clients, s.ClientPauses = 3, true
			s.Expect = ExpectViolation
			s.Damage = []linearize.Check{check.BarrierLeave, check.BarrierEnter}
		}),
}

// recipe is a scenario whose 4 clients run a recipe.
func recipe(name, summary string, servers int, faults, recipe string) Scenario {
	s := base(name, summary, servers, faults)
	s.Clients, s.Recipe = 4, recipe
	return s
}

func (s Scenario) with(fn func(*Scenario)) Scenario {
	fn(&s)
	return s
}

func (s Scenario) skipSynced() Scenario {
	s.SkipSyncedReads = true
	return s
}

// All returns the catalogue in order.
func All() []Scenario {
	return append([]Scenario(nil), catalogue...)
}

// Names lists the scenario names in catalogue order.
func Names() []string {
	out := make([]string, len(catalogue))
	for i, s := range catalogue {
		out[i] = s.Name
	}
	return out
}

// Lookup returns the named scenario.
func Lookup(name string) (Scenario, error) {
	for _, s := range catalogue {
		if s.Name == name {
			return s, nil
		}
	}
	return Scenario{}, fmt.Errorf("%w %q; valid scenarios: %s", ErrUnknown, name, strings.Join(Names(), ", "))
}

// validFaults reports whether name is a generator this package knows.
func validFaults(name string) bool {
	_, ok := nemesis.Profiles[name]
	return ok || name == FaultsSwarm || name == FaultsRolling || name == FaultsStaggered || name == FaultsTwoCrashes
}

// Line describes the scenario on one line for listings.
func (s Scenario) Line() string {
	q := "majority"
	if s.Quorum > 0 {
		q = fmt.Sprintf("quorum %d", s.Quorum)
	}
	obs := ""
	if s.Observers > 0 {
		obs = fmt.Sprintf("+%d observers", s.Observers)
	}
	clients := "clients"
	if s.Recipe != "" {
		clients = s.Recipe + " clients"
	}
	return fmt.Sprintf("%d servers%s, %s, %d %s, faults %s for %v, expect %s: %s",
		s.Servers, obs, q, s.Clients, clients, s.Faults, s.Duration, s.Expect, s.Summary)
}
