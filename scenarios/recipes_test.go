package scenarios

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/recipes/check"
	"github.com/zabsim/zabsim/sim/ensemble"
)

// TestPausedLockHolderNeedsFencing is the classic argument for fencing
// tokens: a holder paused past its session timeout writes after another
// client took the lock. Unfenced, the checkers see two holders and a stale
// write within 20 seeds, and the failing seed replays exactly; fenced, the
// resource refuses the stale write on every seed.
func TestPausedLockHolderNeedsFencing(t *testing.T) {
	nofence, err := Lookup("lock-pause-nofence")
	require.NoError(t, err)
	var failing *Outcome
	for seed := uint64(1); seed <= 20 && failing == nil; seed++ {
		o, err := Run(nofence, seed, Options{})
		require.NoError(t, err)
		if o.Damaged() {
			failing = &o
		}
	}
	require.NotNil(t, failing, "no mutual-exclusion violation within 20 seeds")
	require.Contains(t, failing.Verdict.Failed(), check.MutualExclusion)
	again, err := Run(nofence, failing.Seed, Options{})
	require.NoError(t, err)
	require.Equal(t, failing.TraceHash, again.TraceHash, "the failing seed replays")

	fence, err := Lookup("lock-pause-fence")
	require.NoError(t, err)
	for seed := uint64(1); seed <= uint64(seedCount(t, 200)); seed++ {
		o, err := Run(fence, seed, Options{})
		require.NoError(t, err)
		require.True(t, o.Verdict.OK(), "seed %d: %v", seed, o.Verdict.Lines())
	}
}

// TestStaggeredStartElectsServer3: servers switched on one by one from
// empty elect server 3 the moment it starts (the first majority, and the
// highest id among equal logs), and servers 4 and 5 then join it.
func TestStaggeredStartElectsServer3(t *testing.T) {
	s, err := Lookup("staggered-start")
	require.NoError(t, err)
	s.Duration = 12 * time.Second
	for seed := uint64(1); seed <= uint64(seedCount(t, 10)); seed++ {
		o, err := Run(s, seed, Options{})
		require.NoError(t, err)
		require.True(t, o.Verdict.OK(), "seed %d: %v", seed, o.Verdict.Lines())
		require.NotEmpty(t, o.Zab.Leaders, "seed %d", seed)
		first := o.Zab.Leaders[0]
		require.Equal(t, 3, first.Sid, "seed %d: first leader", seed)
		require.EqualValues(t, 1, first.Epoch, "seed %d", seed)
		require.Greater(t, first.Time, int64(2*s.StartGap), "seed %d: server 3 leads only once started", seed)
		require.Less(t, first.Time, int64(3*s.StartGap), "seed %d: server 3 leads before server 4 starts", seed)
		for _, sid := range []uint64{4, 5} {
			r, ok := firstServing(o.Roles, sid)
			require.True(t, ok, "seed %d: server %d never served", seed, sid)
			require.Equal(t, "FOLLOWING/BROADCAST leader=3 epoch=1 serving", r.Status, "seed %d: server %d", seed, sid)
		}
	}
}

func firstServing(roles []ensemble.Role, sid uint64) (ensemble.Role, bool) {
	for _, r := range roles {
		if r.Sid == sid && strings.HasSuffix(r.Status, " serving") {
			return r, true
		}
	}
	return ensemble.Role{}, false
}

// TestHowManyFailuresAreTolerated: one server down, 3, 4 and 5 servers
// all commit; two down, only 5 servers do. A fourth server adds no
// tolerance.
func TestHowManyFailuresAreTolerated(t *testing.T) {
	s, err := Lookup("four-servers-two-crashes")
	require.NoError(t, err)
	for _, tc := range []struct {
		servers   int
		twoDownOK bool
	}{{3, false}, {4, false}, {5, true}} {
		t.Run(fmt.Sprint(tc.servers), func(t *testing.T) {
			t.Parallel()
			s := s
			s.Servers = tc.servers
			d := s.Duration
			for seed := uint64(1); seed <= uint64(seedCount(t, 3)); seed++ {
				o, err := Run(s, seed, Options{})
				require.NoError(t, err)
				require.True(t, o.Verdict.OK(), "seed %d: %v", seed, o.Verdict.Lines())
				commits := func(from, to time.Duration) int {
					n := 0
					for _, c := range o.Zab.Commits {
						if c.Time >= int64(from) && c.Time < int64(to) {
							n++
						}
					}
					return n
				}
				// Each window leaves time for an election after the crash.
				require.Positive(t, commits(d/4+5*time.Second, d/2), "seed %d: one server down", seed)
				twoDown := commits(d/2+5*time.Second, 3*d/4)
				if tc.twoDownOK {
					require.Positive(t, twoDown, "seed %d: two servers down", seed)
				} else {
					require.Zero(t, twoDown, "seed %d: two servers down", seed)
				}
			}
		})
	}
}

// TestRecipeRegressions replays the recipe seeds that found bugs.
func TestRecipeRegressions(t *testing.T) {
	for _, tc := range []struct {
		scenario string
		seed     uint64
		why      string
	}{
		// A client's abandoned connect reached its old server late and
		// revalidated the session there; the leader then refused every
		// request on the client's new connection with SessionMoved but
		// kept the connection open, so the client retried for ever.
		// ZooKeeper closes the connection (ZOOKEEPER-710).
		{"membership-swarm", 20, "session moved"},
		{"barrier-swarm", 27, "session moved"},
	} {
		t.Run(fmt.Sprintf("%s/%d", tc.scenario, tc.seed), func(t *testing.T) {
			t.Parallel()
			s, err := Lookup(tc.scenario)
			require.NoError(t, err)
			o, err := Run(s, tc.seed, Options{})
			require.NoError(t, err)
			require.True(t, o.Verdict.OK(), "%s: %v", tc.why, o.Verdict.Lines())
		})
	}
}
