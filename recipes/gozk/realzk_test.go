package gozk

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/internal/zkserver"
	"github.com/zabsim/zabsim/recipes"
	"github.com/zabsim/zabsim/tree"
)

// quiet drops go-zookeeper's chatter.
type quiet struct{}

func (quiet) Printf(string, ...any) {}

// TestAgainstZooKeeper runs each call of the adapter once against a real
// standalone ZooKeeper: the errors are tree's, a watch fires through Next,
// children come sorted, a failed multi names the failing op's error.
func TestAgainstZooKeeper(t *testing.T) {
	s := zkserver.StartT(t)
	c, err := Dial(Config{Servers: []string{s.Addr}, SessionTimeout: 4 * time.Second, Logger: quiet{}})
	require.NoError(t, err)
	defer c.Close()

	_, err = c.Create("/r", []byte("x"), tree.FlagPersistent)
	require.NoError(t, err)
	require.NotZero(t, c.Session())
	_, err = c.Create("/r", nil, tree.FlagPersistent)
	require.ErrorIs(t, err, tree.ErrNodeExists)
	_, err = c.Create("/missing/child", nil, tree.FlagPersistent)
	require.ErrorIs(t, err, tree.ErrNoNode)

	for _, name := range []string{"b", "c", "a"} {
		_, err = c.Create("/r/"+name, nil, tree.FlagPersistent)
		require.NoError(t, err)
	}
	seq, err := c.Create("/r/e-", nil, tree.FlagEphemeralSequential)
	require.NoError(t, err)
	require.Equal(t, int64(3), recipes.Seq(seq), "the counter is the parent's cversion")
	_, err = c.Create(seq+"/under", nil, tree.FlagPersistent)
	require.ErrorIs(t, err, tree.ErrNoChildrenForEphemerals)

	kids, st, err := c.Children("/r", true)
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b", "c", "e-0000000003"}, kids)
	require.Equal(t, int32(4), st.NumChildren)

	ok, _, err := c.Exists("/r/d", true)
	require.NoError(t, err)
	require.False(t, ok)
	data, st, err := c.Get("/r", true)
	require.NoError(t, err)
	require.Equal(t, []byte("x"), data)
	_, err = c.Set("/r", []byte("y"), st.Version+1)
	require.ErrorIs(t, err, tree.ErrBadVersion)
	require.ErrorIs(t, c.Delete("/r", -1), tree.ErrNotEmpty)

	_, err = c.Create("/r/d", nil, tree.FlagPersistent)
	require.NoError(t, err)
	_, err = c.Set("/r", []byte("z"), st.Version)
	require.NoError(t, err)
	var evs []recipes.Event
	for len(evs) < 3 {
		ev, ok := c.Next(5 * time.Second)
		require.True(t, ok, "events so far: %v", evs)
		evs = append(evs, ev)
	}
	// ZooKeeper notifies the created node's watchers before its parent's.
	require.Equal(t, []recipes.Event{
		{Type: recipes.EventNodeCreated, Path: "/r/d"},
		{Type: recipes.EventNodeChildrenChanged, Path: "/r"},
		{Type: recipes.EventNodeDataChanged, Path: "/r"},
	}, evs)

	rs, err := c.Multi(
		recipes.Op{Kind: recipes.OpCreate, Path: "/r/m"},
		recipes.Op{Kind: recipes.OpCheck, Path: "/r/a", Version: 7},
		recipes.Op{Kind: recipes.OpDelete, Path: "/r/b", Version: -1},
	)
	require.ErrorIs(t, err, tree.ErrBadVersion)
	require.Len(t, rs, 3)
	require.NoError(t, rs[0].Err)
	require.ErrorIs(t, rs[1].Err, tree.ErrBadVersion)
	require.ErrorIs(t, rs[2].Err, tree.ErrRuntimeInconsistency)
	rs, err = c.Multi(
		recipes.Op{Kind: recipes.OpCreate, Path: "/r/m"},
		recipes.Op{Kind: recipes.OpSet, Path: "/r/a", Data: []byte("1"), Version: 0},
	)
	require.NoError(t, err)
	require.Equal(t, "/r/m", rs[0].Path)
	require.NoError(t, c.Sync("/r"))

	c.Close()
	_, _, err = c.Exists("/r", false)
	require.ErrorIs(t, err, ErrClosed)
	_, ok = c.Next(-1)
	require.False(t, ok)
}
