package zk

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/nemesis"
	"github.com/zabsim/zabsim/recipes"
	"github.com/zabsim/zabsim/recipes/check"
	"github.com/zabsim/zabsim/tree"
)

func programConfig(seed uint64, progs ...Program) Config {
	cfg := DefaultConfig()
	cfg.Seed, cfg.Clients, cfg.Programs = seed, 0, progs
	cfg.Duration = time.Minute
	return cfg
}

// TestProgramCalls: a program's calls get ZooKeeper's answers, its watch
// fires through Next, and its ephemerals go once it returns.
func TestProgramCalls(t *testing.T) {
	var got []string
	note := func(format string, args ...any) { got = append(got, fmt.Sprintf(format, args...)) }
	owner := func(c *Conn) {
		p, err := c.Create("/a", []byte("x"), tree.FlagPersistent)
		note("create %s %v", p, err)
		_, err = c.Create("/a", nil, tree.FlagPersistent)
		note("again %v", errors.Is(err, tree.ErrNodeExists))
		_, err = c.Create("/a/e", nil, tree.FlagEphemeral)
		note("ephemeral %v", err)
		data, st, err := c.Get("/a", true)
		note("get %s v%d %v", data, st.Version, err)
		st, err = c.Set("/a", []byte("y"), 0)
		note("set v%d %v", st.Version, err)
		ev, ok := c.Next(time.Second)
		note("event %v %s %v", ev.Type, ev.Path, ok)
		_, err = c.Set("/a", []byte("z"), 0)
		note("stale set %v", errors.Is(err, tree.ErrBadVersion))
		res, err := c.Multi(recipes.Op{Kind: recipes.OpCheck, Path: "/a", Version: 1}, recipes.Op{Kind: recipes.OpCreate, Path: "/b"})
		note("multi %v %v", len(res), err)
		children, _, err := c.Children("/", false)
		note("children %v %v", children, err)
		ok, _, err = c.Exists("/nope", false)
		note("exists %v %v", ok, err)
		_, ok = c.Next(0)
		note("no event %v", ok)
	}
	var after []string
	observer := func(c *Conn) {
		c.Sleep(10 * time.Second)
		after, _, _ = c.Children("/a", false)
	}
	res, err := Run(programConfig(1, owner, observer))
	require.NoError(t, err)
	require.True(t, res.Verdict.OK(), res.Verdict.Lines())
	require.Equal(t, []string{
		"create /a <nil>", "again true", "ephemeral <nil>", "get x v0 <nil>", "set v1 <nil>",
		"event NodeDataChanged /a true", "stale set true", "multi 2 <nil>",
		"children [a b zookeeper] <nil>", "exists false <nil>", "no event false",
	}, got)
	require.Empty(t, after, "the owner's ephemeral outlived its session")
}

func lockPrograms(log *recipes.Log, res *recipes.Resource, workers, rounds int) []Program {
	var progs []Program
	for i := range workers {
		w := recipes.LockWorker{Name: fmt.Sprintf("w%d", i), Dir: "/lock", Log: log, Resource: res,
			Rounds: rounds, Hold: 300 * time.Millisecond, Think: 50 * time.Millisecond}
		progs = append(progs, func(c *Conn) {
			if err := w.Run(c); err != nil {
				panic(err)
			}
		})
	}
	return progs
}

// TestLockWorkers: lock workers take turns, every round, with no two
// holders at once, with and without a crashing leader.
func TestLockWorkers(t *testing.T) {
	for _, tc := range []struct {
		name     string
		schedule string
	}{
		{"calm", ""},
		{"leader-crash", "+2s crash leader\n+6s restart all\n+8s calm\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 3; seed++ {
				log := &recipes.Log{}
				cfg := programConfig(seed, lockPrograms(log, recipes.NewResource(log, false), 3, 5)...)
				if tc.schedule != "" {
					s, err := nemesis.Parse(tc.schedule)
					require.NoError(t, err)
					cfg.Schedule = s
				}
				res, err := Run(cfg)
				require.NoError(t, err)
				require.True(t, res.Verdict.OK(), res.Verdict.Lines())
				v, err := check.Lock(log, false)
				require.NoError(t, err)
				require.Empty(t, v)
				acquired := 0
				for _, e := range log.Entries() {
					if e.Kind == recipes.LockAcquired {
						acquired++
					}
				}
				require.GreaterOrEqual(t, acquired, 15)
			}
		})
	}
}

// TestProgramsReplayExactly: programs run in lockstep with the simulator,
// so a seed gives the same trace hash every time.
func TestProgramsReplayExactly(t *testing.T) {
	hash := func() uint64 {
		log := &recipes.Log{}
		res, err := Run(programConfig(7, lockPrograms(log, recipes.NewResource(log, true), 4, 3)...))
		require.NoError(t, err)
		return res.TraceHash
	}
	require.Equal(t, hash(), hash())
}
