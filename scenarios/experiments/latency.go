package experiments

import (
	"fmt"
	"strings"
	"time"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/reports"
	"github.com/zabsim/zabsim/scenarios"
	"github.com/zabsim/zabsim/sim/zk"
)

// Verdicts sums what the checkers decided about an experiment's runs.
// The experiments measure; a run judged a violation where the set-up is
// faithful is named, so its numbers can be doubted and the seed replayed.
type Verdicts struct {
	Runs int
	// Violations names each run judged a violation, with its failed checks.
	Violations []string
}

func (v *Verdicts) add(what string, seed uint64, verdict linearize.Verdict) {
	v.Runs++
	if verdict.OK() {
		return
	}
	var checks []string
	for _, c := range verdict.Failed() {
		checks = append(checks, string(c))
	}
	v.Violations = append(v.Violations, fmt.Sprintf("%s seed %d: %s", what, seed, strings.Join(checks, ", ")))
}

// LatencySizes are the ensemble sizes of the latency experiment.
var LatencySizes = []int{1, 3, 5, 7, 9}

// latencyDuration is the simulated time each latency run keeps its
// clients busy: about 800 acknowledged writes a seed.
const latencyDuration = 10 * time.Second

// scenario is a catalogue entry the experiments start from; the names
// are fixed, so a missing one is a broken build.
func scenario(name string) scenarios.Scenario {
	sc, err := scenarios.Lookup(name)
	if err != nil {
		panic(err)
	}
	return sc
}

// latencyRun is what one latency run leaves behind.
type latencyRun struct {
	samples []time.Duration
	verdict linearize.Verdict
}

// Latency measures commit latency, from a client's write call to its
// successful reply, on each ensemble size under the default network and
// no faults (steady-state with --servers N --duration 10s).
func Latency(c Config, sizes []int) ([]reports.LatencyBySize, Verdicts, error) {
	base := scenario("steady-state")
	runs, err := grid(c, "latency", len(sizes), func(p int, seed uint64) (latencyRun, error) {
		out, err := scenarios.Run(base, seed, scenarios.Options{Overrides: scenarios.Overrides{Servers: sizes[p], Duration: latencyDuration}})
		if err != nil {
			return latencyRun{}, err
		}
		return latencyRun{commitLatencies(out.Result), out.Verdict}, nil
	})
	if err != nil {
		return nil, Verdicts{}, err
	}
	var v Verdicts
	out := make([]reports.LatencyBySize, len(sizes))
	for p, size := range sizes {
		out[p].Size = size
		for s, r := range runs[p] {
			out[p].Samples = append(out[p].Samples, r.samples...)
			v.add(fmt.Sprintf("latency %d servers", size), c.seed(s), r.verdict)
		}
	}
	return out, v, nil
}

// commitLatencies are the call-to-reply times of the acknowledged writes.
func commitLatencies(res zk.Result) []time.Duration {
	var out []time.Duration
	for _, op := range res.History {
		if isWrite(op) && op.Outcome == linearize.OutcomeOK {
			out = append(out, time.Duration(op.Return-op.Call))
		}
	}
	return out
}
