package experiments

import (
	"fmt"
	"time"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/reports"
)

// Timing is one setting of the election experiment.
type Timing struct {
	// TickTime is ZooKeeper's tickTime, the unit of initLimit and
	// syncLimit; FinalizeWait is how long Fast Leader Election waits for
	// a better vote once a quorum agrees.
	TickTime, FinalizeWait time.Duration
}

// ElectionTimings are the settings of the election experiment: tickTime
// from a quarter of the simulator's default to ZooKeeper's own 2 s, and
// finalize wait from one server tick to five times ZooKeeper's 200 ms.
var ElectionTimings = func() []Timing {
	var out []Timing
	for _, fw := range []time.Duration{50 * time.Millisecond, 200 * time.Millisecond, time.Second} {
		for _, tt := range []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, 2 * time.Second} {
			out = append(out, Timing{TickTime: tt, FinalizeWait: fw})
		}
	}
	return out
}()

// ElectionScenario crashes the leader every few seconds, so each run
// holds several elections.
const ElectionScenario = "leader-crash-loop"

// electionDuration is the simulated time of leader crashes per run.
const electionDuration = 20 * time.Second

type electionRun struct {
	samples []time.Duration
	verdict linearize.Verdict
}

// Elections runs ElectionScenario with each timing and measures every
// election: from the moment the first server went LOOKING to the moment a
// leader was established and serving. A server that goes LOOKING and
// rejoins the leader it finds is not an election.
func Elections(c Config, timings []Timing) ([]reports.ElectionTimes, Verdicts, error) {
	base := scenario(ElectionScenario)
	base.Duration = electionDuration
	runs, err := grid(c, "elections", len(timings), func(p int, seed uint64) (electionRun, error) {
		sched, err := base.Schedule(seed)
		if err != nil {
			return electionRun{}, err
		}
		cfg := base.Config(seed, nil, sched)
		cfg.Ensemble.Peer.TickTime = timings[p].TickTime
		cfg.Ensemble.Peer.FinalizeWait = timings[p].FinalizeWait
		res, obs, err := observe(cfg)
		if err != nil {
			return electionRun{}, err
		}
		return electionRun{obs.elections, res.Verdict}, nil
	})
	if err != nil {
		return nil, Verdicts{}, err
	}
	var v Verdicts
	out := make([]reports.ElectionTimes, len(timings))
	for p, t := range timings {
		out[p] = reports.ElectionTimes{TickTime: t.TickTime, FinalizeWait: t.FinalizeWait}
		for s, r := range runs[p] {
			out[p].Samples = append(out[p].Samples, r.samples...)
			v.add(fmt.Sprintf("elections tickTime %v finalize wait %v", t.TickTime, t.FinalizeWait), c.seed(s), r.verdict)
		}
	}
	return out, v, nil
}
