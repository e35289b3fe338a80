package scenarios

import (
	"fmt"
	"strings"
	"time"
)

// Tally sums one scenario's runs and judges its expectation over them.
type Tally struct {
	Scenario Scenario
	Seeds    int
	OK       int
	// Violations counts runs whose verdict is violation; Damaged those
	// that failed one of the scenario's Damage checks.
	Violations int
	Damaged    int
	Ops        int
	Events     uint64
	SimTime    time.Duration
	Wall       time.Duration
}

// Add counts one run.
func (t *Tally) Add(o Outcome) {
	t.Scenario = o.Scenario
	t.Seeds++
	if o.Verdict.OK() {
		t.OK++
	} else {
		t.Violations++
	}
	if o.Damaged() {
		t.Damaged++
	}
	t.Ops += o.Ops
	t.Events += o.Events
	t.SimTime += o.SimTime.Duration()
	t.Wall += o.Wall
}

// Met reports whether the scenario did what it promises: no violation on
// any seed for an ok scenario; at least one damaging violation for a
// violation scenario.
func (t Tally) Met() bool {
	if t.Scenario.Expect == ExpectViolation {
		return t.Damaged > 0
	}
	return t.Violations == 0
}

// Unexpected counts what broke the expectation: each violating run of an
// ok scenario, or one for a violation scenario that showed no damage.
func (t Tally) Unexpected() int {
	if t.Scenario.Expect == ExpectViolation {
		if t.Damaged == 0 && t.Seeds > 0 {
			return 1
		}
		return 0
	}
	return t.Violations
}

// Table renders tallies as the summary table `zabsim run` prints.
func Table(ts []Tally) string {
	var b strings.Builder
	w := len("scenario")
	for _, t := range ts {
		w = max(w, len(t.Scenario.Name))
	}
	fmt.Fprintf(&b, "%-*s %6s %6s %10s %-10s %-5s %9s %10s %9s\n", w,
		"scenario", "seeds", "ok", "violations", "expected", "met", "ops", "sim time", "wall")
	var all Tally
	met := 0
	for _, t := range ts {
		m := "yes"
		if !t.Met() {
			m = "NO"
		} else {
			met++
		}
		fmt.Fprintf(&b, "%-*s %6d %6d %10d %-10s %-5s %9d %10s %9s\n", w, t.Scenario.Name, t.Seeds, t.OK, t.Violations,
			t.Scenario.Expect, m, t.Ops, t.SimTime.Round(time.Second), t.Wall.Round(time.Millisecond))
		all.Seeds += t.Seeds
		all.OK += t.OK
		all.Violations += t.Violations
		all.Ops += t.Ops
		all.SimTime += t.SimTime
		all.Wall += t.Wall
	}
	fmt.Fprintf(&b, "%-*s %6d %6d %10d %-10s %-5s %9d %10s %9s\n", w, "total", all.Seeds, all.OK, all.Violations, "",
		fmt.Sprintf("%d/%d", met, len(ts)), all.Ops, all.SimTime.Round(time.Second), all.Wall.Round(time.Millisecond))
	return b.String()
}
