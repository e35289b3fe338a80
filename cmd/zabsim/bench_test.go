package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/cmd/internal/live"
)

func TestHistogram(t *testing.T) {
	for _, us := range []int64{0, 1, 127, 128, 129, 1000, 123_456, 9_999_999} {
		i := histIndex(us)
		require.GreaterOrEqual(t, histValue(i), us, "bucket %d of %dµs", i, us)
		if i > 0 {
			require.Less(t, histValue(i-1), us, "the bucket before %dµs's", us)
		}
		require.LessOrEqual(t, float64(histValue(i)-us), 0.016*float64(us)+1, "error at %dµs", us)
	}
	var h histogram
	for i := 1; i <= 1000; i++ {
		h.add(time.Duration(i) * time.Millisecond)
	}
	for q, want := range map[float64]time.Duration{0.5: 500 * time.Millisecond, 0.99: 990 * time.Millisecond, 0.999: 999 * time.Millisecond} {
		got := h.quantile(q)
		require.InDelta(t, float64(want), float64(got), 0.016*float64(want), "p%v", q*100)
	}
}

func TestBenchUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "--servers is required"},
		{[]string{"--servers", "h:1", "--clients", "0"}, "--clients 0 is not between 1 and 10000"},
		{[]string{"--servers", "h:1", "--duration", "0s"}, "--duration 0s is not positive"},
		{[]string{"--servers", "h:1", "--mix", "reads"}, `--mix "reads" is not read, write or mixed`},
		{[]string{"--servers", "h:1", "--size", "-1"}, "--size -1 is not between"},
	} {
		var stdout, stderr bytes.Buffer
		code := dispatch(append([]string{"bench"}, tc.args...), &stdout, &stderr)
		require.Equal(t, exitUsage, code, "args %q: stderr=%q", tc.args, stderr.String())
		require.Contains(t, stderr.String(), tc.want)
	}
}

func TestBenchAgainstEnsemble(t *testing.T) {
	t.Parallel()
	e, err := live.StartEnsemble(live.EnsembleConfig{Servers: 3, Dir: t.TempDir(), TickTime: 200 * time.Millisecond, Logf: t.Logf})
	require.NoError(t, err)
	defer e.Close()
	require.NoError(t, e.WaitServing(20*time.Second))
	cfg := benchConfig{servers: e.ClientAddrs(), clients: 6, duration: 500 * time.Millisecond, mix: "mixed", size: 100, pin: true, root: "/b"}
	res, err := bench(context.Background(), cfg)
	require.NoError(t, err)
	require.Positive(t, res.reads.n)
	require.Positive(t, res.writes.n)
	var out bytes.Buffer
	res.print(&out, cfg)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 5, out.String())
	require.Contains(t, lines[0], "3 servers, 6 clients, mix mixed, 100-byte data")
	require.Regexp(t, `^ +op +ops/s +p50 ms +p99 ms +p999 ms +errors$`, lines[1])
	require.Regexp(t, `^ +write +\d+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +0$`, lines[4])
}
