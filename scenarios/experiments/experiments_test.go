package experiments

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/reports"
	"github.com/zabsim/zabsim/scenarios"
)

// Seeds for the known answers: few enough to keep the package's tests
// short, and the answers hold on every seed.
const knownAnswerSeeds = 2

func TestAvailabilityKnownAnswers(t *testing.T) {
	data, v, err := Availability(Config{Seeds: knownAnswerSeeds}, AvailabilitySizes)
	require.NoError(t, err)
	require.Empty(t, v.Violations, "every availability run is judged ok once the servers are restarted")
	points := map[[2]int]reports.AvailabilityPoint{}
	for _, d := range data {
		require.Len(t, d.Points, d.Size, "crashed 0..%d", d.Size-1)
		for _, p := range d.Points {
			require.Equal(t, knownAnswerSeeds*availabilityWindow, p.Observed)
			points[[2]int{d.Size, p.Crashed}] = p
		}
	}
	for _, tc := range []struct {
		servers, crashed int
		available        bool
	}{
		{3, 0, true},
		{3, 1, true},
		{3, 2, false},
		{4, 1, true},
		{4, 2, false},
		{5, 2, true},
		{5, 3, false},
		{5, 4, false},
	} {
		p := points[[2]int{tc.servers, tc.crashed}]
		if tc.available {
			require.Greater(t, p.WriteShare(), 0.9, "%d servers, %d crashed: %+v", tc.servers, tc.crashed, p)
			require.Greater(t, p.LeaderShare(), 0.9, "%d servers, %d crashed: %+v", tc.servers, tc.crashed, p)
			require.Greater(t, p.WritesAttempted, 1000, "%d servers, %d crashed", tc.servers, tc.crashed)
			continue
		}
		require.Zero(t, p.WritesSucceeded, "%d servers, %d crashed: %+v", tc.servers, tc.crashed, p)
		require.Zero(t, p.WriteShare(), "%d servers, %d crashed", tc.servers, tc.crashed)
		require.Less(t, p.LeaderShare(), 0.1, "%d servers, %d crashed: a leader without a quorum steps down", tc.servers, tc.crashed)
	}
}

func TestQuorumSweepKnownAnswers(t *testing.T) {
	sweep, v, err := QuorumSweep(Config{Seeds: knownAnswerSeeds}, QuorumServers)
	require.NoError(t, err)
	require.Empty(t, v.Violations, "quorums of a majority or more are clean")
	require.Equal(t, QuorumServers, sweep.Servers)
	require.Len(t, sweep.Points, QuorumServers)
	for _, p := range sweep.Points {
		require.Equal(t, knownAnswerSeeds, p.Seeds)
		require.Positive(t, p.WritesAttempted, "quorum %d", p.Quorum)
		switch {
		case p.Quorum == 2:
			require.Positive(t, p.LostAckedWrites, "quorum 2 of 5 under partitions loses acknowledged writes")
		case 2*p.Quorum > QuorumServers:
			require.Zero(t, p.LostAckedWrites, "quorum %d of 5 loses no acknowledged write", p.Quorum)
			require.Zero(t, p.SplitBrainEpochs, "quorum %d of 5 has one leader per epoch", p.Quorum)
		}
	}
}

func TestLatencyIsDeterministicAcrossParallelism(t *testing.T) {
	sizes := []int{1, 3}
	one, v, err := Latency(Config{Seeds: 2, Parallel: 1}, sizes)
	require.NoError(t, err)
	require.Equal(t, 4, v.Runs)
	require.Empty(t, v.Violations)
	many, _, err := Latency(Config{Seeds: 2, Parallel: 4}, sizes)
	require.NoError(t, err)
	require.Equal(t, one, many, "the same seeds give the same samples however many run at once")
	for _, d := range one {
		require.Greater(t, len(d.Samples), 100, "%d servers", d.Size)
		for _, s := range d.Samples {
			require.Positive(t, s)
			require.Less(t, s, 5*time.Second)
		}
	}
}

func TestElectionsFollowTheFinalizeWait(t *testing.T) {
	timings := []Timing{
		{TickTime: 500 * time.Millisecond, FinalizeWait: 50 * time.Millisecond},
		{TickTime: 500 * time.Millisecond, FinalizeWait: time.Second},
	}
	data, v, err := Elections(Config{Seeds: 1}, timings)
	require.NoError(t, err)
	require.Empty(t, v.Violations)
	require.Len(t, data, 2)
	for i, d := range data {
		require.Equal(t, timings[i].TickTime, d.TickTime)
		require.Equal(t, timings[i].FinalizeWait, d.FinalizeWait)
		require.GreaterOrEqual(t, len(d.Samples), 3, "the initial election and one per leader crash")
	}
	median := func(s []time.Duration) time.Duration {
		sorted := slices.Clone(s)
		slices.Sort(sorted)
		return sorted[len(sorted)/2]
	}
	require.Greater(t, median(data[1].Samples), median(data[0].Samples)+500*time.Millisecond)
	require.GreaterOrEqual(t, median(data[1].Samples), time.Second, "no election settles before its finalize wait")
}

func TestThroughputCountsAnsweredOps(t *testing.T) {
	data, v, err := Throughput(Config{Seeds: 1}, []int{3}, []int{1, 4})
	require.NoError(t, err)
	require.Empty(t, v.Violations)
	require.Len(t, data, 1)
	require.Equal(t, "3 servers", data[0].Label)
	require.Len(t, data[0].Points, 2)
	one, four := data[0].Points[0], data[0].Points[1]
	require.Equal(t, throughputWindow, one.Window)
	// A client acts on its 10 ms tick: at most 100 calls a second, and
	// a sync's read follows at once.
	require.Greater(t, one.PerSecond(), 50.0)
	require.Less(t, one.PerSecond(), 120.0)
	require.Greater(t, four.PerSecond(), 3*one.PerSecond())
}

func TestObservedRunIsTheSameRun(t *testing.T) {
	for _, name := range []string{"steady-state", "leader-crash-loop", "split-brain-quorum2"} {
		t.Run(name, func(t *testing.T) {
			sc, err := scenarios.Lookup(name)
			require.NoError(t, err)
			out, err := scenarios.Run(sc, 3, scenarios.Options{})
			require.NoError(t, err)
			res, obs, err := replay(out)
			require.NoError(t, err, "observing does not change the trace hash")
			require.Equal(t, out.Ops, res.Ops)
			end := res.SimTime.Duration()
			for sid := 1; sid <= sc.Servers; sid++ {
				var covered time.Duration
				var last time.Duration
				for _, s := range obs.spans {
					if s.Server != serverName(sid) {
						continue
					}
					require.Equal(t, last, s.Start, "s%d's spans follow one another", sid)
					require.Greater(t, s.End, s.Start)
					covered += s.End - s.Start
					last = s.End
				}
				require.Equal(t, end, covered, "s%d has a role from start to end", sid)
			}
			require.NotEmpty(t, obs.elections, "at least the first election")
		})
	}
}
