package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/zabsim/zabsim/scenarios"
	"github.com/zabsim/zabsim/scenarios/experiments"
)

// htmlReport is the page of `zabsim run --report DIR`; nil when no report was asked
// for, so the run's code calls it unconditionally.
type htmlReport struct {
	rep  *experiments.RunReport
	args []string
	err  error
	// rapid tallies each scenario of run --rapid, which has no tallies of
	// its own: a seed whose rapid schedules all passed counts as ok.
	rapid      []scenarios.Tally
	rapidIndex map[string]int
}

// openRunReport starts the report of --report dir, or returns nil when
// dir is empty; ok is false (with the exit code) when dir cannot be made.
func openRunReport(dir string, args []string, stderr io.Writer) (r *htmlReport, code int, ok bool) {
	if dir == "" {
		return nil, 0, true
	}
	rep, err := experiments.NewRunReport(dir)
	if err != nil {
		fmt.Fprintf(stderr, "zabsim run: --report %s: %v\n", dir, err)
		return nil, exitUsage, false
	}
	return &htmlReport{rep: rep, args: args, rapidIndex: map[string]int{}}, 0, true
}

// add records one run; the first error is kept for write to report.
func (r *htmlReport) add(o scenarios.Outcome, replay string) {
	if r != nil && r.err == nil {
		r.err = r.rep.Add(o, replay)
	}
}

// addRapid records what rapid found on one seed of sc: out, shrunk, when
// found; a pass otherwise.
func (r *htmlReport) addRapid(sc scenarios.Scenario, seed uint64, out scenarios.Outcome, found bool) {
	if r == nil || r.err != nil {
		return
	}
	i, ok := r.rapidIndex[sc.Name]
	if !ok {
		i = len(r.rapid)
		r.rapidIndex[sc.Name] = i
		r.rapid = append(r.rapid, scenarios.Tally{Scenario: sc})
	}
	if !found {
		r.rapid[i].Add(scenarios.Outcome{Scenario: sc, Seed: seed})
		return
	}
	r.rapid[i].Add(out)
	r.err = r.rep.AddShrunk(out)
}

// write writes the page from tallies (nil: the rapid tallies) and says
// where on stderr, which keeps --json output on stdout clean; it returns
// false when the report could not be written.
func (r *htmlReport) write(tallies []scenarios.Tally, stderr io.Writer) bool {
	if r == nil {
		return true
	}
	if tallies == nil {
		tallies = r.rapid
	}
	path := ""
	if r.err == nil {
		path, r.err = r.rep.Write("zabsim run "+strings.Join(r.args, " "), tallies)
	}
	if r.err != nil {
		fmt.Fprintf(stderr, "zabsim run: --report: %v\n", r.err)
		return false
	}
	fmt.Fprintf(stderr, "report: %s\n", path)
	return true
}
