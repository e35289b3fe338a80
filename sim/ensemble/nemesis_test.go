package ensemble

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/nemesis"
	"github.com/zabsim/zabsim/sim"
)

// faultRun runs a 5-server LogServer ensemble under a generated nemesis
// schedule with a proposal load, then heals and waits for a stable leader.
func faultRun(t *testing.T, seed uint64, profile string, quorum int) (*world, []linearize.Violation) {
	s := sim.New(sim.Config{Seed: seed, EventsMax: 50_000_000, TimeMax: 10 * time.Minute})
	cfg := DefaultConfig()
	cfg.Voters, cfg.Quorum = 5, quorum
	cfg.Peer.SnapCount = 500
	e, err := New(s, cfg)
	require.NoError(t, err)
	w := &world{s: s, e: e}
	sched := nemesis.Generate(s.Rand("nemesis"), nemesis.Profiles[profile], 5, 40*time.Second)
	_, err = nemesis.Start(e, sched)
	require.NoError(t, err)
	w.load(10*time.Millisecond, s.Now().Add(40*time.Second))
	require.NoError(t, s.RunFor(45*time.Second))
	rec := e.Record()
	vs, err := linearize.CheckZab(&rec)
	require.NoError(t, err)
	return w, vs
}

// TestNemesisMajority: with majority quorums, no fault profile breaks a
// Zab invariant and the ensemble recovers once the faults stop.
func TestNemesisMajority(t *testing.T) {
	seeds := 6
	if testing.Short() {
		seeds = 2
	}
	for _, profile := range []string{"crashes", "partitions", "flaky-network", "crash-points", "pauses", "clock-skew"} {
		for seed := uint64(1); seed <= uint64(seeds); seed++ {
			t.Run(fmt.Sprintf("%s/%d", profile, seed), func(t *testing.T) {
				w, vs := faultRun(t, seed, profile, 0)
				for _, v := range vs {
					t.Errorf("%s", v)
				}
				for _, id := range w.e.nodes {
					if n := w.s.Node(id); !n.Up() {
						n.Restart()
					}
				}
				w.requireStable(t, 90*time.Second)
			})
		}
	}
}

// TestNemesisQuorumTwoOfFive: the classic broken set-up. With a quorum of
// 2 out of 5, partitions let two leaders commit in parallel, and the
// checkers must say so on some seed.
func TestNemesisQuorumTwoOfFive(t *testing.T) {
	found := false
	for seed := uint64(1); seed <= 20 && !found; seed++ {
		_, vs := faultRun(t, seed, "partitions", 2)
		found = len(vs) > 0
	}
	require.True(t, found, "no violation with quorum 2 of 5 in 20 seeds")
}
