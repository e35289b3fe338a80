package linearize

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// twoWrites is a committed history: /a created at 1, set to "y" at 2,
// /b created at 3 (a child of /), then a failed write at 4.
func twoWrites(t *testing.T) *GroundTruth {
	g, err := NewGroundTruth([]Txn{
		{Zxid: z(1), Request: RequestID{0x100, 1}, Kind: TxnWrite, Effects: []Effect{{Path: "/a", Exists: true, Data: "x", Czxid: uint64(z(1)), Mzxid: uint64(z(1))}}},
		{Zxid: z(2), Request: RequestID{0x100, 2}, Kind: TxnWrite, Effects: []Effect{{Path: "/a", Exists: true, Data: "y", Version: 1, Czxid: uint64(z(1)), Mzxid: uint64(z(2))}}},
		{Zxid: z(3), Request: RequestID{0x101, 1}, Kind: TxnWrite, Effects: []Effect{{Path: "/b", Exists: true, Data: "b", Czxid: uint64(z(3)), Mzxid: uint64(z(3))}}},
		{Zxid: z(4), Request: RequestID{0x101, 2}, Kind: TxnError},
	})
	require.NoError(t, err)
	return g
}

func TestGroundTruthQueries(t *testing.T) {
	g := twoWrites(t)
	require.False(t, g.ValueAt("/a", 0).Exists)
	require.Equal(t, "x", g.ValueAt("/a", z(1)).Data)
	require.Equal(t, "y", g.ValueAt("/a", z(9)).Data)
	require.Equal(t, []string{"a"}, g.ChildrenAt("/", z(2)))
	require.Equal(t, []string{"a", "b"}, g.ChildrenAt("/", z(3)))
	require.True(t, g.Committed(RequestID{0x101, 2}))
	require.False(t, g.Committed(RequestID{0x101, 3}))
	_, err := NewGroundTruth([]Txn{{Zxid: z(2)}, {Zxid: z(2)}})
	require.ErrorIs(t, err, ErrMalformed)
}

func TestCheckReadPrefix(t *testing.T) {
	withMzxid := func(d string, v int32, m Zxid) Result {
		return Result{Data: d, Stat: Stat{Version: v, Mzxid: uint64(m)}}
	}
	tests := []struct {
		name string
		read Operation
		fail bool
	}{
		{name: "stale but consistent with its zxid", read: done(2, 1, getData("/a"), 0, 10, withMzxid("x", 0, z(1)), z(1))},
		{name: "latest", read: done(2, 1, getData("/a"), 0, 10, withMzxid("y", 1, z(2)), z(3))},
		{name: "absent before the create", read: done(2, 1, getData("/a"), 0, 10, code(CodeNoNode), 0)},
		{name: "value newer than the zxid answered at", fail: true, read: done(2, 1, getData("/a"), 0, 10, data("y", 1), z(1))},
		{name: "value older than the zxid answered at", fail: true, read: done(2, 1, getData("/a"), 0, 10, data("x", 0), z(3))},
		{name: "missing although committed", fail: true, read: done(2, 1, exists("/a"), 0, 10, Result{}, z(3))},
		{name: "children at the zxid", read: done(2, 1, Request{Kind: KindGetChildren, Path: "/"}, 0, 10, Result{Children: []string{"b", "a"}}, z(3))},
		{name: "children missing one", fail: true, read: done(2, 1, Request{Kind: KindGetChildren, Path: "/"}, 0, 10, Result{Children: []string{"a"}}, z(3))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := CheckReadPrefix([]Operation{tt.read}, twoWrites(t))
			if tt.fail {
				require.Equal(t, []Check{ReadPrefix}, checks(vs))
			} else {
				require.Empty(t, vs)
			}
		})
	}
}

func TestCheckAckedWrites(t *testing.T) {
	tests := []struct {
		name  string
		write Operation
		fail  bool
	}{
		{name: "committed as acknowledged", write: done(0, 2, setData("/a", "y", 0), 0, 10, version(1), z(2))},
		{name: "lost acknowledged write", fail: true, write: done(0, 3, setData("/a", "z", 1), 0, 10, version(2), z(5))},
		{name: "another request at its zxid", fail: true, write: done(0, 3, setData("/a", "y", 0), 0, 10, version(1), z(3))},
		{name: "effect differs from the reply", fail: true, write: done(0, 2, setData("/a", "y", 0), 0, 10, version(7), z(2))},
		{name: "multi applied on one path only", fail: true, write: done(1, 1,
			Request{Kind: KindMulti, Ops: []Request{create("/b", "b"), create("/c", "c")}}, 0, 10,
			Result{Ops: []Result{created("/b"), created("/c")}}, z(3))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := CheckAckedWrites([]Operation{tt.write}, twoWrites(t))
			if tt.fail {
				require.Equal(t, []Check{AckedWriteDurable}, checks(vs))
			} else {
				require.Empty(t, vs)
			}
		})
	}
}
