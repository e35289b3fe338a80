package experiments

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/reports"
	"github.com/zabsim/zabsim/scenarios"
)

// Bounds on what one run report holds per scenario: a sweep over
// thousands of seeds of a broken set-up fails on most of them, and the
// page should stay readable and its directory small.
const (
	// drawnMax failing seeds get a Porcupine page and a timeline figure,
	// which cost a rerun of the seed each.
	drawnMax = 10
	// listedMax failing seeds are listed with their replay command and
	// failed checks; the rest are counted in the scenario's summary.
	listedMax = 100
)

// RunReport collects, while `zabsim run --report DIR` runs, what its page
// shows. Each failing run is turned into its section as soon as it is
// added (files written, the outcome let go), so memory holds sections,
// not histories.
type RunReport struct {
	dir      string
	failures map[string][]reports.Violation
	drawn    map[string]int
}

// NewRunReport makes dir and starts a report in it.
func NewRunReport(dir string) (*RunReport, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("experiments: run report: %w", err)
	}
	return &RunReport{dir: dir, failures: map[string][]reports.Violation{}, drawn: map[string]int{}}, nil
}

// Add records one run. A run judged ok adds nothing (the summary comes
// from the tallies); a violation gets its section, with replay as its
// replay command.
func (r *RunReport) Add(o scenarios.Outcome, replay string) error {
	return r.add(o, replay, false)
}

// AddShrunk records a failing run whose schedule rapid shrank: its section
// shows the schedule, which is also written next to the page so replay
// can name it with --schedule.
func (r *RunReport) AddShrunk(o scenarios.Outcome) error {
	return r.add(o, "", true)
}

func (r *RunReport) add(o scenarios.Outcome, replay string, shrunk bool) error {
	name := o.Scenario.Name
	if o.Verdict.OK() || len(r.failures[name]) >= listedMax {
		return nil
	}
	v := reports.Violation{Seed: o.Seed, Replay: replay, Checks: failedChecks(o)}
	stem := fileStem(fmt.Sprintf("%s-seed-%d", name, o.Seed))
	if shrunk {
		file := stem + ".schedule"
		for _, st := range o.Schedule {
			v.Schedule = append(v.Schedule, st.String())
		}
		if err := os.WriteFile(filepath.Join(r.dir, file), []byte(strings.Join(v.Schedule, "\n")+"\n"), 0o644); err != nil {
			return fmt.Errorf("experiments: run report: %w", err)
		}
		v.Replay = o.ReplayCommand() + " --schedule " + filepath.Join(r.dir, file)
	}
	if r.drawn[name] < drawnMax {
		r.drawn[name]++
		if err := r.draw(&v, o, stem); err != nil {
			return err
		}
	}
	r.failures[name] = append(r.failures[name], v)
	return nil
}

// draw writes the seed's Porcupine page and timeline figure.
func (r *RunReport) draw(v *reports.Violation, o scenarios.Outcome, stem string) error {
	// A history Porcupine cannot draw (committed logs that conflict) is
	// left without a link; the failed checks say why.
	page := stem + "-porcupine.html"
	if o.Visualize(filepath.Join(r.dir, page)) == nil {
		v.Porcupine = page
	}
	res, obs, err := replay(o)
	if err != nil {
		return err
	}
	fig, err := reports.TimelineFigure(r.dir, stem+"-timeline", timelineOf(timelineTitle(o), res, obs))
	if err != nil {
		return err
	}
	v.Timeline = &fig
	return nil
}

// failedChecks lists each failed check once, in the verdict's order, with
// every violation's summary and evidence as linearize wrote them.
func failedChecks(o scenarios.Outcome) []reports.FailedCheck {
	var out []reports.FailedCheck
	for _, x := range o.Verdict.Violations {
		if len(out) == 0 || out[len(out)-1].Name != string(x.Check) {
			out = append(out, reports.FailedCheck{Name: string(x.Check)})
		}
		fc := &out[len(out)-1]
		fc.Evidence = append(fc.Evidence, x.Summary)
		for _, e := range x.Evidence {
			fc.Evidence = append(fc.Evidence, "    "+e)
		}
	}
	for i := range out {
		if n := o.Verdict.Suppressed[linearize.Check(out[i].Name)]; n > 0 {
			out[i].Evidence = append(out[i].Evidence, fmt.Sprintf("(%d more violations of this check not shown)", n))
		}
	}
	return out
}

// Write writes dir/index.html from the runs' tallies, in the order given,
// and the failing seeds added. command is the command line of the run.
func (r *RunReport) Write(command string, tallies []scenarios.Tally) (string, error) {
	rep := reports.RunReport{Command: command}
	for _, t := range tallies {
		rep.Scenarios = append(rep.Scenarios, reports.ScenarioResult{
			Name: t.Scenario.Name, Seeds: t.Seeds, OK: t.OK, Violations: t.Violations,
			Expected: string(t.Scenario.Expect), Met: t.Met(), Ops: t.Ops, SimTime: t.SimTime, WallTime: t.Wall,
			Failures: r.failures[t.Scenario.Name],
		})
	}
	return reports.WriteRunReport(r.dir, rep)
}

// fileStem keeps scenario names, which users choose, from escaping the
// report directory or needing escapes in a link.
func fileStem(name string) string {
	return strings.Map(func(c rune) rune {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
			return c
		}
		return '-'
	}, name)
}
