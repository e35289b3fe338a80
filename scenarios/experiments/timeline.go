package experiments

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/zabsim/zabsim/nemesis"
	"github.com/zabsim/zabsim/reports"
	"github.com/zabsim/zabsim/scenarios"
	"github.com/zabsim/zabsim/sim/zk"
)

// timelineOf lays one observed run out for reports.TimelineFigure.
func timelineOf(title string, res zk.Result, obs *observation) reports.Timeline {
	tl := reports.Timeline{Title: title, Duration: res.SimTime.Duration(), Faults: faultWindows(res.Applied), Roles: obs.spans}
	for sid := 1; sid <= obs.servers; sid++ {
		tl.Servers = append(tl.Servers, serverName(sid))
	}
	for _, op := range res.History {
		if !isClient(op) {
			continue
		}
		at := time.Duration(op.Call)
		tl.Ops = append(tl.Ops, reports.OpPoint{At: at, Latency: max(0, ended(op)-at), Outcome: outcomeOf(op)})
	}
	for _, l := range res.Zab.Leaders {
		tl.Leaders = append(tl.Leaders, reports.LeaderChange{At: time.Duration(l.Time), Server: serverName(l.Sid), Epoch: uint64(l.Epoch)})
	}
	return tl
}

// openFault is a fault window not yet closed.
type openFault struct {
	kind    nemesis.Kind
	servers []int
	from    nemesis.Fault
	window  reports.Window
}

// momentary is the width given to a fault that has no duration (a reset
// connection), so it still shows on the time axis.
const momentary = time.Millisecond

// faultWindows pairs the nemesis steps as they were applied into windows:
// each fault from the step that started it to the step that undid it
// (heal, restart, resume, unclog, the setting put back, calm). A fault
// never undone is left open, which the figure draws to the end of the run.
func faultWindows(applied []nemesis.Applied) []reports.Window {
	var open []openFault
	var out []reports.Window
	closeWhere := func(at time.Duration, match func(openFault) bool) {
		open = slices.DeleteFunc(open, func(f openFault) bool {
			if !match(f) {
				return false
			}
			f.window.End = at
			out = append(out, f.window)
			return true
		})
	}
	overlaps := func(a, b []int) bool {
		return slices.ContainsFunc(a, func(id int) bool { return slices.Contains(b, id) })
	}
	for _, a := range applied {
		at := a.At.Duration()
		f := a.Step.Fault
		start := true
		switch f.Kind {
		case nemesis.Calm:
			closeWhere(at, func(openFault) bool { return true })
			start = false
		case nemesis.Heal:
			closeWhere(at, func(o openFault) bool {
				return o.kind == nemesis.Partition || o.kind == nemesis.Block || o.kind == nemesis.Clog
			})
			start = false
		case nemesis.Partition:
			closeWhere(at, func(o openFault) bool { return o.kind == nemesis.Partition })
		case nemesis.Restart, nemesis.Resume, nemesis.Unclog:
			undoes := map[nemesis.Kind][]nemesis.Kind{
				nemesis.Restart: {nemesis.Crash, nemesis.Kill, nemesis.CrashAt},
				nemesis.Resume:  {nemesis.Pause},
				nemesis.Unclog:  {nemesis.Clog},
			}[f.Kind]
			closeWhere(at, func(o openFault) bool { return slices.Contains(undoes, o.kind) && overlaps(o.servers, a.Servers) })
			start = false
		case nemesis.Unblock:
			closeWhere(at, func(o openFault) bool { return o.kind == nemesis.Block && o.from.From == f.From && o.from.To == f.To })
			start = false
		case nemesis.Latency, nemesis.Loss, nemesis.Duplicate, nemesis.SlowDisk, nemesis.Skew:
			closeWhere(at, func(o openFault) bool { return o.kind == f.Kind })
			start = !backToNormal(f)
		case nemesis.Reset:
			out = append(out, reports.Window{Start: at, End: at + momentary, Label: a.Text})
			start = false
		case nemesis.Crash, nemesis.Kill, nemesis.CrashAt, nemesis.Pause, nemesis.Clog:
			start = len(a.Servers) > 0 // a selector that found no server did nothing
		}
		if start {
			open = append(open, openFault{kind: f.Kind, servers: a.Servers, from: f, window: reports.Window{Start: at, Label: a.Text}})
		}
	}
	for _, o := range open {
		out = append(out, o.window)
	}
	slices.SortStableFunc(out, func(a, b reports.Window) int { return cmp.Compare(a.Start, b.Start) })
	return out
}

// backToNormal reports whether a setting step puts the run's base
// configuration back rather than starting a fault.
func backToNormal(f nemesis.Fault) bool {
	switch f.Kind {
	case nemesis.Latency, nemesis.SlowDisk:
		return f.Base
	case nemesis.Loss, nemesis.Duplicate:
		return f.P == 0
	case nemesis.Skew:
		return f.P == 1
	}
	return false
}

// Timeline runs scenario name on seed with the observer attached and
// returns the timeline of the run with the outcome it was judged by.
func Timeline(name string, seed uint64, o scenarios.Overrides) (reports.Timeline, scenarios.Outcome, error) {
	sc, err := scenarios.Lookup(name)
	if err != nil {
		return reports.Timeline{}, scenarios.Outcome{}, err
	}
	out, err := scenarios.Run(sc, seed, scenarios.Options{Overrides: o})
	if err != nil {
		return reports.Timeline{}, scenarios.Outcome{}, err
	}
	res, obs, err := replay(out)
	if err != nil {
		return reports.Timeline{}, scenarios.Outcome{}, err
	}
	return timelineOf(timelineTitle(out), res, obs), out, nil
}

func timelineTitle(o scenarios.Outcome) string {
	verdict := "ok"
	if !o.Verdict.OK() {
		verdict = "violation"
	}
	return fmt.Sprintf("Timeline of %s, seed %d (%d servers, verdict %s)", o.Scenario.Name, o.Seed, o.Scenario.Servers, verdict)
}
