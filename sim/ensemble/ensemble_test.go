package ensemble

import (
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/protocol"
	"github.com/zabsim/zabsim/sim"
)

// world is an ensemble of LogServers with a leader-side load: every few
// milliseconds the serving leader, if any, proposes the next transaction.
type world struct {
	s        *sim.Sim
	e        *Ensemble
	proposed int
}

func newWorld(t testing.TB, seed uint64, voters int) *world {
	s := sim.New(sim.Config{Seed: seed, EventsMax: 50_000_000, TimeMax: 10 * time.Minute})
	cfg := DefaultConfig()
	cfg.Voters = voters
	cfg.Peer.SnapCount = 500
	e, err := New(s, cfg)
	require.NoError(t, err)
	return &world{s: s, e: e}
}

func (w *world) load(every time.Duration, until sim.Time) {
	var next func()
	next = func() {
		if w.s.Now() >= until {
			return
		}
		if node, ok := w.e.Leader(); ok {
			p := w.e.Server(w.e.sidOf(node)).Peer()
			if z, err := p.NextZxid(); err == nil {
				w.proposed++
				txn := binary.BigEndian.AppendUint64(nil, uint64(w.proposed))
				if err := p.Propose(z, txn); err == nil {
					w.e.hosts[w.e.sidOf(node)-1].pump()
				}
			}
		}
		w.s.After(every, next)
	}
	w.s.After(every, next)
}

func (w *world) requireStable(t testing.TB, within time.Duration) {
	t.Helper()
	deadline := w.s.Now().Add(within)
	err := w.s.RunUntil(func() bool { return w.e.Stable() || w.s.Now() >= deadline }, 0)
	require.NoError(t, err)
	require.True(t, w.e.Stable(), "no stable leader by %s", w.s.Now())
}

func (w *world) requireConsistent(t testing.TB) {
	t.Helper()
	rec := w.e.Record()
	vs, err := linearize.CheckZab(&rec)
	require.NoError(t, err)
	for _, v := range vs {
		t.Errorf("seed %d: %s", w.s.Seed(), v)
	}
	// Every live replica ends at the same state.
	var digest uint64
	var count int
	for i := range w.e.hosts {
		srv := w.e.Server(uint64(i + 1))
		require.NotNil(t, srv, "server %d down at the end", i+1)
		ls := srv.(*LogServer)
		if i == 0 {
			digest, count = ls.StateDigest(), ls.Applied()
			continue
		}
		require.Equal(t, count, ls.Applied(), "server %d applied count", i+1)
		require.Equal(t, digest, ls.StateDigest(), "server %d state", i+1)
	}
	// Every committed transaction survived.
	committed := map[linearize.Zxid]bool{}
	for _, c := range rec.Commits {
		committed[c.Zxid] = true
	}
	final := map[linearize.Zxid]bool{}
	for _, e := range rec.Replicas[0].Committed {
		final[e.Zxid] = true
	}
	for z := range committed {
		if z > rec.Replicas[0].Base {
			require.True(t, final[z], "committed %s lost", z)
		}
	}
}

func TestElectionInSimulator(t *testing.T) {
	for _, voters := range []int{1, 3, 5} {
		for seed := uint64(1); seed <= 10; seed++ {
			w := newWorld(t, seed, voters)
			w.requireStable(t, 30*time.Second)
			leaders := 0
			for i := range w.e.hosts {
				if w.e.Server(uint64(i+1)).Peer().Status().State == protocol.Leading {
					leaders++
				}
			}
			require.Equal(t, 1, leaders, "voters=%d seed=%d", voters, seed)
		}
	}
}

func TestBroadcastNoFaults(t *testing.T) {
	for _, voters := range []int{3, 5} {
		w := newWorld(t, 7, voters)
		w.requireStable(t, 30*time.Second)
		w.load(2*time.Millisecond, w.s.Now().Add(20*time.Second))
		require.NoError(t, w.s.RunFor(25*time.Second))
		require.Greater(t, w.proposed, 5000)
		w.requireConsistent(t)
	}
}

func TestCrashesOfLeaderAndFollowers(t *testing.T) {
	seeds := 20
	if testing.Short() {
		seeds = 5
	}
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			w := newWorld(t, seed, 5)
			w.requireStable(t, 30*time.Second)
			end := w.s.Now().Add(60 * time.Second)
			w.load(5*time.Millisecond, end)
			r := w.s.Rand("test/crashes")
			var crash func()
			crash = func() {
				if w.s.Now() >= end {
					return
				}
				var victim sim.NodeID
				if leader, ok := w.e.Leader(); ok && r.Chance(0.5) {
					victim = leader
				} else {
					victim = w.e.nodes[r.IntN(len(w.e.nodes))]
				}
				if n := w.s.Node(victim); n.Up() {
					n.Crash()
					w.s.After(time.Duration(r.Between(500*time.Millisecond, 3*time.Second)), func() {
						if !n.Up() {
							n.Restart()
						}
					})
				}
				w.s.After(time.Duration(r.Between(2*time.Second, 5*time.Second)), crash)
			}
			w.s.After(2*time.Second, crash)
			require.NoError(t, w.s.RunFor(65*time.Second))
			for _, id := range w.e.nodes {
				if n := w.s.Node(id); !n.Up() {
					n.Restart()
				}
			}
			w.requireStable(t, 60*time.Second)
			require.NoError(t, w.s.RunFor(5*time.Second))
			require.Empty(t, w.e.Refused())
			w.requireConsistent(t)
		})
	}
}
