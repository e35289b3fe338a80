package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/cmd/internal/live"
	"github.com/zabsim/zabsim/internal/zkserver"
)

// TestBenchCompare runs zabsim bench's workloads against a 3-server
// zabsim ensemble and a 3-server Apache ZooKeeper 3.8 ensemble, one after
// the other in one run, for docs/PERFORMANCE.md. It is skipped unless
// ZABSIM_BENCH_COMPARE is set (to a duration per workload, e.g. 10s):
//
//	ZABSIM_BENCH_COMPARE=10s go test ./cmd/zabsim -run TestBenchCompare -v -timeout 30m
func TestBenchCompare(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("ZABSIM_BENCH_COMPARE"))
	if err != nil || d <= 0 {
		t.Skip("set ZABSIM_BENCH_COMPARE to a duration per workload to run")
	}
	zkserver.Require(t)
	e, err := live.StartEnsemble(live.EnsembleConfig{Servers: 3, Dir: t.TempDir(), Logf: func(string, ...any) {}})
	require.NoError(t, err)
	require.NoError(t, e.WaitServing(time.Minute))
	zabsim := e.ClientAddrs()
	zks := zkserver.StartEnsembleT(t, 3)
	var real []string
	for _, s := range zks {
		real = append(real, s.Addr)
	}
	for _, clients := range []int{16, 64} {
		for _, mix := range []string{"write", "read", "mixed"} {
			for _, side := range []struct {
				name  string
				addrs []string
			}{{"zabsim", zabsim}, {"zookeeper", real}} {
				cfg := benchConfig{servers: side.addrs, clients: clients, duration: d, mix: mix, size: 100, pin: true,
					root: fmt.Sprintf("/cmp-%d-%s", clients, mix)}
				res, err := bench(context.Background(), cfg)
				require.NoError(t, err, "%s", side.name)
				var out bytes.Buffer
				res.print(&out, cfg)
				t.Logf("%s\n%s", side.name, out.String())
			}
		}
	}
	e.Close()
}
