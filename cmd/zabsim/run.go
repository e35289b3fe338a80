package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zabsim/zabsim/nemesis"
	"github.com/zabsim/zabsim/protocol"
	"github.com/zabsim/zabsim/scenarios"
)

func init() {
	commands["run"] = command{summary: "run scenarios over seeds and check every run (the main job)", run: runRun}
	commands["replay"] = command{summary: "rerun one scenario on one seed exactly, with its trace or visualization", run: runReplay}
	commands["scenarios"] = command{summary: "list the scenario catalogue", run: runScenarios}
}

// Limits on a run's size; beyond them the request is more likely a typo.
const (
	seedsMax    = 1_000_000
	parallelMax = 256
)

// worldFlags are the flags run and replay share: what shapes the world.
type worldFlags struct {
	overrides scenarios.Overrides
	schedule  string
}

func (w *worldFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&w.overrides.Servers, "servers", 0, "voting servers, overriding the scenario's (1-9)")
	fs.IntVar(&w.overrides.Quorum, "quorum", 0, "acks a decision needs, overriding the scenario's (smaller than a majority is unsafe on purpose)")
	fs.DurationVar(&w.overrides.Duration, "duration", 0, "simulated time of faults, overriding the scenario's (e.g. 2m)")
	fs.Func("bug", "switch on a known protocol mistake (repeatable; see zabsim bugs)", bugFlag(&w.overrides.Bugs))
	fs.StringVar(&w.schedule, "schedule", "", "read the fault schedule from this file instead of generating it (one step per line, as zabsim replay prints it)")
}

// bugFlag parses a repeatable --bug into dst.
func bugFlag(dst *[]protocol.Bug) func(string) error {
	return func(s string) error {
		for _, b := range protocol.KnownBugs() {
			if string(b) == s {
				*dst = append(*dst, b)
				return nil
			}
		}
		return fmt.Errorf("unknown bug %q; valid bugs: %s", s, bugNames())
	}
}

func bugNames() string {
	var names []string
	for _, b := range protocol.KnownBugs() {
		names = append(names, string(b))
	}
	return strings.Join(names, ", ")
}

// loadSchedule reads the --schedule file, if any.
func (w *worldFlags) loadSchedule() (nemesis.Schedule, error) {
	if w.schedule == "" {
		return nil, nil
	}
	b, err := os.ReadFile(w.schedule)
	if err != nil {
		return nil, fmt.Errorf("--schedule: %w", err)
	}
	sched, err := nemesis.Parse(string(b))
	if err != nil {
		return nil, fmt.Errorf("--schedule %s: %w", w.schedule, err)
	}
	if len(sched) == 0 {
		return nil, fmt.Errorf("--schedule %s: no steps", w.schedule)
	}
	return sched, nil
}

// replayArgs is the replay command of o, naming the schedule file when
// one replaced the generated faults.
func (w *worldFlags) replayCommand(o scenarios.Outcome) string {
	if w.schedule != "" {
		return o.ReplayCommand() + " --schedule " + w.schedule
	}
	return o.ReplayCommand()
}

// parseFlags parses args into fs; ok is false when the command should
// return code (help or bad usage).
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected arguments %q\n", fs.Name(), strings.Join(fs.Args(), " "))
		return exitUsage, false
	}
	return 0, true
}

// jsonRun is one line of --json output (DESIGN.md §5).
type jsonRun struct {
	Scenario   string   `json:"scenario"`
	Seed       uint64   `json:"seed"`
	Verdict    string   `json:"verdict"`
	Expected   string   `json:"expected"`
	Ops        int      `json:"ops"`
	Events     uint64   `json:"events"`
	SimNs      int64    `json:"sim_ns"`
	WallNs     int64    `json:"wall_ns"`
	TraceHash  string   `json:"trace_hash"`
	Violations []string `json:"violations"`
}

type jsonSummary struct {
	Summary    bool   `json:"summary"`
	Runs       int    `json:"runs"`
	Unexpected int    `json:"unexpected"`
	Ops        int    `json:"ops"`
	Events     uint64 `json:"events"`
	WallNs     int64  `json:"wall_ns"`
}

func jsonLine(o scenarios.Outcome) jsonRun {
	v := "ok"
	if !o.Verdict.OK() {
		v = "violation"
	}
	lines := o.Verdict.Lines()
	if lines == nil {
		lines = []string{}
	}
	return jsonRun{Scenario: o.Scenario.Name, Seed: o.Seed, Verdict: v, Expected: string(o.Scenario.Expect),
		Ops: o.Ops, Events: o.Events, SimNs: int64(o.SimTime), WallNs: int64(o.Wall),
		TraceHash: fmt.Sprintf("%016x", o.TraceHash), Violations: lines}
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// shard is --shard I/N: the I-th (1-based) of N contiguous, equal slices.
type shard struct{ i, n int }

func parseShard(s string) (shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return shard{}, fmt.Errorf("--shard %q: want I/N with 1 <= I <= N, e.g. 1/4", s)
	}
	return shard{i, n}, nil
}

// seeds returns this shard's part of seeds first..first+count-1.
func (sh shard) seeds(first uint64, count int) []uint64 {
	lo := count * (sh.i - 1) / sh.n
	hi := count * sh.i / sh.n
	out := make([]uint64, 0, hi-lo)
	for k := lo; k < hi; k++ {
		out = append(out, first+uint64(k))
	}
	return out
}

type job struct {
	sc   scenarios.Scenario
	seed uint64
}

type result struct {
	out scenarios.Outcome
	err error
}

func runRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("zabsim run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var wf worldFlags
	wf.register(fs)
	name := fs.String("scenario", "all", "scenario to run, or all (see zabsim scenarios)")
	nSeeds := fs.Int("seeds", 5, "seeds per scenario: 1..N")
	seed := fs.Uint64("seed", 0, "run only this seed (overrides --seeds)")
	shardFlag := fs.String("shard", "1/1", "run only the I-th of N equal slices of each scenario's seeds, e.g. 2/8")
	asJSON := fs.Bool("json", false, "print one JSON object per run and a summary object")
	parallel := fs.Int("parallel", runtime.GOMAXPROCS(0), "runs at once (each run is single-threaded and deterministic)")
	rapidChecks := fs.Int("rapid", 0, "instead of the scenario's faults, draw up to N schedules per seed with rapid and shrink the first that fails")
	reportDir := fs.String("report", "", "write an HTML report to this directory: summary, verdicts, and per failing seed its replay command, evidence, Porcupine page, timeline and shrunk schedule")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: zabsim run [flags]")
		fmt.Fprintln(stderr, "Runs scenarios over seeds and checks each run; prints one line per unexpected result with")
		fmt.Fprintln(stderr, "its replay command and a summary table. Exits 0 when every scenario met its expectation,")
		fmt.Fprintln(stderr, "1 when one did not, 2 on bad usage.")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	sh, err := parseShard(*shardFlag)
	if err != nil {
		fmt.Fprintf(stderr, "zabsim run: %v\n", err)
		return exitUsage
	}
	if *nSeeds < 1 || *nSeeds > seedsMax {
		fmt.Fprintf(stderr, "zabsim run: --seeds %d is outside 1..%d\n", *nSeeds, seedsMax)
		return exitUsage
	}
	if *parallel < 1 || *parallel > parallelMax {
		fmt.Fprintf(stderr, "zabsim run: --parallel %d is outside 1..%d\n", *parallel, parallelMax)
		return exitUsage
	}
	var list []scenarios.Scenario
	if *name == "all" {
		list = scenarios.All()
	} else {
		sc, err := scenarios.Lookup(*name)
		if err != nil {
			fmt.Fprintf(stderr, "zabsim run: --scenario: %v (or all)\n", err)
			return exitUsage
		}
		list = []scenarios.Scenario{sc}
	}
	sched, err := wf.loadSchedule()
	if err != nil {
		fmt.Fprintf(stderr, "zabsim run: %v\n", err)
		return exitUsage
	}
	report, code, ok := openRunReport(*reportDir, args, stderr)
	if !ok {
		return code
	}
	seedSet := sh.seeds(1, *nSeeds)
	if isSet(fs, "seed") {
		seedSet = sh.seeds(*seed, 1)
	}
	var jobs []job
	for _, sc := range list {
		if _, err := sc.Apply(wf.overrides); err != nil {
			fmt.Fprintf(stderr, "zabsim run: scenario %s: %v\n", sc.Name, err)
			return exitUsage
		}
		for _, s := range seedSet {
			jobs = append(jobs, job{sc, s})
		}
	}
	if *rapidChecks != 0 {
		if sched != nil {
			fmt.Fprintln(stderr, "zabsim run: --rapid draws its own schedules; it cannot be combined with --schedule")
			return exitUsage
		}
		return runRapid(jobs, *rapidChecks, wf.overrides, report, stdout, stderr)
	}
	start := time.Now()
	prog := newProgress(stderr, len(jobs))
	tallies := make([]scenarios.Tally, len(list))
	index := map[string]int{}
	for i, sc := range list {
		index[sc.Name] = i
		tallies[i].Scenario = sc
	}
	var sum jsonSummary
	failed := false
	emit := func(j job, r result) {
		prog.step(j.sc.Name, j.seed)
		if r.err != nil {
			prog.clear()
			fmt.Fprintf(stderr, "zabsim run: %s seed %d could not run: %v\n  replay: %s\n", j.sc.Name, j.seed, r.err,
				wf.replayCommand(scenarios.Outcome{Scenario: j.sc, Seed: j.seed, Overrides: wf.overrides}))
			sum.Unexpected++
			return
		}
		o := r.out
		tallies[index[j.sc.Name]].Add(o)
		report.add(o, wf.replayCommand(o))
		sum.Runs++
		sum.Ops += o.Ops
		sum.Events += o.Events
		if *asJSON {
			if err := writeJSON(stdout, jsonLine(o)); err != nil {
				failed = true
			}
			return
		}
		switch {
		case o.Unexpected():
			prog.clear()
			fmt.Fprintf(stdout, "VIOLATION %s seed %d: %s\n  replay: %s\n", o.Scenario.Name, o.Seed, checksText(o), wf.replayCommand(o))
		case o.Damaged():
			prog.clear()
			fmt.Fprintf(stdout, "expected violation %s seed %d: %s\n  replay: %s\n", o.Scenario.Name, o.Seed, checksText(o), wf.replayCommand(o))
		}
	}
	runJobs(jobs, *parallel, scenarios.Options{Overrides: wf.overrides, Schedule: sched}, emit)
	prog.clear()
	for _, t := range tallies {
		sum.Unexpected += t.Unexpected()
	}
	sum.Summary, sum.WallNs = true, int64(time.Since(start))
	if *asJSON {
		if err := writeJSON(stdout, sum); err != nil {
			fmt.Fprintf(stderr, "zabsim run: %v\n", err)
			return exitUnexpected
		}
	} else {
		fmt.Fprintln(stdout)
		fmt.Fprint(stdout, scenarios.Table(tallies))
		for _, t := range tallies {
			if t.Scenario.Expect == scenarios.ExpectViolation && t.Damaged == 0 && t.Seeds > 0 {
				fmt.Fprintf(stdout, "%s expected a violation (%v) and found none in %d seeds; try more --seeds\n",
					t.Scenario.Name, t.Scenario.Damage, t.Seeds)
			}
		}
	}
	if !report.write(tallies, stderr) {
		failed = true
	}
	if failed || sum.Unexpected > 0 {
		return exitUnexpected
	}
	return exitOK
}

func checksText(o scenarios.Outcome) string {
	var parts []string
	for _, c := range o.Verdict.Failed() {
		parts = append(parts, string(c))
	}
	return strings.Join(parts, ", ")
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// runJobs runs jobs on up to parallel goroutines (each run is one
// deterministic world on one goroutine) and hands the results to emit in
// job order, so output does not depend on which run finished first.
func runJobs(jobs []job, parallel int, opts scenarios.Options, emit func(job, result)) {
	results := make([]chan result, len(jobs))
	for i := range results {
		results[i] = make(chan result, 1)
	}
	// window bounds how many runs are under way or finished but not yet
	// emitted, and so how many histories wait in memory.
	window := make(chan struct{}, 2*parallel)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(parallel, len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				o, err := scenarios.Run(jobs[i].sc, jobs[i].seed, opts)
				results[i] <- result{o, err}
			}
		}()
	}
	go func() {
		for i := range jobs {
			window <- struct{}{}
			next <- i
		}
		close(next)
	}()
	for i, j := range jobs {
		r := <-results[i]
		results[i] = nil
		emit(j, r)
		<-window
	}
	wg.Wait()
}

// runRapid is run --rapid: for each scenario and seed, rapid draws fault
// schedules until one breaks the scenario's expectation (a violation of an
// ok scenario, the damage a violation scenario looks for), then shrinks it
// and prints the smallest schedule with the command that replays it.
func runRapid(jobs []job, checks int, o scenarios.Overrides, report *htmlReport, stdout, stderr io.Writer) int {
	unexpected := 0
	found := map[string]bool{}
	for _, j := range jobs {
		fails := scenarios.Outcome.Unexpected
		if j.sc.Expect == scenarios.ExpectViolation {
			fails = scenarios.Outcome.Damaged
		}
		out, ok, err := scenarios.Shrink(j.sc, j.seed, o, checks, fails)
		if err != nil {
			fmt.Fprintf(stderr, "zabsim run: %v\n", err)
			return exitUsage
		}
		report.addRapid(j.sc, j.seed, out, ok)
		if !ok {
			fmt.Fprintf(stdout, "%s seed %d: %d rapid schedules, no failure\n", j.sc.Name, j.seed, checks)
			continue
		}
		found[j.sc.Name] = true
		if j.sc.Expect == scenarios.ExpectOK {
			unexpected++
		}
		fmt.Fprintf(stdout, "%s seed %d: %s with a rapid schedule, shrunk to %d steps:\n", j.sc.Name, j.seed, checksText(out), len(out.Schedule))
		for _, st := range out.Schedule {
			fmt.Fprintf(stdout, "  %s\n", st)
		}
		fmt.Fprintf(stdout, "  replay: save the steps above to FILE, then %s --schedule FILE\n", out.ReplayCommand())
	}
	for _, j := range jobs {
		if j.sc.Expect == scenarios.ExpectViolation && !found[j.sc.Name] {
			unexpected++
			found[j.sc.Name] = true // count each scenario once
			fmt.Fprintf(stdout, "%s expected a violation and rapid found none\n", j.sc.Name)
		}
	}
	if !report.write(nil, stderr) || unexpected > 0 {
		return exitUnexpected
	}
	return exitOK
}
