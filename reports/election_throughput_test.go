package reports

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// syntheticElections grows with tickTime (timeouts count ticks) and with
// finalize wait (each election waits it out at least once).
func syntheticElections() []ElectionTimes {
	r := rand.New(rand.NewPCG(3, 3))
	var out []ElectionTimes
	for _, fin := range []time.Duration{200 * time.Millisecond, 50 * time.Millisecond} {
		for _, tick := range []time.Duration{2 * time.Second, 100 * time.Millisecond, 500 * time.Millisecond} {
			e := ElectionTimes{TickTime: tick, FinalizeWait: fin}
			for range 60 {
				e.Samples = append(e.Samples, fin+time.Duration(float64(tick)*(1+2*r.Float64())))
			}
			out = append(out, e)
		}
	}
	return out
}

func TestElectionsFigure(t *testing.T) {
	dir := figureDir(t)
	fig, err := Elections(dir, syntheticElections())
	require.NoError(t, err)
	requireFigure(t, dir, fig, 10, 6, "tickTime (grouped by finalize wait)", "time to an established leader (ms, log scale)", "finalize wait 50ms", "500ms")
	require.Equal(t, []string{"100ms", "50ms"}, fig.Table.Rows[0][:2], "ordered by finalize wait, then tickTime")
}

func TestElectionsFigureWithoutSamples(t *testing.T) {
	dir := t.TempDir()
	fig, err := Elections(dir, []ElectionTimes{{TickTime: time.Second, FinalizeWait: 200 * time.Millisecond}})
	require.NoError(t, err)
	requireFigure(t, dir, fig, 10, 6)
	require.Equal(t, "0", fig.Table.Rows[0][2])
}

func TestThroughputFigure(t *testing.T) {
	dir := figureDir(t)
	var series []ThroughputSeries
	for _, n := range []int{3, 5} {
		s := ThroughputSeries{Label: servers(n)}
		for _, c := range []int{64, 1, 2, 4, 8, 16, 32} {
			perClient := 400.0 / (1 + float64(c)/float64(8*n))
			s.Points = append(s.Points, ThroughputPoint{Clients: c, Completed: int(perClient * float64(c) * 10), Window: 10 * time.Second})
		}
		series = append(series, s)
	}
	fig, err := Throughput(dir, series)
	require.NoError(t, err)
	requireFigure(t, dir, fig, 10, 6, "concurrent clients (log scale)", "completed operations per second (simulated)", "5 servers")
	require.Equal(t, []string{"3 servers", "1", "3840", "10.0", "384"}, fig.Table.Rows[0])
	require.Zero(t, ThroughputPoint{Completed: 5}.PerSecond(), "an empty window has no rate")
}
