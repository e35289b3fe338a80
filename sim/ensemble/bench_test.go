package ensemble

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/sim/internal/cputime"
)

// crashRun runs the leader-crash workload of TestCrashesOfLeaderAndFollowers
// for one seed and returns the trace hash.
func crashRun(t testing.TB, seed uint64) uint64 {
	w := newWorld(t, seed, 5)
	w.requireStable(t, 30*time.Second)
	end := w.s.Now().Add(20 * time.Second)
	w.load(5*time.Millisecond, end)
	r := w.s.Rand("test/crashes")
	var crash func()
	crash = func() {
		if w.s.Now() >= end {
			return
		}
		n := w.s.Node(w.e.nodes[r.IntN(len(w.e.nodes))])
		if n.Up() {
			n.Crash()
			w.s.After(time.Second, n.Restart)
		}
		w.s.After(3*time.Second, crash)
	}
	w.s.After(time.Second, crash)
	require.NoError(t, w.s.RunFor(25*time.Second))
	return w.s.TraceHash()
}

// TestSameSeedSameTrace: a run is a function of its seed, whatever
// GOMAXPROCS is.
func TestSameSeedSameTrace(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		a := crashRun(t, seed)
		old := runtime.GOMAXPROCS(1)
		b := crashRun(t, seed)
		runtime.GOMAXPROCS(old)
		require.Equal(t, a, b, "seed %d", seed)
		require.NotEqual(t, a, crashRun(t, seed+100), "different seeds should differ")
	}
}

// BenchmarkEnsemble5 drives a 5-server ensemble under a steady proposal
// load with no faults (saturating: 5,000 proposals per simulated second;
// light: 100) and reports delivered messages and committed transactions
// per wall second, and simulated seconds per wall second.
func BenchmarkEnsemble5(b *testing.B) {
	for _, bc := range []struct {
		name  string
		every time.Duration
	}{{"saturating", 200 * time.Microsecond}, {"light", 10 * time.Millisecond}} {
		b.Run(bc.name, func(b *testing.B) { benchEnsemble(b, bc.every) })
	}
}

func benchEnsemble(b *testing.B, every time.Duration) {
	const simSpan = 10 * time.Second
	var delivered, committed uint64
	var simTotal, wallTotal, cpuTotal time.Duration
	for i := 0; i < b.N; i++ {
		// Only the loaded span is timed: building the world and the first
		// election are setup, not the steady state being measured.
		b.StopTimer()
		w := newWorld(b, uint64(i+1), 5)
		w.requireStable(b, 30*time.Second)
		before := w.s.Net.Stats().Delivered
		commitsBefore := len(w.e.Record().Commits)
		from := w.s.Now()
		w.load(every, from.Add(simSpan))
		b.StartTimer()
		start, cpuStart := time.Now(), cputime.Now()
		require.NoError(b, w.s.RunFor(simSpan))
		wallTotal += time.Since(start)
		cpuTotal += cputime.Now() - cpuStart
		delivered += w.s.Net.Stats().Delivered - before
		committed += uint64(len(w.e.Record().Commits) - commitsBefore)
		simTotal += time.Duration(w.s.Now() - from)
	}
	wall := wallTotal.Seconds()
	b.ReportMetric(float64(delivered)/wall, "msgs/s")
	b.ReportMetric(float64(committed)/wall, "commits/s")
	b.ReportMetric(simTotal.Seconds()/wall, "sim-s/s")
	// The same per second of CPU the process used (the collector's
	// included): what one core does, whoever else shares the machine.
	if cpu := cpuTotal.Seconds(); cpu > 0 {
		b.ReportMetric(float64(delivered)/cpu, "msgs/cpu-s")
		b.ReportMetric(simTotal.Seconds()/cpu, "sim-s/cpu-s")
	}
}
