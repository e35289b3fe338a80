package zk

import (
	"testing"
	"time"

	"github.com/zabsim/zabsim/sim/internal/cputime"
)

// BenchmarkClients5: a 5-server ensemble under 20 closed-loop clients
// with no think time, measured in client operations, delivered messages
// and simulated seconds per wall second.
func BenchmarkClients5(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Ensemble.Voters = 5
	cfg.Clients, cfg.OpsPerClient, cfg.Think = 20, 1000, 0
	var ops, events int
	var simTime time.Duration
	b.ReportAllocs()
	cpuStart := cputime.Now()
	for i := 0; i < b.N; i++ {
		cfg.Seed = uint64(i + 1)
		w, err := New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		if err := w.s.RunUntil(w.done, 0); err != nil {
			b.Fatal(err)
		}
		ops += w.invoked
		events += int(w.s.Net.Stats().Delivered)
		simTime += w.s.Now().Duration()
	}
	cpu := (cputime.Now() - cpuStart).Seconds()
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(ops)/sec, "ops/s")
	b.ReportMetric(float64(events)/sec, "msgs/s")
	b.ReportMetric(simTime.Seconds()/sec, "sim-s/s")
	// The same per second of CPU the process used (the collector's
	// included): what one core does, whoever else shares the machine.
	if cpu > 0 {
		b.ReportMetric(float64(ops)/cpu, "ops/cpu-s")
		b.ReportMetric(float64(events)/cpu, "msgs/cpu-s")
	}
}
