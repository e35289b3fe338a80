package zkdiff

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// zkStat and treeStat build the Stat of a node created at czxid and last
// changed at mzxid, with times as each side would report them.
func zkStat(czxid, mzxid int64) *nstat {
	return &nstat{Czxid: czxid, Mzxid: mzxid, Pzxid: czxid, Ctime: 5000 + czxid&0xffff, Mtime: 5000 + mzxid&0xffff}
}

func treeStat(czxid, mzxid int64) *nstat {
	return &nstat{Czxid: czxid, Mzxid: mzxid, Pzxid: czxid, Ctime: treeTime(czxid), Mtime: treeTime(mzxid)}
}

func TestDifferMapsZxidsAndCatchesWhatDiffers(t *testing.T) {
	get := op{Kind: kGet, Path: "/x"}
	zkGet := func(c, m int64) result { return result{Data: []byte("d"), Stat: zkStat(c, m)} }
	treeGet := func(c, m int64) result { return result{Data: []byte("d"), Stat: treeStat(c, m)} }

	d := newDiffer()
	// ZooKeeper's zxids are offset and have gaps (createSession); tree's are dense.
	require.Empty(t, d.compare(get, zkGet(0x100000010, 0x100000010), treeGet(3, 3)))
	require.Empty(t, d.compare(get, zkGet(0x100000010, 0x100000014), treeGet(3, 4)))

	for name, tc := range map[string]struct {
		zk, tree result
		want     string
	}{
		"stale mzxid":         {zkGet(0x100000010, 0x100000018), treeGet(3, 4), "matched ZooKeeper zxid 0x100000014 before"},
		"new mzxid for old":   {zkGet(0x100000010, 0x100000014), treeGet(3, 5), "now tree says"},
		"zxid reused":         {zkGet(0x100000018, 0x100000018), treeGet(4, 4), "before, now ZooKeeper says"},
		"order inverted":      {zkGet(0x100000010, 0x100000012), treeGet(3, 5), "order"},
		"data differs":        {zkGet(0x100000010, 0x100000010), result{Data: []byte{}, Stat: treeStat(3, 3)}, "results differ"},
		"tree mtime is wrong": {zkGet(0x100000010, 0x100000014), result{Data: []byte("d"), Stat: &nstat{Czxid: 3, Mzxid: 4, Pzxid: 3, Ctime: treeTime(3), Mtime: treeTime(3)}}, "tree: ctime"},
		"zk time goes back":   {result{Data: []byte("d"), Stat: &nstat{Czxid: 0x100000010, Mzxid: 0x100000020, Pzxid: 0x100000010, Ctime: 5016, Mtime: 4000}}, treeGet(3, 6), "out of order"},
	} {
		t.Run(name, func(t *testing.T) {
			d := newDiffer()
			require.Empty(t, d.compare(get, zkGet(0x100000010, 0x100000014), treeGet(3, 4)))
			require.Contains(t, d.compare(get, tc.zk, tc.tree), tc.want)
		})
	}
}

func TestRenderKeepsNullApartFromEmptyAndOrder(t *testing.T) {
	get := op{Kind: kGet}
	z := func(int64) string { return "z" }
	require.NotEqual(t, render(get, result{Data: nil}, z), render(get, result{Data: []byte{}}, z))
	ch := op{Kind: kChildren}
	require.NotEqual(t, render(ch, result{Children: []string{"a", "b"}}, z), render(ch, result{Children: []string{"b", "a"}}, z))
	multi := op{Kind: kMulti, Ops: []op{{Kind: kCreate}, {Kind: kSet}}}
	require.NotEqual(t,
		render(multi, result{Err: codeNoNode, Multi: []result{{Err: codeOK}, {Err: codeNoNode}}}, z),
		render(multi, result{Err: codeNoNode, Multi: []result{{Err: codeRuntimeInconsistency}, {Err: codeNoNode}}}, z))
}
