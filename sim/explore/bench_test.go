package explore

import "testing"

// BenchmarkExplore is the acceptance configuration of issue 6 (3 servers,
// 2 writes, 1 crash) cut at 200,000 distinct states; it reports distinct
// states per second on one core.
func BenchmarkExplore(b *testing.B) {
	cfg := Config{Servers: 3, Writes: 2, Crashes: 1, Depth: 100, States: 200_000}
	var distinct int
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
}
