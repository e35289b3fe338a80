package experiments

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/nemesis"
	"github.com/zabsim/zabsim/reports"
	"github.com/zabsim/zabsim/sim"
)

// AvailabilitySizes are the ensemble sizes of the availability
// experiment: 3 and 4 servers both tolerate one crash, 5 tolerate two.
var AvailabilitySizes = []int{3, 4, 5}

// The availability runs let the ensemble elect and the clients open
// sessions for availabilityWarmup, crash the chosen servers, and measure
// for availabilityWindow with them down; only then are they restarted.
const (
	availabilityWarmup = 3 * time.Second
	availabilityWindow = 15 * time.Second
)

// availabilityRun is what one availability run leaves behind.
type availabilityRun struct {
	point   reports.AvailabilityPoint
	verdict linearize.Verdict
}

// crashSchedule crashes k servers, drawn from the seed, at the end of the
// warm-up, and restarts none of them: the world heals only after the
// workload phase.
func crashSchedule(seed uint64, servers, k int) nemesis.Schedule {
	if k == 0 {
		return nil
	}
	ids := sim.NewRand(seed).Fork("experiments/crash").Perm(servers)[:k]
	for i := range ids {
		ids[i]++
	}
	slices.Sort(ids)
	return nemesis.Schedule{{At: availabilityWarmup, Fault: nemesis.Fault{Kind: nemesis.Crash, Who: nemesis.Servers(ids...)}}}
}

// Availability crashes 0..n-1 servers of each ensemble size and measures,
// while they are down, the share of client writes answered ok and the
// share of time some server served as an established leader.
func Availability(c Config, sizes []int) ([]reports.AvailabilityBySize, Verdicts, error) {
	type point struct{ size, crashed int }
	var points []point
	for _, n := range sizes {
		for k := range n {
			points = append(points, point{n, k})
		}
	}
	base := scenario("steady-state")
	runs, err := grid(c, "availability", len(points), func(p int, seed uint64) (availabilityRun, error) {
		s := base
		s.Servers, s.Duration = points[p].size, availabilityWarmup+availabilityWindow
		cfg := s.Config(seed, nil, crashSchedule(seed, s.Servers, points[p].crashed))
		// The workload phase ends with the window: clients that cannot
		// finish without a quorum would otherwise wait minutes for it.
		cfg.Duration = s.Duration
		res, obs, err := observe(cfg)
		if err != nil {
			return availabilityRun{}, err
		}
		w := window{availabilityWarmup, s.Duration}
		pt := reports.AvailabilityPoint{Crashed: points[p].crashed, LeaderTime: obs.leaderTime(w.from, w.to), Observed: w.length()}
		pt.WritesAttempted, pt.WritesSucceeded = w.writes(res.History)
		return availabilityRun{pt, res.Verdict}, nil
	})
	if err != nil {
		return nil, Verdicts{}, err
	}
	var v Verdicts
	var out []reports.AvailabilityBySize
	for p, pt := range points {
		if len(out) == 0 || out[len(out)-1].Size != pt.size {
			out = append(out, reports.AvailabilityBySize{Size: pt.size})
		}
		sum := reports.AvailabilityPoint{Crashed: pt.crashed}
		for s, r := range runs[p] {
			sum.WritesAttempted += r.point.WritesAttempted
			sum.WritesSucceeded += r.point.WritesSucceeded
			sum.LeaderTime += r.point.LeaderTime
			sum.Observed += r.point.Observed
			v.add(availabilityRunName(c.seed(s), pt.size, pt.crashed), c.seed(s), r.verdict)
		}
		last := &out[len(out)-1]
		last.Points = append(last.Points, sum)
	}
	return out, v, nil
}

// availabilityRunName says which run it was: the experiment sets the
// workload's end, so no replay command repeats it, but this does.
func availabilityRunName(seed uint64, servers, crashed int) string {
	faults := "no faults"
	if sched := crashSchedule(seed, servers, crashed); len(sched) > 0 {
		faults = "schedule " + strings.TrimSpace(sched.String())
	}
	return fmt.Sprintf("availability (steady-state on %d servers, %s, workload ending at %v)", servers, faults, availabilityWarmup+availabilityWindow)
}
