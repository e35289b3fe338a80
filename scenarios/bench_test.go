package scenarios

import (
	"testing"
	"time"
)

// BenchmarkSwarmSeed is one seed of the swarm scenario per iteration (5
// servers, 10 clients, 30 s of randomly mixed faults, then the heal and
// every check); it reports seeds per minute on one core.
func BenchmarkSwarmSeed(b *testing.B) {
	s, err := Lookup("swarm")
	if err != nil {
		b.Fatal(err)
	}
	var ops int
	var sim time.Duration
	seed := uint64(0)
	for b.Loop() {
		seed++
		o, err := Run(s, seed, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if o.Unexpected() {
			b.Fatalf("seed %d: %s", seed, o.Verdict)
		}
		ops += o.Ops
		sim += o.SimTime.Duration()
	}
	b.ReportMetric(float64(seed)/b.Elapsed().Minutes(), "seeds/min")
	b.ReportMetric(float64(ops)/float64(seed), "ops/seed")
	b.ReportMetric(sim.Seconds()/b.Elapsed().Seconds(), "sim-s/s")
}
