package zk

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/recipes"
	"github.com/zabsim/zabsim/tree"
)

// TestFailedMulti: a failed multi returns its first failed op's error
// beside the per-op results, as recipes.Conn says, and changes nothing.
func TestFailedMulti(t *testing.T) {
	type outcome struct {
		errs []error
		err  error
	}
	var got []outcome
	var children []string
	var setup, list error
	prog := func(c *Conn) {
		_, setup = c.Create("/a", nil, tree.FlagPersistent)
		for _, ops := range [][]recipes.Op{
			{{Kind: recipes.OpDelete, Path: "/none", Version: -1}, {Kind: recipes.OpCreate, Path: "/b"}},
			{{Kind: recipes.OpCreate, Path: "/c"}, {Kind: recipes.OpCreate, Path: "/a"}},
			{{Kind: recipes.OpCreate, Path: "/d"}, {Kind: recipes.OpCheck, Path: "/a", Version: 0}},
		} {
			res, err := c.Multi(ops...)
			o := outcome{err: err}
			for _, r := range res {
				o.errs = append(o.errs, r.Err)
			}
			got = append(got, o)
		}
		children, _, list = c.Children("/", false)
	}
	res, err := Run(programConfig(1, prog))
	require.NoError(t, err)
	require.True(t, res.Verdict.OK(), res.Verdict.Lines())
	require.NoError(t, setup)
	require.NoError(t, list)
	require.Equal(t, []string{"a", "d", "zookeeper"}, children)
	require.Len(t, got, 3)
	require.ErrorIs(t, got[0].err, tree.ErrNoNode)
	require.ErrorIs(t, got[0].errs[0], tree.ErrNoNode)
	require.ErrorIs(t, got[1].err, tree.ErrNodeExists)
	require.ErrorIs(t, got[1].errs[1], tree.ErrNodeExists)
	require.Equal(t, outcome{errs: []error{nil, nil}}, got[2])
}
