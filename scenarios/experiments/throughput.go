package experiments

import (
	"fmt"
	"time"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/reports"
	"github.com/zabsim/zabsim/sim/zk"
)

// ThroughputSizes and ThroughputClients are the ensembles and client
// counts of the throughput experiment.
var (
	ThroughputSizes   = []int{3, 5}
	ThroughputClients = []int{1, 2, 4, 8, 16, 32, 64}
)

// Throughput runs measure for throughputWindow after throughputWarmup,
// with clients that think for at most throughputThink between calls.
// A simulated client acts on its 10 ms tick, so it completes at most 100
// operations a second.
const (
	throughputWarmup = 2 * time.Second
	throughputWindow = 4 * time.Second
	throughputThink  = time.Millisecond
	clientTick       = 10 * time.Millisecond
	// throughputKeys spreads the clients over more znodes than the other
	// experiments, so the checker's search per key stays small at 64
	// clients.
	throughputKeys = 32
)

type throughputRun struct {
	completed int
	verdict   linearize.Verdict
}

// Throughput measures operations completed ok per simulated second, with
// each client keeping one request outstanding, for each ensemble size
// and client count, without faults.
func Throughput(c Config, sizes, clients []int) ([]reports.ThroughputSeries, Verdicts, error) {
	base := scenario("steady-state")
	base.Think, base.Keys, base.Duration = throughputThink, throughputKeys, throughputWarmup+throughputWindow
	w := window{throughputWarmup, base.Duration}
	runs, err := grid(c, "throughput", len(sizes)*len(clients), func(p int, seed uint64) (throughputRun, error) {
		s := base
		s.Servers, s.Clients = sizes[p/len(clients)], clients[p%len(clients)]
		cfg := s.Config(seed, nil, nil)
		cfg.Duration = s.Duration
		// Enough operations to keep every client busy to the end of the
		// window and not much beyond: the rest still runs, and is checked,
		// after it.
		cfg.OpsPerClient = int(s.Duration/clientTick) * 5 / 4
		res, err := zk.Run(cfg)
		if err != nil {
			return throughputRun{}, err
		}
		return throughputRun{completedIn(w, res.History), res.Verdict}, nil
	})
	if err != nil {
		return nil, Verdicts{}, err
	}
	var v Verdicts
	var out []reports.ThroughputSeries
	for i, size := range sizes {
		series := reports.ThroughputSeries{Label: fmt.Sprintf("%d servers", size)}
		for j, k := range clients {
			pt := reports.ThroughputPoint{Clients: k}
			for s, r := range runs[i*len(clients)+j] {
				pt.Completed += r.completed
				pt.Window += w.length()
				v.add(fmt.Sprintf("throughput %d servers %d clients", size, k), c.seed(s), r.verdict)
			}
			series.Points = append(series.Points, pt)
		}
		out = append(out, series)
	}
	return out, v, nil
}

// completedIn counts client operations answered ok inside the window.
func completedIn(w window, history []linearize.Operation) int {
	n := 0
	for _, op := range history {
		if isClient(op) && outcomeOf(op) == reports.OutcomeOK && ended(op) >= w.from && ended(op) <= w.to {
			n++
		}
	}
	return n
}
