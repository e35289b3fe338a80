package experiments

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/zabsim/zabsim/reports"
	"github.com/zabsim/zabsim/scenarios"
	"github.com/zabsim/zabsim/sim"
)

// Experiment is one part of `zabsim report`, named for --figure.
type Experiment struct {
	Name    string
	Summary string
	draw    func(c Config, dir string) ([]section, Verdicts, error)
}

// section is a figure with its caption, before the command that
// reproduces it is known.
type section struct {
	fig     reports.Figure
	caption string
}

// TimelineScenario is the faulty run the timeline figure shows, on the
// report's first seed: 5 servers through every partition shape.
const TimelineScenario = "partitions"

// QuorumServers is the ensemble size of the quorum sweep.
const QuorumServers = 5

// throughputSeedDivisor: throughput is a mean over thousands of
// operations that barely moves from seed to seed, and its 64-client runs
// are the most expensive of the report, so it runs one seed for every
// ten the others run.
const throughputSeedDivisor = 10

var catalogue = []Experiment{
	{"latency", "commit latency percentiles and distribution by ensemble size 1-9, no faults", drawLatency},
	{"availability", "writes that succeed and time with a leader by crashed servers, 3-5 servers", drawAvailability},
	{"quorum", "lost acknowledged writes, split-brain epochs and availability by quorum size, 5 servers under partitions", drawQuorum},
	{"timeline", "one faulty run: latency, faults, leader changes, roles", drawTimeline},
	{"elections", "election time by tickTime and finalize wait under leader crashes", drawElections},
	{"throughput", "operations per simulated second by client count", drawThroughput},
}

// Experiments lists every experiment in report order.
func Experiments() []Experiment { return append([]Experiment(nil), catalogue...) }

// Names lists the experiment names in report order.
func Names() []string {
	out := make([]string, len(catalogue))
	for i, e := range catalogue {
		out[i] = e.Name
	}
	return out
}

// ErrUnknown is returned for an experiment name not in the catalogue.
var ErrUnknown = errors.New("experiments: unknown experiment")

// Select returns the named experiments in report order; no names means all.
func Select(names []string) ([]Experiment, error) {
	if len(names) == 0 {
		return Experiments(), nil
	}
	want := map[string]bool{}
	for _, n := range names {
		found := false
		for _, e := range catalogue {
			found = found || e.Name == n
		}
		if !found {
			return nil, fmt.Errorf("%w %q; valid experiments: %s", ErrUnknown, n, strings.Join(Names(), ", "))
		}
		want[n] = true
	}
	var out []Experiment
	for _, e := range catalogue {
		if want[e.Name] {
			out = append(out, e)
		}
	}
	return out, nil
}

// ReportOptions are what `zabsim report` was asked for.
type ReportOptions struct {
	Config
	// Experiments to run; empty means all.
	Experiments []string
	// Command is the command line that wrote the report; Notes are
	// paragraphs for the top of the page (the code version, say).
	Command string
	Notes   []string
}

// Report runs the chosen experiments and writes every figure as PNG and
// SVG into dir, then dir/index.html with each figure, its numbers, its
// caption and the command that reproduces it. It returns the page's path.
func Report(dir string, opts ReportOptions) (string, error) {
	list, err := Select(opts.Experiments)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("experiments: %w", err)
	}
	idx := reports.Index{Title: "zabsim report", Command: opts.Command}
	idx.Notes = append(idx.Notes, fmt.Sprintf("Every number is simulated: seeds %d to %d for each point (throughput: one seed in %d), virtual time, the default simulated network and disk unless a caption says otherwise.",
		opts.seed(0), opts.seed(opts.seeds()-1), throughputSeedDivisor))
	idx.Notes = append(idx.Notes, opts.Notes...)
	for _, e := range list {
		secs, v, err := e.draw(opts.Config, dir)
		if err != nil {
			return "", fmt.Errorf("experiment %s: %w", e.Name, err)
		}
		idx.Notes = append(idx.Notes, v.note(e.Name))
		command := fmt.Sprintf("zabsim report --out %s --seeds %d --figure %s", dir, opts.seeds(), e.Name)
		if opts.FirstSeed > 1 {
			command += fmt.Sprintf(" --first-seed %d", opts.FirstSeed)
		}
		for _, s := range secs {
			idx.Sections = append(idx.Sections, reports.Section{Figure: s.fig, Command: command, Caption: s.caption})
		}
	}
	return reports.WriteIndex(dir, idx)
}

// notedMax bounds the runs named in one note.
const notedMax = 5

// note says what the checkers made of an experiment's runs.
func (v Verdicts) note(name string) string {
	if len(v.Violations) == 0 {
		return fmt.Sprintf("%s: the checkers judged all %d runs ok.", name, v.Runs)
	}
	shown := v.Violations[:min(len(v.Violations), notedMax)]
	more := ""
	if len(v.Violations) > notedMax {
		more = fmt.Sprintf(" and %d more", len(v.Violations)-notedMax)
	}
	return fmt.Sprintf("%s: the checkers found violations in %d of %d runs where none was expected: %s%s.",
		name, len(v.Violations), v.Runs, strings.Join(shown, "; "), more)
}

// drawing is one figure drawn from an experiment's data, and its caption.
type drawing[T any] struct {
	draw    func(dir string, data T) (reports.Figure, error)
	caption string
}

// draw writes each drawing of an experiment's data, unless the
// experiment failed.
func draw[T any](dir string, data T, v Verdicts, err error, drawings ...drawing[T]) ([]section, Verdicts, error) {
	if err != nil {
		return nil, v, err
	}
	var out []section
	for _, d := range drawings {
		fig, err := d.draw(dir, data)
		if err != nil {
			return nil, v, err
		}
		out = append(out, section{fig, d.caption})
	}
	return out, v, nil
}

func drawLatency(c Config, dir string) ([]section, Verdicts, error) {
	data, v, err := Latency(c, LatencySizes)
	how := fmt.Sprintf("Each size runs steady-state (10 clients, no faults) for %v of simulated time per seed on the default network (%v to %v a message) and disk (fsync %v to %v); "+
		"a sample is the time from a client's write call to its successful reply.", latencyDuration, sim.DefaultLink.LatencyMin, sim.DefaultLink.LatencyMax, sim.DefaultDisk.SyncMin, sim.DefaultDisk.SyncMax)
	return draw(dir, data, v, err,
		drawing[[]reports.LatencyBySize]{reports.LatencyPercentiles, "Median and tail commit latency against the number of servers. " + how},
		drawing[[]reports.LatencyBySize]{reports.LatencyCDF, "The whole distribution behind the percentiles, one curve per ensemble size. " + how})
}

func drawAvailability(c Config, dir string) ([]section, Verdicts, error) {
	data, v, err := Availability(c, AvailabilitySizes)
	return draw(dir, data, v, err, drawing[[]reports.AvailabilityBySize]{reports.Availability, fmt.Sprintf(
		"After %v to elect and open sessions, the given number of servers (drawn from the seed) crash and stay down while %v are measured. "+
			"A curve falls to zero where the servers left are no longer a majority: 3 and 4 servers survive one crash, 5 survive two. "+
			"A client without a session attempts nothing, so a lost quorum shows as few or no write attempts, none answered.", availabilityWarmup, availabilityWindow)})
}

func drawQuorum(c Config, dir string) ([]section, Verdicts, error) {
	data, v, err := QuorumSweep(c, QuorumServers)
	return draw(dir, data, v, err, drawing[reports.QuorumSweep]{reports.QuorumSafety, fmt.Sprintf(
		"Scenario %s (every partition shape for 30 s) with --quorum 1 to %d. "+
			"An acknowledged write is lost when the checkers report it (acked-write-durable) or when the last leader established after its commit starts from a history without it. "+
			"A split-brain epoch has two servers established as its leader. Availability is the share of writes called during the faults and answered ok before they ended. "+
			"Replay one run with zabsim replay --scenario %s --quorum Q --seed S.", QuorumScenario, QuorumServers, QuorumScenario)})
}

func drawTimeline(c Config, dir string) ([]section, Verdicts, error) {
	seed := c.seed(0)
	m := c.meter("timeline", 1)
	tl, out, err := Timeline(TimelineScenario, seed, scenarios.Overrides{})
	m.Add(1)
	m.Finish()
	var v Verdicts
	if err == nil {
		v.add(fmt.Sprintf("timeline %s", TimelineScenario), seed, out.Verdict)
	}
	named := func(dir string, tl reports.Timeline) (reports.Figure, error) {
		return reports.TimelineFigure(dir, "timeline", tl)
	}
	return draw(dir, tl, v, err, drawing[reports.Timeline]{named, fmt.Sprintf(
		"Every client operation of %s on seed %d by when it was called and how long it took; shaded windows are the faults, dashed lines the moments a leader was established, "+
			"and the bands below each server's role. The same run: %s --viz FILE.html.", TimelineScenario, seed, out.ReplayCommand())})
}

func drawElections(c Config, dir string) ([]section, Verdicts, error) {
	data, v, err := Elections(c, ElectionTimings)
	return draw(dir, data, v, err, drawing[[]reports.ElectionTimes]{reports.Elections, fmt.Sprintf(
		"Scenario %s (3 servers, the leader crashes every few seconds) for %v per seed with each tickTime and finalize wait. "+
			"An election lasts from the first server going LOOKING to a leader established and serving; a restarted server rejoining a serving leader is not one.", ElectionScenario, electionDuration)})
}

func drawThroughput(c Config, dir string) ([]section, Verdicts, error) {
	c.Seeds = max(1, (c.seeds()+throughputSeedDivisor-1)/throughputSeedDivisor)
	data, v, err := Throughput(c, ThroughputSizes, ThroughputClients)
	return draw(dir, data, v, err, drawing[[]reports.ThroughputSeries]{reports.Throughput, fmt.Sprintf(
		"Each client keeps one request outstanding and acts on its %v tick, so it completes at most 100 operations a second; "+
			"operations answered ok in the %v after a %v warm-up, no faults, over %d keys. "+
			"The simulator charges network and disk time, not CPU time, so the ensemble does not saturate at these loads.", clientTick, throughputWindow, throughputWarmup, throughputKeys)})
}
