package explore

import (
	"runtime/debug"
	"testing"

	"github.com/zabsim/zabsim/sim/internal/cputime"
)

// BenchmarkExplore is the acceptance configuration of issue 6 (3 servers,
// 2 writes, 1 crash) cut at 1,000,000 distinct states; it reports
// distinct states per wall second and per CPU second of the process (the
// search runs on one goroutine; the garbage collector's work on the other
// core counts in the CPU figure), since the machine is shared.
func BenchmarkExplore(b *testing.B) {
	cfg := Config{Servers: 3, Writes: 2, Crashes: 1, ElectionLinks: 1, Depth: 100, States: 1_000_000}
	defer debug.SetGCPercent(debug.SetGCPercent(GCTarget))
	var distinct int
	cpu := cputime.Now()
	for b.Loop() {
		res, err := Explore(cfg)
		if err != nil {
			b.Fatal(err)
		}
		if res.Violation != "" {
			b.Fatal(res.Violation)
		}
		distinct += res.Distinct
	}
	b.ReportMetric(float64(distinct)/b.Elapsed().Seconds(), "states/s")
	if used := cputime.Now() - cpu; used > 0 {
		b.ReportMetric(float64(distinct)/used.Seconds(), "states/cpu-s")
	}
}
