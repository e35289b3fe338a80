package reports

import (
	"fmt"
	"path/filepath"
	"strconv"
	"time"
)

// RunReport is what `zabsim run --report DIR` shows. Every verdict in it
// was decided by the runner and the checkers; the page only lays them out.
type RunReport struct {
	// Command is the command line of the run.
	Command   string
	Scenarios []ScenarioResult
}

// ScenarioResult sums one scenario over the seeds it ran.
type ScenarioResult struct {
	Name string
	// Seeds ran; OK of them were judged ok and Violations found a
	// violation.
	Seeds, OK, Violations int
	// Expected is the scenario's declared verdict, "ok" or "violation".
	Expected string
	// Met says whether the scenario met its expectation, as the runner
	// decided it (the same decision that sets the exit code).
	Met bool
	// Ops counts client operations over all seeds.
	Ops int
	// SimTime is simulated time and WallTime real time, both summed over
	// seeds.
	SimTime, WallTime time.Duration
	// Failures lists the seeds that found a violation.
	Failures []Violation
}

// Violation is one failing seed with everything needed to understand and
// replay it.
type Violation struct {
	Seed uint64
	// Replay is the command that reruns exactly this seed.
	Replay string
	Checks []FailedCheck
	// Porcupine is the path of Porcupine's visualization of the history,
	// relative to the report directory or absolute; empty when there is
	// none.
	Porcupine string
	// Timeline is the seed's timeline figure, written to the report
	// directory with TimelineFigure; nil when there is none.
	Timeline *Figure
	// Schedule is the shrunk nemesis schedule, one step per line; empty
	// when the schedule was not shrunk.
	Schedule []string
}

// FailedCheck is one checker's finding.
type FailedCheck struct {
	Name string
	// Evidence lines are the operations or log entries that prove it,
	// as the checker described them.
	Evidence []string
}

// WriteRunReport writes dir/index.html for a run: a summary table, each
// scenario's verdict, and for every failing seed its replay command, failed
// checks with evidence, Porcupine link, timeline and shrunk schedule. It
// returns the page's path.
func WriteRunReport(dir string, r RunReport) (string, error) {
	view := runView{Title: "zabsim run report", Command: r.Command, Summary: summaryTable(r.Scenarios)}
	for i, s := range r.Scenarios {
		sv := scenarioView{ScenarioResult: s, Anchor: fmt.Sprintf("scenario-%d", i+1)}
		if !s.Met {
			view.Unmet++
		}
		for _, f := range s.Failures {
			f.Porcupine = linkPath(dir, f.Porcupine)
			sv.Failures = append(sv.Failures, failureView{Violation: f, Anchor: fmt.Sprintf("%s-seed-%d", sv.Anchor, f.Seed)})
		}
		view.Scenarios = append(view.Scenarios, sv)
	}
	view.AllMet = view.Unmet == 0
	return writePage(dir, IndexFile, runPage, view)
}

// runView is RunReport shaped for the template; anchors are numbered
// rather than derived from names so any scenario name makes a valid id.
type runView struct {
	Title, Command string
	Summary        Table
	AllMet         bool
	Unmet          int
	Scenarios      []scenarioView
}

type scenarioView struct {
	ScenarioResult
	Anchor   string
	Failures []failureView
}

type failureView struct {
	Violation
	Anchor string
}

func summaryTable(scenarios []ScenarioResult) Table {
	t := Table{Columns: []string{"scenario", "seeds", "ok", "violations", "expected", "as expected", "ops", "sim time", "wall time"}}
	var total ScenarioResult
	for _, s := range scenarios {
		t.Rows = append(t.Rows, summaryRow(s.Name, s))
		total.Seeds += s.Seeds
		total.OK += s.OK
		total.Violations += s.Violations
		total.Ops += s.Ops
		total.SimTime += s.SimTime
		total.WallTime += s.WallTime
	}
	if len(scenarios) > 1 {
		row := summaryRow("total", total)
		row[4], row[5] = "", ""
		t.Rows = append(t.Rows, row)
	}
	return t
}

func summaryRow(name string, s ScenarioResult) []string {
	met := "no"
	if s.Met {
		met = "yes"
	}
	return []string{name, strconv.Itoa(s.Seeds), strconv.Itoa(s.OK), strconv.Itoa(s.Violations), s.Expected, met,
		strconv.Itoa(s.Ops), formatSeconds(s.SimTime), formatSeconds(s.WallTime)}
}

func formatSeconds(d time.Duration) string { return formatNumber(d.Seconds()) + " s" }

// linkPath makes an absolute path relative to the report directory, so
// the link still works when the directory tree is moved as a whole; and
// html/template would refuse a file: URL anyway.
func linkPath(dir, target string) string {
	if target == "" || !filepath.IsAbs(target) {
		return filepath.ToSlash(target)
	}
	base, err := filepath.Abs(dir)
	if err != nil {
		return filepath.ToSlash(target)
	}
	rel, err := filepath.Rel(base, target)
	if err != nil {
		return filepath.ToSlash(target)
	}
	return filepath.ToSlash(rel)
}
