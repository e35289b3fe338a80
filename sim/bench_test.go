package sim

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkScheduler measures the bare event loop: each event schedules
// the next, with a queue kept 1,000 deep.
func BenchmarkScheduler(b *testing.B) {
	s := New(Config{Seed: 1, EventsMax: 1 << 62})
	r := s.Rand("bench")
	var fire func()
	fire = func() { s.After(time.Duration(r.IntN(1000)), fire) }
	for i := 0; i < 1000; i++ {
		s.After(time.Duration(i), fire)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.step()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// pingPong bounces every message it receives straight back.
type pingPong struct{ ctx *NodeContext }

func (p *pingPong) Receive(from NodeID, msg any) { p.ctx.Send(from, msg) }
func (p *pingPong) Tick()                        {}

// BenchmarkNetworkDelivery measures delivered messages per second through
// stream links between 5 nodes, with the trace hash on, as in every real
// run; inflight is how many messages bounce at once (a 5-server ensemble
// under load has tens to hundreds).
func BenchmarkNetworkDelivery(b *testing.B) {
	for _, inflight := range []int{100, 1000} {
		b.Run(fmt.Sprintf("inflight=%d", inflight), func(b *testing.B) {
			s := New(Config{Seed: 1, EventsMax: 1 << 62})
			const nodes = 5
			for i := 0; i < nodes; i++ {
				s.AddNode(NodeConfig{Start: func(ctx *NodeContext) Process { return &pingPong{ctx: ctx} }})
			}
			for i := 0; i < inflight; i++ {
				s.Node(NodeID(i%nodes)).ctx.Send(NodeID((i+1)%nodes), i)
			}
			b.ReportAllocs()
			b.ResetTimer()
			start := s.Net.Stats().Delivered
			for s.Net.Stats().Delivered-start < uint64(b.N) {
				s.step()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
