package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/internal/zkserver"
)

// TestBenchCompare runs zabsim bench's workloads against a 3-server
// zabsim ensemble and a 3-server Apache ZooKeeper 3.8 ensemble in one
// run, for docs/PERFORMANCE.md. It is skipped unless ZABSIM_BENCH_COMPARE
// is set (to a duration per workload and side, e.g. 10s):
//
//	ZABSIM_BENCH_COMPARE=10s go test ./cmd/zabsim -run TestBenchCompare -v -timeout 60m
//
// Each workload runs ZABSIM_BENCH_REPS times (default 3) on each side,
// the sides alternating, and the summary compares medians: on a shared
// virtual disk one run's fsyncs can take several times another's, and
// alternating keeps that drift from favouring either side.
//
// Before any run is recorded, each side serves ZABSIM_BENCH_WARMUP
// (default 20s, 0 for none) of 64-session writes and then reads: ZooKeeper's JIT
// takes about that long to reach its steady rate (cold, its 64-session
// setData rate climbed from about 2,100 to 6,400 writes/s over 25 s).
//
// Both ensembles run in processes of their own, `zabsim ensemble` (this
// test binary acting as zabsim) as ZooKeeper's JVMs do, and the clients
// in this one: servers sharing the clients' Go runtime share its
// scheduler and its garbage collector with 64 client connections.
func TestBenchCompare(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("ZABSIM_BENCH_COMPARE"))
	if err != nil || d <= 0 {
		t.Skip("set ZABSIM_BENCH_COMPARE to a duration per workload to run")
	}
	reps := 3
	if s := os.Getenv("ZABSIM_BENCH_REPS"); s != "" {
		reps, err = strconv.Atoi(s)
		require.NoError(t, err, "ZABSIM_BENCH_REPS")
		require.Positive(t, reps, "ZABSIM_BENCH_REPS")
	}
	zkserver.Require(t)
	ours := startEnsembleProcess(t)
	zks := zkserver.StartEnsembleT(t, 3)
	var real []string
	for _, s := range zks {
		real = append(real, s.Addr)
	}
	sides := []struct {
		name  string
		addrs []string
	}{{"zabsim", ours}, {"zookeeper", real}}

	warmup := 20 * time.Second
	if s := os.Getenv("ZABSIM_BENCH_WARMUP"); s != "" {
		warmup, err = time.ParseDuration(s)
		require.NoError(t, err, "ZABSIM_BENCH_WARMUP")
	}
	for _, side := range sides {
		if warmup <= 0 {
			break
		}
		for _, mix := range []string{"write", "read"} {
			cfg := benchConfig{servers: side.addrs, clients: 64, duration: warmup / 2, mix: mix, size: 100, pin: true, root: "/warmup"}
			res, err := bench(context.Background(), cfg)
			require.NoError(t, err, "%s", side.name)
			t.Logf("%s, warm-up: %s %.0f ops/s", side.name, mix, float64(res.reads.n+res.writes.n)/res.elapsed.Seconds())
		}
	}

	var summary strings.Builder
	fmt.Fprintf(&summary, "medians of %d runs of %v each (ops/s, p99 ms):\n", reps, d)
	fmt.Fprintln(&summary, "sessions  workload  zabsim           zookeeper        ratio")
	for _, clients := range []int{16, 64} {
		for _, mix := range []string{"write", "read", "mixed"} {
			opsPerSec := make([][]float64, len(sides))
			p99 := make([][]float64, len(sides))
			for rep := range reps {
				for i, side := range sides {
					cfg := benchConfig{servers: side.addrs, clients: clients, duration: d, mix: mix, size: 100, pin: true,
						root: fmt.Sprintf("/cmp-%d-%s", clients, mix)}
					res, err := bench(context.Background(), cfg)
					require.NoError(t, err, "%s", side.name)
					var out bytes.Buffer
					res.print(&out, cfg)
					t.Logf("%s, run %d of %d\n%s", side.name, rep+1, reps, out.String())
					var all histogram
					all.merge(&res.reads)
					all.merge(&res.writes)
					opsPerSec[i] = append(opsPerSec[i], float64(all.n)/res.elapsed.Seconds())
					p99[i] = append(p99[i], float64(all.quantile(0.99))/float64(time.Millisecond))
				}
			}
			z, k := median(opsPerSec[0]), median(opsPerSec[1])
			fmt.Fprintf(&summary, "%8d  %-8s  %6.0f (%6.2f)  %6.0f (%6.2f)  %.2fx\n",
				clients, mix, z, median(p99[0]), k, median(p99[1]), z/k)
		}
	}
	t.Log(summary.String())
}

// startEnsembleProcess runs `zabsim ensemble --servers 3` as a child
// process until the test ends and returns its servers' client addresses.
func startEnsembleProcess(t *testing.T) []string {
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, "ensemble", "--servers", "3", "--dir", t.TempDir(), "--client-port", "0")
	cmd.Env = append(os.Environ(), serveEnv+"=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	waited := false
	t.Cleanup(func() {
		if waited {
			return
		}
		if cmd.Process.Signal(syscall.SIGTERM) != nil {
			_ = cmd.Process.Kill()
		}
		_ = cmd.Wait()
	})
	// The connect string comes once a leader serves; the command gives up
	// on its own after ensembleServingTimeout.
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		waited = true
		_ = cmd.Wait() // its log is complete once it has exited
		t.Fatalf("zabsim ensemble printed no connect string (%v); its log:\n%s", err, stderr.String())
	}
	return strings.Split(strings.TrimSpace(line), ",")
}

// median of xs (the mean of the middle two for an even count).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
