package scenarios

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/nemesis"
	"github.com/zabsim/zabsim/protocol"
	"github.com/zabsim/zabsim/sim/explore"
	"github.com/zabsim/zabsim/sim/zk"
)

// seedCount is how many seeds each scenario runs: a few by default, one
// with -short, ZABSIM_SEEDS to sweep.
func seedCount(t *testing.T, normal int) int {
	if s := os.Getenv("ZABSIM_SEEDS"); s != "" {
		n, err := strconv.Atoi(s)
		require.NoError(t, err, "ZABSIM_SEEDS")
		require.Positive(t, n, "ZABSIM_SEEDS")
		return n
	}
	if testing.Short() {
		return 1
	}
	return normal
}

func TestCatalogueIsWellFormed(t *testing.T) {
	all := All()
	require.GreaterOrEqual(t, len(all), 15)
	seen := map[string]bool{}
	for _, s := range all {
		require.False(t, seen[s.Name], "duplicate scenario %s", s.Name)
		seen[s.Name] = true
		require.True(t, validFaults(s.Faults), "%s: faults %q", s.Name, s.Faults)
		require.True(t, validRecipe(s.Recipe), "%s: recipe %q", s.Name, s.Recipe)
		require.Contains(t, []Expectation{ExpectOK, ExpectViolation}, s.Expect, s.Name)
		require.Equal(t, s.Expect == ExpectViolation, len(s.Damage) > 0, "%s: a violation scenario names the damage it must show, and only it", s.Name)
		require.NotEmpty(t, s.Summary, s.Name)
		require.Positive(t, s.Duration, s.Name)
		got, err := Lookup(s.Name)
		require.NoError(t, err)
		require.Equal(t, s.Name, got.Name)
		sched, err := s.Schedule(1)
		require.NoError(t, err)
		require.NoError(t, sched.Validate(s.Servers+s.Observers), s.Name)
	}
	require.True(t, seen["split-brain-quorum2"])
	_, err := Lookup("no-such")
	require.ErrorIs(t, err, ErrUnknown)
	require.Contains(t, err.Error(), "steady-state", "the error lists the valid names")
}

func TestOverridesAreChecked(t *testing.T) {
	s, err := Lookup("steady-state")
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		o    Overrides
		want string
	}{
		{"too many servers", Overrides{Servers: 10}, "--servers 10"},
		{"quorum above servers", Overrides{Quorum: 4}, "--quorum 4"},
		{"duration too short", Overrides{Duration: time.Millisecond}, "--duration 1ms"},
		{"unknown bug", Overrides{Bugs: []protocol.Bug{"no-such-bug"}}, "no-such-bug"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Apply(tc.o)
			require.ErrorIs(t, err, ErrOverride)
			require.Contains(t, err.Error(), tc.want)
		})
	}
	split, err := Lookup("split-brain-quorum2")
	require.NoError(t, err)
	_, err = split.Apply(Overrides{Servers: 1})
	require.ErrorIs(t, err, ErrOverride, "a quorum of 2 cannot fit one server")
	got, err := split.Apply(Overrides{Quorum: 3})
	require.NoError(t, err)
	require.Equal(t, 3, got.Quorum)
	require.Equal(t, "zabsim replay --scenario split-brain-quorum2 --seed 9 --quorum 3 --bug x",
		Outcome{Scenario: got, Seed: 9, Overrides: Overrides{Quorum: 3, Bugs: []protocol.Bug{"x"}}}.ReplayCommand())
}

func TestRollingRestartsEachServerOnce(t *testing.T) {
	s, err := Lookup("rolling-restarts")
	require.NoError(t, err)
	sched, err := s.Schedule(3)
	require.NoError(t, err)
	crashed := map[int]int{}
	for _, st := range sched {
		if st.Fault.Kind == nemesis.Crash {
			require.Len(t, st.Fault.Who.IDs, 1)
			crashed[st.Fault.Who.IDs[0]]++
		}
	}
	require.Len(t, crashed, s.Servers)
	for id, n := range crashed {
		require.Equal(t, 1, n, "server %d", id)
	}
}

// TestScenarios runs the catalogue: every ok scenario must be clean on
// every seed, every violation scenario must show its damage on one.
func TestScenarios(t *testing.T) {
	for _, s := range All() {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			n := seedCount(t, 10)
			if s.Expect == ExpectViolation {
				n = max(n, 20)
			}
			var tally Tally
			for seed := uint64(1); seed <= uint64(n); seed++ {
				o, err := Run(s, seed, Options{})
				require.NoError(t, err, "seed %d", seed)
				tally.Add(o)
				if o.Unexpected() {
					t.Errorf("seed %d: %s\n  replay: %s", seed, o.Verdict, o.ReplayCommand())
				}
				if s.Expect == ExpectViolation && o.Damaged() {
					t.Logf("seed %d shows the expected damage: %v", seed, o.Verdict.Failed())
					break
				}
			}
			require.True(t, tally.Met(), "%s over %d seeds:\n%s", s.Name, tally.Seeds, Table([]Tally{tally}))
		})
	}
}

// TestSplitBrainNeedsTheSmallQuorum: the same scenario with a majority
// quorum is clean, so the damage is the quorum's doing.
func TestSplitBrainNeedsTheSmallQuorum(t *testing.T) {
	s, err := Lookup("split-brain-quorum2")
	require.NoError(t, err)
	for seed := uint64(1); seed <= uint64(seedCount(t, 5)); seed++ {
		o, err := Run(s, seed, Options{Overrides: Overrides{Quorum: 3}})
		require.NoError(t, err)
		require.True(t, o.Verdict.OK(), "seed %d: %s\n  replay: %s", seed, o.Verdict, o.ReplayCommand())
		require.False(t, o.Damaged())
	}
}

// TestReplayIsExact: every scenario's run repeats with the same trace hash
// under GOMAXPROCS 1 and 2, and writing the trace does not change it.
func TestReplayIsExact(t *testing.T) {
	for _, s := range All() {
		t.Run(s.Name, func(t *testing.T) {
			hash := func(procs int, trace *bytes.Buffer) Outcome {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				opts := Options{}
				if trace != nil {
					opts.Trace = trace
				}
				o, err := Run(s, 7, opts)
				require.NoError(t, err)
				return o
			}
			var trace bytes.Buffer
			first := hash(1, nil)
			second := hash(2, &trace)
			require.Equal(t, fmt.Sprintf("%016x", first.TraceHash), fmt.Sprintf("%016x", second.TraceHash))
			require.Equal(t, first.Verdict.Lines(), second.Verdict.Lines())
			require.Equal(t, first.Ops, second.Ops)
			lines := strings.Count(trace.String(), "\n")
			require.Positive(t, lines)
			require.Contains(t, trace.String(), " deliver ")
		})
	}
}

// A hand-written schedule replaces the generated one, and a bad one is
// refused with the reason.
func TestHandWrittenSchedule(t *testing.T) {
	s, err := Lookup("steady-state")
	require.NoError(t, err)
	sched, err := nemesis.Parse("+3s crash leader\n+5s restart all\n+8s calm\n")
	require.NoError(t, err)
	o, err := Run(s, 1, Options{Schedule: sched})
	require.NoError(t, err)
	require.True(t, o.Verdict.OK(), "%s", o.Verdict)
	require.Len(t, o.Result.Applied, 3)
	require.Contains(t, o.Result.Applied[0].Text, "crash")

	bad, err := nemesis.Parse("+3s crash 7\n")
	require.NoError(t, err)
	_, err = Run(s, 1, Options{Schedule: bad})
	require.ErrorIs(t, err, ErrOverride)
}

func TestVisualize(t *testing.T) {
	s, err := Lookup("leader-crash-loop")
	require.NoError(t, err)
	o, err := Run(s, 2, Options{Overrides: Overrides{Duration: 10 * time.Second}})
	require.NoError(t, err)
	path := t.TempDir() + "/viz.html"
	require.NoError(t, o.Visualize(path))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(b), "leads epoch")
	require.Contains(t, string(b), "nemesis")
}

func TestTallyJudgesExpectations(t *testing.T) {
	okScenario := Scenario{Name: "a", Expect: ExpectOK}
	bad := linearize.Verdict{Violations: []linearize.Violation{{Check: linearize.QuorumIntersection, Summary: "x"}}}
	var ta Tally
	ta.Add(Outcome{Scenario: okScenario})
	require.True(t, ta.Met())
	ta.Add(Outcome{Scenario: okScenario, Result: zk.Result{Verdict: bad}})
	require.False(t, ta.Met())
	require.Equal(t, 1, ta.Unexpected())

	split := Scenario{Name: "b", Expect: ExpectViolation, Damage: []linearize.Check{linearize.AckedWriteDurable}}
	var tb Tally
	tb.Add(Outcome{Scenario: split, Result: zk.Result{Verdict: bad}})
	require.False(t, tb.Met(), "quorum-intersection alone is not the damage looked for")
	require.Equal(t, 1, tb.Unexpected())
	damaged := bad
	damaged.Add(linearize.Violation{Check: linearize.AckedWriteDurable, Summary: "lost"})
	tb.Add(Outcome{Scenario: split, Result: zk.Result{Verdict: damaged}})
	require.True(t, tb.Met())
	require.Equal(t, 0, tb.Unexpected())
	require.Contains(t, Table([]Tally{ta, tb}), "total")
}

// TestRegressions replays seeds that once found a bug, with the fix and,
// where the bug can be switched back on, without it.
func TestRegressions(t *testing.T) {
	for _, tc := range []struct {
		scenario string
		seed     uint64
		bug      protocol.Bug
		want     linearize.Check // "" means ok
	}{
		// A follower crashed after fsyncing a NEWLEADER's history of the
		// new epoch and before writing currentEpoch, and could not restart
		// (ZOOKEEPER-2354; ZooKeeper's master has no updatingEpoch marker).
		{"crash-points", 57, "", ""},
		{"crash-points", 57, protocol.BugNoUpdatingEpochMarker, linearize.RecoveryFromDisk},
		{"crash-points", 100, "", ""},
		{"crash-points", 100, protocol.BugNoUpdatingEpochMarker, linearize.RecoveryFromDisk},
		// After a SNAP sync emptied its log, a restarted follower's durable
		// history was taken to be empty (a false memory/disk alarm).
		{"crash-points", 88, "", ""},
		// A multi refused with SessionMoved carries no sub-results; the
		// history recorder took it for a malformed reply.
		{"swizzle", 33, "", ""},
	} {
		t.Run(fmt.Sprintf("%s/%d/%s", tc.scenario, tc.seed, tc.bug), func(t *testing.T) {
			s, err := Lookup(tc.scenario)
			require.NoError(t, err)
			var o Overrides
			if tc.bug != "" {
				o.Bugs = []protocol.Bug{tc.bug}
			}
			out, err := Run(s, tc.seed, Options{Overrides: o})
			require.NoError(t, err)
			if tc.want == "" {
				require.True(t, out.Verdict.OK(), "%s", out.Verdict)
				return
			}
			require.Contains(t, out.Verdict.Failed(), tc.want, "%s", out.Verdict)
		})
	}
}

// TestShrinkFindsASmallSplitBrainSchedule: rapid draws schedules for the
// quorum-of-2 ensemble, and the failing one it returns is short and still
// fails when replayed from its text.
func TestShrinkFindsASmallSplitBrainSchedule(t *testing.T) {
	if testing.Short() {
		t.Skip("shrinking runs many simulations")
	}
	s, err := Lookup("split-brain-quorum2")
	require.NoError(t, err)
	o := Overrides{Duration: 6 * time.Second}
	out, found, err := Shrink(s, 1, o, 50, Outcome.Damaged)
	require.NoError(t, err)
	require.True(t, found, "no damaging schedule in 50 draws")
	t.Logf("shrunk schedule:\n%s\nverdict: %v", out.Schedule, out.Verdict.Failed())
	require.LessOrEqual(t, len(out.Schedule), 4, "shrinking leaves a short schedule")
	again, err := nemesis.Parse(out.Schedule.String())
	require.NoError(t, err)
	replayed, err := Run(s, 1, Options{Overrides: o, Schedule: again})
	require.NoError(t, err)
	require.True(t, replayed.Damaged())
	require.Equal(t, out.TraceHash, replayed.TraceHash)
}

// caughtBySimulation: for each mistake, a run that fails the named check
// with it on, while the same run with the protocol faithful is clean.
var caughtBySimulation = []struct {
	bug      protocol.Bug
	scenario string
	seed     uint64
	// schedule names a hand-written schedule in testdata that replaces
	// the scenario's faults: the steps of ZAB.md's write-up of the bug.
	schedule string
	want     linearize.Check
}{
	{protocol.BugQuorumTooSmall, "partitions", 5, "", linearize.AckedWriteDurable},
	{protocol.BugAcceptedEpochNotWritten, "steady-state", 1, "", linearize.EpochSanity},
	{protocol.BugLeaderNeverStepsDown, "isolated-leader", 1, "", linearize.LivenessLeader},
	{protocol.BugNoUpdatingEpochMarker, "crash-points", 57, "", linearize.RecoveryFromDisk},
	{protocol.BugEpochBeforeHistory, "crash-points", 29, "", linearize.AckedWriteDurable},
	{protocol.BugExpiryIgnoresTouches, "steady-state", 1, "", linearize.ExpiryAfterSilence},
	{protocol.BugAckBeforeFsync, "steady-state", 1, "", linearize.DurableBeforeAck},
	{protocol.BugEpochBeforeHistory, "steady-state", 1, "zk-4643.schedule", linearize.CommittedMonotonic},
	{protocol.BugNewLeaderAckBeforeDiff, "steady-state", 1, "zk-3911.schedule", linearize.CommittedMonotonic},
	// ZAB.md: ZOOKEEPER-4646's schedule is ZOOKEEPER-3911's.
	{protocol.BugNewLeaderAckBeforeFsync, "steady-state", 1, "zk-3911.schedule", linearize.CommittedMonotonic},
	{protocol.BugUncommittedReads, "partitions", 4, "", linearize.ReadPrefix},
	{protocol.BugNoFastForward, "partitions", 2, "", linearize.MemoryDiskAgreement},
	{protocol.BugLogWriterOutlivesRole, "crash-kill", 2, "", linearize.MemoryDiskAgreement},
	{protocol.BugDiffWithoutTrunc, "isolated-leader", 2, "", linearize.PrefixConsistency},
	{protocol.BugNewLeaderClearsPending, "follower-crash-loop", 1, "", linearize.ShouldNotBeTriggered},
	{protocol.BugProposalAckFirst, "follower-crash-loop", 1, "", linearize.ShouldNotBeTriggered},
	{protocol.BugDiffZxidBeforeApply, "steady-state", 1, "zk-2355.schedule", linearize.MemoryDiskAgreement},
	{protocol.BugPartialSnapKept, "steady-state", 1, "zk-3642.schedule", linearize.MemoryDiskAgreement},
	// ZAB.md's five-server schedule, at a load light enough that the
	// hole is still inside the new leader's committedLog.
	{protocol.BugSyncSkipsCommittedLog, "follower-crash-loop", 1, "zk-4925.schedule", linearize.ShouldNotBeTriggered},
	// The kept log tail reaches a stale learner through the new
	// leader's on-disk DIFF, without the SNAP'd history (see docs/BUGS.md).
	{protocol.BugSnapKeepsLogTail, "follower-crash-loop", 2, "zk-2832.schedule", linearize.Contiguity},
	// ZAB.md's schedule on an ensemble without clients, so the epoch-2
	// servers and the epoch-1 servers with higher sids share a zxid; the
	// votes beat each other and the notifications multiply until the
	// run's event budget is spent, with no leader elected.
	{protocol.BugVoteOrderNotTotal, "idle-crashes", 1, "zk-1419.schedule", linearize.LivenessPending},
	// Servers 4 and 5 fall behind in the epoch of leader 3, which then
	// crashes: the laggards win every election on sid and every epoch
	// quorum they could form holds a server ahead of them. With three
	// servers the two up-to-date ones escape on every seed tried
	// (docs/BUGS.md).
	{protocol.BugElectionIgnoresZxid, "follower-crash-loop", 2, "election-ignores-zxid.schedule", linearize.LivenessLeader},
	// Three servers: the laggard wins elections it cannot establish, and
	// no leader serves from the calm at 32.5 s until 92.5 s. The
	// workload waits such an outage out, so the liveness bound starts at
	// the schedule's calm, not at the workload's end (docs/BUGS.md).
	{protocol.BugElectionIgnoresZxid, "staggered-crashes", 3, "", linearize.LivenessLeader},
}

// caughtByExplorer: mistakes a bounded breadth-first search finds (a
// violation naming want) with the mistake on, while the same bounds with
// the protocol faithful are explored to the end without one.
var caughtByExplorer = []struct {
	bug  protocol.Bug
	cfg  explore.Config
	want string
}{
	// Over FIFO connections ACKs come in log order, so a quorum for k+1
	// never precedes one for k: only a lost ACK shows the mistake.
	{protocol.BugCommitOutOfOrder, explore.Config{Servers: 3, Writes: 2, Losses: 1, ElectionLinks: 1, Depth: 100, States: 100_000}, "commit-order"},
	{protocol.BugQuorumTooSmall, explore.Config{Servers: 3, Writes: 2, Crashes: 1, ElectionLinks: 1, Depth: 4, States: 100_000}, "leader-completeness"},
}

func TestBugsAreCaughtByTheExplorer(t *testing.T) {
	for _, tc := range caughtByExplorer {
		t.Run(string(tc.bug), func(t *testing.T) {
			bug := tc.cfg
			bug.Bugs = []protocol.Bug{tc.bug}
			res, err := explore.Explore(bug)
			require.NoError(t, err)
			require.Contains(t, res.Violation, tc.want, "%s", res)
			_, again, err := explore.Replay(bug, res.Choices)
			require.NoError(t, err)
			require.Equal(t, res.Violation, again)
			clean, err := explore.Explore(tc.cfg)
			require.NoError(t, err)
			require.Empty(t, clean.Violation)
			require.True(t, clean.Complete, "%s", clean)
		})
	}
}

// TestEveryBugIsCaught: issue 6 asks that every mistake in the catalogue
// be caught by the simulation or the explorer.
func TestEveryBugIsCaught(t *testing.T) {
	caught := map[protocol.Bug]bool{}
	for _, tc := range caughtBySimulation {
		caught[tc.bug] = true
	}
	for _, tc := range caughtByExplorer {
		caught[tc.bug] = true
	}
	for _, b := range protocol.KnownBugs() {
		require.True(t, caught[b], "no test catches %s", b)
	}
}

// TestBugsAreCaught: each injectable mistake the random simulation finds
// is found on a stated scenario and seed by the check named, and the same
// run with the protocol faithful is clean. (Mistakes that only
// systematic exploration reaches are in caughtByExplorer.)
func TestBugsAreCaught(t *testing.T) {
	for _, tc := range caughtBySimulation {
		t.Run(fmt.Sprintf("%s/%s/%d/%s", tc.bug, tc.scenario, tc.seed, tc.schedule), func(t *testing.T) {
			t.Parallel()
			s, err := Lookup(tc.scenario)
			require.NoError(t, err)
			var sched nemesis.Schedule
			if tc.schedule != "" {
				b, err := os.ReadFile("testdata/" + tc.schedule)
				require.NoError(t, err)
				sched, err = nemesis.Parse(string(b))
				require.NoError(t, err)
			}
			on, err := Run(s, tc.seed, Options{Overrides: Overrides{Bugs: []protocol.Bug{tc.bug}}, Schedule: sched})
			require.NoError(t, err)
			require.Contains(t, on.Verdict.Failed(), tc.want, "%s", on.Verdict)
			off, err := Run(s, tc.seed, Options{Schedule: sched})
			require.NoError(t, err)
			require.True(t, off.Verdict.OK(), "%s", off.Verdict)
		})
	}
}

// TestNoMessageOutlivesItsConnection replays the run of zabsim report's
// availability experiment (4 servers, 1, 3 and 4 crashed at 3 s, the
// workload ending at 18 s, seed 9) in which a leader's LEADERINFO, made
// before a reset and sent after its fsync, travelled on the follower's next
// connection: the follower saw a second LEADERINFO and exited, as
// ZooKeeper's Learner does on an unexpected packet.
func TestNoMessageOutlivesItsConnection(t *testing.T) {
	s, err := Lookup("steady-state")
	require.NoError(t, err)
	s.Servers, s.Duration = 4, 18*time.Second
	sched := nemesis.Schedule{{At: 3 * time.Second, Fault: nemesis.Fault{Kind: nemesis.Crash, Who: nemesis.Servers(1, 3, 4)}}}
	cfg := s.Config(9, nil, sched)
	cfg.Duration = s.Duration
	res, err := zk.Run(cfg)
	require.NoError(t, err)
	require.True(t, res.Verdict.OK(), "%s", res.Verdict)
}
