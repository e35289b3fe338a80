package scenarios

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/nemesis"
	"github.com/zabsim/zabsim/protocol"
	"github.com/zabsim/zabsim/sim"
	"github.com/zabsim/zabsim/sim/zk"
)

// ErrOverride is returned (wrapped, naming the value) for an override that
// makes no sense for the scenario.
var ErrOverride = errors.New("scenarios: bad override")

// Limits on what a user may ask for; beyond them a run is more likely a
// typo than an experiment.
const (
	serversMax  = 9
	durationMax = time.Hour
)

// Overrides change a scenario for one invocation (the command line's
// --servers, --quorum, --duration, --bug). A replay must be given the same
// overrides as the run it repeats; Args renders them for its command line.
type Overrides struct {
	Servers  int
	Quorum   int
	Duration time.Duration
	Bugs     []protocol.Bug
}

// Apply returns the scenario with the overrides in place, or an error
// naming the override that does not fit.
func (s Scenario) Apply(o Overrides) (Scenario, error) {
	if o.Servers != 0 {
		if o.Servers < 1 || o.Servers > serversMax {
			return s, fmt.Errorf("%w: --servers %d is outside 1..%d", ErrOverride, o.Servers, serversMax)
		}
		s.Servers = o.Servers
	}
	if o.Quorum != 0 {
		if o.Quorum < 1 || o.Quorum > s.Servers {
			return s, fmt.Errorf("%w: --quorum %d is outside 1..%d (the scenario's servers)", ErrOverride, o.Quorum, s.Servers)
		}
		s.Quorum = o.Quorum
	} else if s.Quorum > s.Servers {
		return s, fmt.Errorf("%w: the scenario's quorum of %d does not fit %d servers; give --quorum", ErrOverride, s.Quorum, s.Servers)
	}
	if o.Duration != 0 {
		if o.Duration < time.Second || o.Duration > durationMax {
			return s, fmt.Errorf("%w: --duration %v is outside 1s..%v", ErrOverride, o.Duration, durationMax)
		}
		s.Duration = o.Duration
	}
	for _, b := range o.Bugs {
		if !slices.Contains(protocol.KnownBugs(), b) {
			return s, fmt.Errorf("%w: unknown bug %q (see zabsim bugs)", ErrOverride, b)
		}
	}
	return s, nil
}

// Args renders the overrides as command-line flags, for replay commands.
func (o Overrides) Args() []string {
	var out []string
	if o.Servers != 0 {
		out = append(out, fmt.Sprintf("--servers %d", o.Servers))
	}
	if o.Quorum != 0 {
		out = append(out, fmt.Sprintf("--quorum %d", o.Quorum))
	}
	if o.Duration != 0 {
		out = append(out, fmt.Sprintf("--duration %v", o.Duration))
	}
	for _, b := range o.Bugs {
		out = append(out, fmt.Sprintf("--bug %s", b))
	}
	return out
}

// Options are how one run is carried out, beyond what the scenario and
// the seed fix.
type Options struct {
	Overrides
	// Schedule, when set, replaces the generated faults (a hand-written
	// or shrunk schedule).
	Schedule nemesis.Schedule
	// Trace, when set, receives every trace event, one line each.
	Trace io.Writer
}

// Outcome is one run of a scenario on one seed: how it was set up, and
// what the world recorded and the checkers decided (the embedded
// zk.Result: Verdict, Ops, Events, SimTime, TraceHash, the history, the
// Zab record).
type Outcome struct {
	Scenario  Scenario
	Seed      uint64
	Overrides Overrides
	Schedule  nemesis.Schedule
	Wall      time.Duration
	zk.Result
}

// Unexpected reports whether this run alone breaks the scenario's
// expectation: a violation where ok was expected. (A violation scenario
// is judged over all its seeds; see Tally.)
func (o Outcome) Unexpected() bool {
	return o.Scenario.Expect == ExpectOK && !o.Verdict.OK()
}

// Damaged reports whether the run failed one of the scenario's Damage
// checks: the violation an ExpectViolation scenario is looking for.
func (o Outcome) Damaged() bool {
	for _, c := range o.Verdict.Failed() {
		if slices.Contains(o.Scenario.Damage, c) {
			return true
		}
	}
	return false
}

// Schedule is the fault schedule of scenario s on seed: drawn from the
// seed's own "nemesis" stream, so the workload and network draws do not
// shift it.
func (s Scenario) Schedule(seed uint64) (nemesis.Schedule, error) {
	r := sim.NewRand(seed).Fork("nemesis")
	var sched nemesis.Schedule
	switch s.Faults {
	case FaultsSwarm:
		sched = nemesis.Generate(r, nemesis.Swarm(r), s.Servers+s.Observers, s.Duration)
	case FaultsRolling:
		sched = rolling(r, s.Servers+s.Observers, s.Duration)
	case FaultsStaggered:
		sched = staggered(r, s.Servers, s.Duration)
	case FaultsTwoCrashes:
		sched = twoCrashes(r, s.Servers, s.Duration)
	default:
		p, ok := nemesis.Profiles[s.Faults]
		if !ok {
			return nil, fmt.Errorf("%w: scenario %s names faults %q, which is no generator", ErrOverride, s.Name, s.Faults)
		}
		sched = nemesis.Generate(r, p, s.Servers+s.Observers, s.Duration)
	}
	return sched, nil
}

// rolling crashes each server once, in a random order, restarting it
// after a short hold and moving on after a gap that lets it catch up.
func rolling(r *sim.Rand, servers int, duration time.Duration) nemesis.Schedule {
	var out nemesis.Schedule
	slot := (duration - 2*time.Second) / time.Duration(servers)
	at := 2 * time.Second
	for _, i := range r.Perm(servers) {
		hold := r.Between(slot/5, slot/2)
		who := nemesis.Servers(i + 1)
		out = append(out,
			nemesis.Step{At: at, Fault: nemesis.Fault{Kind: nemesis.Crash, Who: who}},
			nemesis.Step{At: at + hold, Fault: nemesis.Fault{Kind: nemesis.Restart, Who: who}})
		at += slot
	}
	return append(out, nemesis.Step{At: duration, Fault: nemesis.Fault{Kind: nemesis.Calm}})
}

// staggered repeats: crash one server (named, so the same one can be
// restarted alone), let the rest commit without it, crash the leader,
// restart the lagging server while the leader is still down, then
// restart everyone. Each window lasts a few seconds.
func staggered(r *sim.Rand, servers int, duration time.Duration) nemesis.Schedule {
	var out nemesis.Schedule
	at := 2 * time.Second
	for at < duration-4*time.Second {
		who := nemesis.Servers(1 + r.IntN(servers))
		behind := r.Between(500*time.Millisecond, 2*time.Second)
		gap := r.Between(10*time.Millisecond, 500*time.Millisecond)
		alone := r.Between(500*time.Millisecond, 3*time.Second)
		out = append(out,
			nemesis.Step{At: at, Fault: nemesis.Fault{Kind: nemesis.Crash, Who: who}},
			nemesis.Step{At: at + behind, Fault: nemesis.Fault{Kind: nemesis.Crash, Who: nemesis.Who{Sel: nemesis.Leader}}},
			nemesis.Step{At: at + behind + gap, Fault: nemesis.Fault{Kind: nemesis.Restart, Who: who}},
			nemesis.Step{At: at + behind + gap + alone, Fault: nemesis.Fault{Kind: nemesis.Restart, Who: nemesis.Who{Sel: nemesis.All}}})
		at += behind + gap + alone + r.Between(time.Second, 3*time.Second)
	}
	return append(out, nemesis.Step{At: max(at, duration), Fault: nemesis.Fault{Kind: nemesis.Calm}})
}

// twoCrashes crashes one server a quarter of the way in, a second one
// halfway, and restarts both at three quarters: the textbook question of
// how many failures an ensemble of n tolerates.
func twoCrashes(r *sim.Rand, servers int, duration time.Duration) nemesis.Schedule {
	perm := r.Perm(servers)
	first, second := nemesis.Servers(perm[0]+1), nemesis.Servers(perm[1%servers]+1)
	return nemesis.Schedule{
		{At: duration / 4, Fault: nemesis.Fault{Kind: nemesis.Crash, Who: first}},
		{At: duration / 2, Fault: nemesis.Fault{Kind: nemesis.Crash, Who: second}},
		{At: 3 * duration / 4, Fault: nemesis.Fault{Kind: nemesis.Restart, Who: nemesis.Who{Sel: nemesis.All}}},
		{At: duration, Fault: nemesis.Fault{Kind: nemesis.Calm}},
	}
}

// Config is the simulated world scenario s runs on seed with schedule
// (with a recipe scenario's programs, but not its checker: see Run).
func (s Scenario) Config(seed uint64, bugs []protocol.Bug, sched nemesis.Schedule) zk.Config {
	cfg, _ := s.setup(seed, bugs, sched)
	return cfg
}

// setup is Config and, for a recipe scenario, the recipe workload whose
// programs it runs.
func (s Scenario) setup(seed uint64, bugs []protocol.Bug, sched nemesis.Schedule) (zk.Config, recipeRun) {
	cfg := zk.DefaultConfig()
	cfg.Seed = seed
	cfg.Ensemble.Voters, cfg.Ensemble.Observers, cfg.Ensemble.Quorum = s.Servers, s.Observers, s.Quorum
	cfg.Ensemble.Peer.Bugs = append([]protocol.Bug(nil), bugs...)
	cfg.Clients, cfg.Keys, cfg.Think, cfg.SessionTimeout = s.Clients, s.Keys, s.Think, s.SessionTimeout
	// A client waits Think/2 on average between operations, so this
	// keeps it busy for the whole fault window.
	cfg.OpsPerClient = int(2*s.Duration/s.Think) + 1
	cfg.Schedule = sched
	cfg.Duration = s.Duration + 4*time.Minute
	cfg.LivenessBound = s.LivenessBound
	cfg.Linearizable.SkipSyncedReads = s.SkipSyncedReads
	if s.EventsMax > 0 {
		cfg.EventsMax = s.EventsMax
	}
	if s.StartGap > 0 {
		for i := range s.Servers + s.Observers {
			cfg.Ensemble.StartAt = append(cfg.Ensemble.StartAt, time.Duration(i)*s.StartGap)
		}
	}
	var recipe recipeRun
	if s.Recipe != "" {
		recipe = recipeWorkload(s)
		cfg.Clients, cfg.Programs = 0, recipe.programs
		if s.ClientPauses {
			cfg.ProgramPauses = s.Duration
		}
	}
	return cfg, recipe
}

// Run runs scenario s on seed and checks it.
func Run(s Scenario, seed uint64, opts Options) (Outcome, error) {
	s, err := s.Apply(opts.Overrides)
	if err != nil {
		return Outcome{}, err
	}
	sched := opts.Schedule
	if sched == nil {
		if sched, err = s.Schedule(seed); err != nil {
			return Outcome{}, err
		}
	}
	if err := sched.Validate(s.Servers + s.Observers); err != nil {
		return Outcome{}, fmt.Errorf("%w: %v", ErrOverride, err)
	}
	start := time.Now()
	cfg, recipe := s.setup(seed, opts.Bugs, sched)
	w, err := zk.New(cfg)
	if err != nil {
		return Outcome{}, err
	}
	var tw *traceWriter
	if opts.Trace != nil {
		tw = &traceWriter{w: bufio.NewWriter(opts.Trace), s: w.Sim()}
		w.Sim().Observe(tw.event)
	}
	res, err := w.Run()
	if err != nil {
		return Outcome{}, err
	}
	if recipe.check != nil {
		v, err := recipe.check()
		if err != nil {
			return Outcome{}, fmt.Errorf("scenario %s seed %d: %w", s.Name, seed, err)
		}
		res.Verdict.Add(v...)
	}
	if tw != nil {
		if err := tw.close(); err != nil {
			return Outcome{}, err
		}
	}
	return Outcome{Scenario: s, Seed: seed, Overrides: opts.Overrides, Schedule: sched, Wall: time.Since(start), Result: res}, nil
}

// traceWriter writes one line per trace event and keeps the first write
// error, since an observer cannot fail the run.
type traceWriter struct {
	w   *bufio.Writer
	s   *sim.Sim
	err error
}

func (t *traceWriter) event(e sim.TraceEvent) {
	if t.err != nil {
		return
	}
	if _, err := t.w.WriteString(t.s.Describe(e) + "\n"); err != nil {
		t.err = err
	}
}

func (t *traceWriter) close() error {
	if t.err != nil {
		return fmt.Errorf("writing the trace: %w", t.err)
	}
	if err := t.w.Flush(); err != nil {
		return fmt.Errorf("writing the trace: %w", err)
	}
	return nil
}

// Visualize writes Porcupine's visualization of the run's history to
// path, with leader changes and nemesis steps on its timeline.
func (o Outcome) Visualize(path string) error {
	if o.Lin == nil {
		return fmt.Errorf("scenarios: %s seed %d has no linearizability result to draw (its committed logs conflict)", o.Scenario.Name, o.Seed)
	}
	var notes []linearize.Annotation
	for _, l := range o.Zab.Leaders {
		notes = append(notes, linearize.Annotation{Tag: "leader", Start: l.Time,
			Description: fmt.Sprintf("server %d leads epoch %d", l.Sid, l.Epoch)})
	}
	for _, a := range o.Applied {
		notes = append(notes, linearize.Annotation{Tag: "nemesis", Start: int64(a.At), Description: a.Text})
	}
	return o.Lin.VisualizePath(path, notes)
}

// ReplayCommand is the command line that repeats this run exactly.
func (o Outcome) ReplayCommand() string {
	parts := append([]string{"zabsim replay --scenario", o.Scenario.Name, fmt.Sprintf("--seed %d", o.Seed)}, o.Overrides.Args()...)
	return strings.Join(parts, " ")
}
