package reports

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// syntheticRun is a 5-server run of 30 s: a partition isolates the leader
// s1 from 8 s to 16 s, s3 takes over in epoch 2, s1 crashes at 20 s and
// restarts at 24 s. Writes slow down and time out around the faults.
func syntheticRun() Timeline {
	r := rand.New(rand.NewPCG(7, 7))
	tl := Timeline{
		Title:    "isolate-leader seed 7",
		Duration: 30 * time.Second,
		Servers:  []string{"s1", "s2", "s3", "s4", "s5"},
		Faults: []Window{
			{Start: 8 * time.Second, End: 16 * time.Second, Label: "partition s1 | s2,s3,s4,s5"},
			{Start: 20 * time.Second, End: 24 * time.Second, Label: "crash s1"},
			{Start: 26 * time.Second, Label: "latency spike s4"},
		},
		Leaders: []LeaderChange{
			{At: 1200 * time.Millisecond, Server: "s1", Epoch: 1},
			{At: 10500 * time.Millisecond, Server: "s3", Epoch: 2},
		},
	}
	for at := 500 * time.Millisecond; at < tl.Duration; at += 40 * time.Millisecond {
		op := OpPoint{At: at, Latency: time.Duration(float64(2*time.Millisecond) * (0.5 + r.ExpFloat64()))}
		switch {
		case at > 8*time.Second && at < 10500*time.Millisecond && r.IntN(3) == 0:
			op.Latency, op.Outcome = 2*time.Second, OutcomeTimeout
		case at > 8*time.Second && at < 10500*time.Millisecond:
			op.Outcome = OutcomeError
		}
		tl.Ops = append(tl.Ops, op)
	}
	for i, s := range tl.Servers {
		tl.Roles = append(tl.Roles, RoleSpan{Server: s, Role: RoleLooking, End: 1200 * time.Millisecond})
		role := RoleFollowing
		if i == 0 {
			role = RoleLeading
		}
		tl.Roles = append(tl.Roles, RoleSpan{Server: s, Role: role, Start: 1200 * time.Millisecond, End: 8 * time.Second})
	}
	tl.Roles = append(tl.Roles,
		RoleSpan{Server: "s1", Role: RoleLooking, Start: 8 * time.Second, End: 20 * time.Second},
		RoleSpan{Server: "s1", Role: RoleDown, Start: 20 * time.Second, End: 24 * time.Second},
		RoleSpan{Server: "s1", Role: RoleLooking, Start: 24 * time.Second, End: 24500 * time.Millisecond},
		RoleSpan{Server: "s1", Role: RoleFollowing, Start: 24500 * time.Millisecond},
		RoleSpan{Server: "s3", Role: RoleLooking, Start: 8 * time.Second, End: 10500 * time.Millisecond},
		RoleSpan{Server: "s3", Role: RoleLeading, Start: 10500 * time.Millisecond},
		RoleSpan{Server: "obs1", Role: RoleObserving},
	)
	for _, s := range []string{"s2", "s4", "s5"} {
		tl.Roles = append(tl.Roles,
			RoleSpan{Server: s, Role: RoleLooking, Start: 8 * time.Second, End: 10500 * time.Millisecond},
			RoleSpan{Server: s, Role: RoleFollowing, Start: 10500 * time.Millisecond})
	}
	return tl
}

func TestTimelineFigure(t *testing.T) {
	dir := figureDir(t)
	fig, err := TimelineFigure(dir, "timeline", syntheticRun())
	require.NoError(t, err)
	requireFigure(t, dir, fig, 10, 8, "client latency (ms, log scale)", "simulated time (s)",
		"partition s1 | s2,s3,s4,s5", "s3 e2", "timeout", "LEADING", "DOWN", "obs1")
	require.Equal(t, []string{"leader", "1.20", "", "s1 leads epoch 1"}, fig.Table.Rows[0])
	require.Equal(t, []string{"fault", "26.0", "30.0", "latency spike s4"}, fig.Table.Rows[4], "an unhealed fault lasts to the end")
}

func TestTimelineFigureEmptyRun(t *testing.T) {
	dir := figureDir(t)
	fig, err := TimelineFigure(dir, "timeline-empty", Timeline{})
	require.NoError(t, err)
	requireFigure(t, dir, fig, 10, 8, "no client operations", "no server roles recorded", "simulated time (s)")
	require.Empty(t, fig.Table.Rows)
}

func TestTimelineFigureWithoutFaults(t *testing.T) {
	dir := figureDir(t)
	tl := syntheticRun()
	tl.Faults, tl.Duration, tl.Title = nil, 0, "steady seed 1"
	fig, err := TimelineFigure(dir, "timeline-steady", tl)
	require.NoError(t, err)
	requireFigure(t, dir, fig, 10, 8, "simulated time (s)")
	for _, row := range fig.Table.Rows {
		require.NotEqual(t, "fault", row[0])
	}
}

func TestTimelineFileNameIsSafe(t *testing.T) {
	dir := t.TempDir()
	fig, err := TimelineFigure(dir, "../<script>/7", Timeline{Title: "<script>alert(1)</script>"})
	require.NoError(t, err)
	require.Equal(t, "----script--7.png", fig.PNG)
	requireFigure(t, dir, fig, 10, 8)
}

// busyRun is a swarm-style run: nine servers, a fault every second and a
// leader change every other second, to see labels crowd.
func busyRun() Timeline {
	r := rand.New(rand.NewPCG(11, 11))
	tl := Timeline{Title: "swarm seed 11", Duration: 5 * time.Second}
	for i := 1; i <= 9; i++ {
		tl.Servers = append(tl.Servers, fmt.Sprintf("s%d", i))
	}
	for i := range 10 {
		start := time.Duration(i) * 500 * time.Millisecond
		tl.Faults = append(tl.Faults, Window{Start: start, End: start + 300*time.Millisecond, Label: fmt.Sprintf("fault %d", i)})
		if i%2 == 0 {
			tl.Leaders = append(tl.Leaders, LeaderChange{At: start + 100*time.Millisecond, Server: tl.Servers[i%9], Epoch: uint64(i/2 + 1)})
		}
	}
	for at := time.Duration(0); at < tl.Duration; at += time.Millisecond {
		tl.Ops = append(tl.Ops, OpPoint{At: at, Latency: time.Duration(r.ExpFloat64() * float64(time.Millisecond)), Outcome: Outcome(r.IntN(3))})
	}
	for i, s := range tl.Servers {
		for j := range 10 {
			start := time.Duration(j) * 500 * time.Millisecond
			tl.Roles = append(tl.Roles, RoleSpan{Server: s, Role: Role((i + j) % 5), Start: start, End: start + 500*time.Millisecond})
		}
	}
	return tl
}

func TestTimelineFigureBusyRun(t *testing.T) {
	dir := figureDir(t)
	fig, err := TimelineFigure(dir, "timeline-busy", busyRun())
	require.NoError(t, err)
	requireFigure(t, dir, fig, 10, 8, "simulated time (s)", "s9", "fault 9", "s9 e5")
	require.Len(t, fig.Table.Rows, 10+5+3, "faults, leader changes, one row per outcome")
}

// A simulation with zero-delay links can measure zero latencies, which a
// log axis cannot place; they sit on its floor instead.
func TestTimelineFigureZeroLatencies(t *testing.T) {
	dir := t.TempDir()
	tl := Timeline{Ops: []OpPoint{{At: time.Second}, {At: 2 * time.Second, Outcome: OutcomeError}}}
	fig, err := TimelineFigure(dir, "timeline-zero", tl)
	require.NoError(t, err)
	requireFigure(t, dir, fig, 10, 8, "simulated time (s)")
	svg, err := os.ReadFile(filepath.Join(dir, fig.SVG))
	require.NoError(t, err)
	require.NotContains(t, string(svg), "NaN")
}
