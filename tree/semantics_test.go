package tree

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestErrors reproduces ZK-SEMANTICS.md §1 and §6 rows 27-66: single
// writes that fail, each still using up a zxid.
func TestErrors(t *testing.T) {
	h := newHarness(t)
	h.mustOK(create("/R", "root"))
	h.mustOK(create("/R/e", "x"))
	h.mustOK(create("/R/e/c", "x"))
	h.mustOK(createFlags("/R/eph", FlagEphemeral))
	cases := []struct {
		req  Request
		want error
	}{
		{create("/R/e", "x"), ErrNodeExists},
		{create("/R/missing/child", "x"), ErrNoNode},
		{Request{Op: OpDelete, Path: "/R/e", Version: -1}, ErrNotEmpty},
		{Request{Op: OpDelete, Path: "/R/e/c", Version: 5}, ErrBadVersion},
		{Request{Op: OpDelete, Path: "/R/nope", Version: -1}, ErrNoNode},
		{Request{Op: OpSetData, Path: "/R/e", Version: 7}, ErrBadVersion},
		{Request{Op: OpSetData, Path: "/R/nope", Version: -1}, ErrNoNode},
		{Request{Op: OpSetACL, Path: "/R/e", ACL: WorldACL(PermAll), Version: 3}, ErrBadVersion},
		{create("/R/eph/child", "x"), ErrNoChildrenForEphemerals},
		{createFlags("/R/eph/child", FlagEphemeral), ErrNoChildrenForEphemerals},
		{createFlags("/R/eph/s-", FlagEphemeralSequential), ErrNoChildrenForEphemerals},
		{Request{Op: OpCreate, Path: "/R/noacl", ACL: nil}, ErrInvalidACL},
		{createFlags("/R/ttl", 5), ErrUnimplemented},
		{createFlags("/R/ttl", 6), ErrUnimplemented},
		{Request{Op: OpCreateTTL, Path: "/R/ttl", ACL: WorldACL(PermAll), Flags: 5, TTL: 10000}, ErrUnimplemented},
		{createFlags("/R/f", 7), ErrBadArguments},
		{createFlags("/R/f", 99), ErrBadArguments},
		{createFlags("/R/f", -1), ErrBadArguments},
		{create("noslash", ""), ErrBadArguments},
		{create("/R/", ""), ErrBadArguments},
		{create("", ""), ErrBadArguments},
		{create("/R/a\x00b", ""), ErrBadArguments},
		{create("/R//x", ""), ErrNoNode},
		{create("/R/./x", ""), ErrNoNode},
		{create("/R/../x", ""), ErrNoNode},
		{create("/", ""), ErrNodeExists},
		{create("/zookeeper", ""), ErrNodeExists},
		{Request{Op: OpDelete, Path: "/", Version: -1}, ErrBadArguments},
		{Request{Op: OpDelete, Path: "/zookeeper", Version: -1}, ErrBadArguments},
		{Request{Op: OpDelete, Path: "/zookeeper/config", Version: -1}, ErrBadArguments},
		{Request{Op: OpSetData, Path: "/R/", Version: -1}, ErrBadArguments},
	}
	for _, c := range cases {
		t.Run(c.req.String(), func(t *testing.T) {
			before := h.zxid
			r, evs := h.do(c.req)
			require.ErrorIs(t, r.Err, c.want)
			require.Equal(t, c.want.(*Error).Code(), CodeOf(r.Err))
			require.Empty(t, evs)
			require.Equal(t, before+1, h.tree.Zxid(), "a failed write uses up a zxid")
		})
	}
	h.mustOK(create("/zookeeper/x", ""))
	h.mustOK(Request{Op: OpSetData, Path: "/zookeeper", Version: -1})
}

func TestRequestsThatAreNotTransactions(t *testing.T) {
	h := newHarness(t)
	for _, req := range []Request{
		{Op: OpCheck, Path: "/", Version: 0}, // stand-alone check: ZK-SEMANTICS §2
		{Op: OpGetData, Path: "/"},
		{Op: 99},
	} {
		_, err := h.prep.Prepare(1, Caller{}, 0, req)
		require.ErrorIs(t, err, ErrUnimplemented)
	}
	big := create("/big", "")
	big.Data = make([]byte, DataLengthMaxDefault+1)
	_, err := h.prep.Prepare(1, Caller{}, 0, big)
	require.ErrorIs(t, err, ErrBadArguments)
	require.Zero(t, h.prep.Pending())
	half := create("/half", "")
	half.Data = make([]byte, DataLengthMaxDefault/2+1)
	_, err = h.prep.Prepare(1, Caller{}, 0, Request{Op: OpMulti, Ops: []Request{half, half}})
	require.ErrorIs(t, err, ErrBadArguments, "a multi's payloads count together")
	big.Data = big.Data[:DataLengthMaxDefault]
	h.mustOK(big)
	small := New(Config{DataLengthMax: 4})
	_, err = NewPreparer(small).Prepare(1, Caller{}, 0, create("/x", "12345"))
	require.ErrorIs(t, err, ErrBadArguments, "the limit is configurable")
}

func TestReadsOnInvalidOrMissingPaths(t *testing.T) {
	tr := New(Config{})
	for _, p := range []string{"noslash", "/R/", "/nope", "//", "/./x"} {
		_, _, err := tr.GetData(Caller{}, p, false)
		require.ErrorIs(t, err, ErrNoNode)
		_, err = tr.Exists(Caller{}, p, false)
		require.ErrorIs(t, err, ErrNoNode)
		_, _, err = tr.GetChildren(Caller{}, p, false)
		require.ErrorIs(t, err, ErrNoNode)
	}
	_, err := tr.Exists(Caller{}, "/a\x00", false)
	require.ErrorIs(t, err, ErrBadArguments)
	root, err := tr.Exists(Caller{}, "", false)
	require.NoError(t, err, `"" names the root in ZooKeeper's node map`)
	require.Equal(t, int32(1), root.NumChildren)
}

func TestSystemNodes(t *testing.T) {
	h := newHarness(t)
	require.Equal(t, []string{"config", "quota"}, h.children("/zookeeper"))
	require.Equal(t, int32(-1), h.stat("/").Cversion)
	require.Equal(t, int32(-2), h.stat("/zookeeper").Cversion)
	require.Equal(t, int32(-1), h.stat("/zookeeper/config").Aversion)
	h.mustOK(create("/R", ""))
	s := h.stat("/")
	require.Equal(t, Stat{Pzxid: 1, NumChildren: 2}, s, "row 70")
}

// TestStat reproduces rows 97-110.
func TestStat(t *testing.T) {
	h := newHarness(t)
	p := h.mustOK(Request{Op: OpCreate2, Path: "/st", Data: []byte("parent"), ACL: WorldACL(PermAll)})
	z := h.zxid
	require.Equal(t, Stat{Czxid: z, Mzxid: z, Pzxid: z, Ctime: h.time(z), Mtime: h.time(z), DataLength: 6}, p.Stat)
	c := h.mustOK(create("/st/c", "child"))
	require.Equal(t, Stat{Czxid: z + 1, Mzxid: z + 1, Pzxid: z + 1, Ctime: h.time(z + 1), Mtime: h.time(z + 1), DataLength: 5}, c.Stat)
	require.Equal(t, Stat{Czxid: z, Mzxid: z, Pzxid: z + 1, Ctime: h.time(z), Mtime: h.time(z), Cversion: 1, DataLength: 6, NumChildren: 1}, h.stat("/st"))
	r := h.mustOK(Request{Op: OpSetData, Path: "/st/c", Data: []byte("child-v1"), Version: 0})
	require.Equal(t, int32(1), r.Stat.Version)
	require.Equal(t, z+2, r.Stat.Mzxid)
	require.Equal(t, z+1, r.Stat.Pzxid)
	require.NotEqual(t, r.Stat.Ctime, r.Stat.Mtime)
	require.Equal(t, int32(1), h.stat("/st").Cversion, "parent unchanged by a child setData")
	r = h.mustOK(Request{Op: OpSetData, Path: "/st/c", Data: []byte("child-v1"), Version: -1})
	require.Equal(t, int32(2), r.Stat.Version, "identical data still bumps the version")
	r = h.mustOK(Request{Op: OpSetData, Path: "/st", Data: []byte("parent2"), Version: -1})
	require.Equal(t, Stat{Czxid: z, Mzxid: z + 4, Pzxid: z + 1, Ctime: h.time(z), Mtime: h.time(z + 4), Version: 1, Cversion: 1, DataLength: 7, NumChildren: 1}, r.Stat)
	h.mustOK(Request{Op: OpDelete, Path: "/st/c", Version: 2})
	s := h.stat("/st")
	require.Equal(t, z+5, s.Pzxid)
	require.Equal(t, int32(2), s.Cversion)
	require.Equal(t, int32(0), s.NumChildren)
	e := h.mustOK(createFlags("/st/e", FlagEphemeral))
	require.Equal(t, sessionA, e.Stat.EphemeralOwner)
	h.mustOK(Request{Op: OpDelete, Path: "/st/e", Version: -1})
	require.Equal(t, int32(4), h.stat("/st").Cversion)
	r = h.mustOK(Request{Op: OpSetACL, Path: "/st", ACL: WorldACL(PermAll), Version: -1})
	require.Equal(t, int32(1), r.Stat.Aversion)
	require.Equal(t, z+4, r.Stat.Mzxid, "setACL leaves mzxid")
	res, _ := h.do(Request{Op: OpSetACL, Path: "/st", ACL: WorldACL(PermAll), Version: 0})
	require.ErrorIs(t, res.Err, ErrBadVersion)
	acl, _, err := h.tree.GetACL(Caller{}, "/st")
	require.NoError(t, err)
	require.Equal(t, WorldACL(PermAll), acl)
}

func TestNullAndEmptyData(t *testing.T) {
	h := newHarness(t)
	h.mustOK(Request{Op: OpCreate, Path: "/null", Data: nil, ACL: WorldACL(PermAll)})
	h.mustOK(create("/empty", ""))
	d, s, err := h.tree.GetData(Caller{}, "/null", false)
	require.NoError(t, err)
	require.Nil(t, d)
	require.Zero(t, s.DataLength)
	d, _, _ = h.tree.GetData(Caller{}, "/empty", false)
	require.NotNil(t, d)
	require.Empty(t, d)
	h.mustOK(Request{Op: OpSetData, Path: "/empty", Data: nil, Version: -1})
	d, _, _ = h.tree.GetData(Caller{}, "/empty", false)
	require.Nil(t, d)
	round, err := DecodeSnapshot(h.tree.EncodeSnapshot())
	require.NoError(t, err)
	d, _, _ = round.GetData(Caller{}, "/empty", false)
	require.Nil(t, d)
	d, _, _ = round.GetData(Caller{}, "/null", false)
	require.Nil(t, d)
}

func TestChildrenOrder(t *testing.T) {
	h := newHarness(t)
	h.mustOK(create("/ord", ""))
	names := []string{"c3", "a1", "b2", "zz", "aa", "c10", "c2"}
	for _, n := range names {
		h.mustOK(create("/ord/"+n, ""))
	}
	require.Equal(t, names, h.children("/ord"), "row 76")
	s := h.stat("/ord")
	require.Equal(t, int32(7), s.Cversion)
	require.Equal(t, int32(7), s.NumChildren)
	n, err := h.tree.GetAllChildrenNumber(Caller{}, "/")
	require.NoError(t, err)
	require.Equal(t, int32(11), n)
}

// TestSequential reproduces rows 80-96.
func TestSequential(t *testing.T) {
	h := newHarness(t)
	h.mustOK(create("/seq", ""))
	seq := func(prefix string, flags int32) string {
		return h.mustOK(createFlags("/seq/"+prefix, flags)).Path
	}
	require.Equal(t, "/seq/a-0000000000", seq("a-", FlagSequential))
	require.Equal(t, "/seq/a-0000000001", seq("a-", FlagSequential))
	require.Equal(t, "/seq/b-0000000002", seq("b-", FlagSequential))
	require.Equal(t, "/seq/e-0000000003", seq("e-", FlagEphemeralSequential))
	h.mustOK(create("/seq/plain", ""))
	require.Equal(t, "/seq/a-0000000005", seq("a-", FlagSequential))
	h.mustOK(Request{Op: OpDelete, Path: "/seq/plain", Version: -1})
	require.Equal(t, int32(7), h.stat("/seq").Cversion)
	require.Equal(t, "/seq/a-0000000006", seq("a-", FlagSequential))
	for _, c := range h.children("/seq") {
		h.mustOK(Request{Op: OpDelete, Path: "/seq/" + c, Version: -1})
	}
	s := h.stat("/seq")
	require.Equal(t, int32(14), s.Cversion)
	require.Zero(t, s.NumChildren)
	require.Equal(t, "/seq/a-0000000007", seq("a-", FlagSequential))
	require.Equal(t, "/seq/0000000008", seq("", FlagSequential))
	h.mustOK(create("/seq/x-0000000010", ""))
	require.Equal(t, int32(17), h.stat("/seq").Cversion)
	for range 2 {
		r, _ := h.do(createFlags("/seq/x-", FlagSequential))
		require.ErrorIs(t, r.Err, ErrNodeExists)
		require.Equal(t, int32(17), h.stat("/seq").Cversion)
	}
	require.Equal(t, "/seq/y-0000000010", seq("y-", FlagSequential))
	for _, c := range h.children("/seq") {
		h.mustOK(Request{Op: OpDelete, Path: "/seq/" + c, Version: -1})
	}
	h.mustOK(Request{Op: OpDelete, Path: "/seq", Version: -1})
	h.mustOK(create("/seq", ""))
	require.Equal(t, "/seq/a-0000000000", seq("a-", FlagSequential))
	r := h.mustOK(Request{Op: OpCreate2, Path: "/seq/c2-", Data: []byte("x"), ACL: WorldACL(PermAll), Flags: FlagSequential})
	require.Equal(t, "/seq/c2-0000000001", r.Path)
	require.Equal(t, int32(0), r.Stat.Cversion)
}

func TestContainer(t *testing.T) {
	h := newHarness(t)
	r := h.mustOK(Request{Op: OpCreateContainer, Path: "/cont", ACL: WorldACL(PermAll), Flags: FlagContainer})
	require.Zero(t, r.Stat.EphemeralOwner, "containers are not shown as ephemeral")
	require.Empty(t, h.tree.ContainerCandidates(), "never had a child")
	h.mustOK(create("/cont/child", ""))
	require.Empty(t, h.tree.ContainerCandidates())
	res, _ := h.do(Request{Op: OpDeleteContainer, Path: "/cont"})
	require.ErrorIs(t, res.Err, ErrNotEmpty)
	h.mustOK(Request{Op: OpDelete, Path: "/cont/child", Version: -1})
	require.Equal(t, []string{"/cont"}, h.tree.ContainerCandidates())
	h.mustOK(createFlags("/eph", FlagEphemeral))
	res, _ = h.do(Request{Op: OpDeleteContainer, Path: "/eph"})
	require.ErrorIs(t, res.Err, ErrBadVersion, "deleteContainer refuses an ephemeral so")
	h.mustOK(Request{Op: OpDeleteContainer, Path: "/cont"})
	require.Empty(t, h.tree.ContainerCandidates())
	r = h.mustOK(createFlags("/flag4", FlagContainer))
	require.Equal(t, "/flag4", r.Path)
}

func event(s int64, typ EventType, path string) Event {
	return Event{Session: s, Type: typ, Path: path}
}

// TestWatches reproduces rows 111-126 and 130.
func TestWatches(t *testing.T) {
	h := newHarness(t)
	a := Caller{Session: sessionA}
	h.mustOK(create("/w", ""))
	_, _, err := h.tree.GetData(a, "/w", true)
	require.NoError(t, err)
	_, _, _ = h.tree.GetData(a, "/w", true)
	_, evs := h.as(sessionB, nil, Request{Op: OpSetData, Path: "/w", Version: -1})
	require.Equal(t, []Event{event(sessionA, EventNodeDataChanged, "/w")}, evs)
	_, evs = h.as(sessionB, nil, Request{Op: OpSetData, Path: "/w", Version: -1})
	require.Empty(t, evs, "one-shot")

	_, err = h.tree.Exists(a, "/w/new", true)
	require.ErrorIs(t, err, ErrNoNode)
	_, _, err = h.tree.GetData(a, "/w/new2", true)
	require.ErrorIs(t, err, ErrNoNode)
	_, evs = h.do(create("/w/new", ""))
	require.Equal(t, []Event{event(sessionA, EventNodeCreated, "/w/new")}, evs)
	_, evs = h.do(create("/w/new2", ""))
	require.Empty(t, evs, "getData on a missing node registers nothing")

	_, _, _ = h.tree.GetChildren(a, "/w", true)
	_, evs = h.do(Request{Op: OpSetData, Path: "/w/new", Version: -1})
	require.Empty(t, evs)
	_, evs = h.do(Request{Op: OpSetData, Path: "/w", Version: -1})
	require.Empty(t, evs)
	_, evs = h.do(create("/w/kid", ""))
	require.Equal(t, []Event{event(sessionA, EventNodeChildrenChanged, "/w")}, evs)

	h.mustOK(create("/w/d", ""))
	_, _, _ = h.tree.GetData(a, "/w/d", true)
	_, _, _ = h.tree.GetChildren(a, "/w/d", true)
	_, _ = h.tree.Exists(a, "/w/d", true)
	_, _, _ = h.tree.GetChildren(a, "/w", true)
	_, evs = h.do(Request{Op: OpDelete, Path: "/w/d", Version: -1})
	require.Equal(t, []Event{event(sessionA, EventNodeDeleted, "/w/d"), event(sessionA, EventNodeChildrenChanged, "/w")}, evs, "row 122: exactly 2")

	h.mustOK(create("/w/cd", ""))
	_, _, _ = h.tree.GetChildren(a, "/w/cd", true)
	_, evs = h.do(Request{Op: OpDelete, Path: "/w/cd", Version: -1})
	require.Equal(t, []Event{event(sessionA, EventNodeDeleted, "/w/cd")}, evs)

	h.mustOK(create("/w/m", ""))
	_, _, _ = h.tree.GetData(a, "/w/m", true)
	r, evs := h.do(Request{Op: OpMulti, Ops: []Request{{Op: OpSetData, Path: "/w/m", Version: -1}, create("/w/new", "")}})
	require.Empty(t, evs, "failed multi fires nothing")
	require.ErrorIs(t, r.Multi[1].Err, ErrNodeExists)
	_, _, _ = h.tree.GetChildren(a, "/w", true)
	_, evs = h.do(Request{Op: OpMulti, Ops: []Request{{Op: OpSetData, Path: "/w/m", Version: -1}, create("/w/m2", "")}})
	require.Equal(t, []Event{event(sessionA, EventNodeDataChanged, "/w/m"), event(sessionA, EventNodeChildrenChanged, "/w")}, evs)
}

func TestCloseSession(t *testing.T) {
	h := newHarness(t)
	h.mustOK(create("/R", ""))
	h.as(sessionB, nil, createFlags("/R/eph-close", FlagEphemeral))
	h.as(sessionB, nil, createFlags("/R/s-", FlagEphemeralSequential))
	// In the order of ZooKeeper's hash set (java.util.HashSet prints them so).
	require.Equal(t, []string{"/R/s-0000000001", "/R/eph-close"}, h.tree.GetEphemerals(Caller{Session: sessionB}, "/R"))
	_, _ = h.tree.Exists(Caller{Session: sessionA}, "/R/eph-close", true)
	_, _, _ = h.tree.GetChildren(Caller{Session: sessionA}, "/R", true)
	_, _ = h.tree.Exists(Caller{Session: sessionB}, "/R/other", true)
	r, evs := h.as(sessionB, nil, Request{Op: OpCloseSession})
	require.NoError(t, r.Err)
	require.Equal(t, []Event{
		event(sessionA, EventNodeDeleted, "/R/eph-close"),
		event(sessionA, EventNodeChildrenChanged, "/R"),
	}, evs)
	_, err := h.tree.Exists(Caller{}, "/R/eph-close", false)
	require.ErrorIs(t, err, ErrNoNode)
	require.Empty(t, h.tree.GetEphemerals(Caller{Session: sessionB}, "/"))
	require.Equal(t, 0, h.tree.WatchCount(), "the closed session's watches are gone")
}

func TestCloseSessionSeesPendingCreates(t *testing.T) {
	h := newHarness(t)
	b := Caller{Session: sessionB}
	create1, err := h.prep.Prepare(1, b, 0, createFlags("/e1", FlagEphemeral))
	require.NoError(t, err)
	closing, err := h.prep.Prepare(2, b, 0, Request{Op: OpCloseSession})
	require.NoError(t, err)
	require.Equal(t, []string{"/e1"}, closing.Paths)
	h.tree.Apply(1, create1)
	h.tree.Apply(2, closing)
	h.prep.Applied(2)
	require.Equal(t, 2, h.tree.NodeCount()-2)
}

// TestMulti reproduces rows 133-143.
func TestMulti(t *testing.T) {
	h := newHarness(t)
	h.mustOK(create("/multi", "m0"))
	r := h.mustOK(Request{Op: OpMulti, Ops: []Request{
		create("/multi/a", ""),
		{Op: OpCreate2, Path: "/multi/b-", ACL: WorldACL(PermAll), Flags: FlagSequential},
		{Op: OpSetData, Path: "/multi", Data: []byte("m1"), Version: 0},
		{Op: OpCheck, Path: "/multi", Version: 1},
		{Op: OpDelete, Path: "/multi/a", Version: 0},
	}})
	require.Len(t, r.Multi, 5)
	require.Equal(t, "/multi/b-0000000001", r.Multi[1].Path)
	require.Equal(t, int32(1), r.Multi[2].Stat.Version)
	require.Equal(t, h.zxid, r.Multi[2].Stat.Mzxid)
	s := h.stat("/multi")
	require.Equal(t, int32(3), s.Cversion)
	require.Equal(t, h.zxid, s.Pzxid)

	failed := func(ops []Request, codes ...int32) {
		t.Helper()
		before := h.tree.Digest()
		r, evs := h.do(Request{Op: OpMulti, Ops: ops})
		require.NoError(t, r.Err, "a failed multi answers OK in the header")
		require.Empty(t, evs)
		got := make([]int32, len(r.Multi))
		for i, m := range r.Multi {
			require.Equal(t, OpError, m.Op)
			got[i] = CodeOf(m.Err)
		}
		require.Equal(t, codes, got)
		require.Equal(t, before, h.tree.Digest(), "nothing applied")
		require.Zero(t, h.prep.Pending())
	}
	failed([]Request{create("/multi/x", ""), {Op: OpSetData, Path: "/multi/nope", Version: -1}, create("/multi/y", "")}, 0, -101, -2)
	failed([]Request{{Op: OpCheck, Path: "/multi", Version: 99}, create("/multi/x", "")}, -103, -2)
	failed([]Request{create("/multi/dup", ""), create("/multi/dup", "")}, 0, -110)
	failed([]Request{createFlags("/multi/eph", FlagEphemeral), create("/multi/eph/c", "")}, 0, -108)
	failed([]Request{createFlags("/multi/s-", FlagSequential), create("/multi/x", ""), createFlags("/multi/nope/s-", FlagSequential)}, 0, 0, -101)
	h.mustOK(Request{Op: OpMulti, Ops: []Request{
		create("/multi/p", ""), create("/multi/p/q", ""),
		{Op: OpDelete, Path: "/multi/p/q", Version: -1}, {Op: OpDelete, Path: "/multi/p", Version: -1},
	}})
	r = h.mustOK(Request{Op: OpMulti})
	require.Empty(t, r.Multi)
	r, _ = h.do(Request{Op: OpMulti, Ops: []Request{{Op: OpGetData, Path: "/multi"}}})
	require.ErrorIs(t, r.Err, ErrMarshallingError)
	// A read after a failing op still fails the whole multi: ZooKeeper
	// refuses to decode a multi that mixes reads and writes.
	r, _ = h.do(Request{Op: OpMulti, Ops: []Request{{Op: OpCheck, Path: "/multi/nope", Version: -1}, {Op: OpGetData, Path: "/multi"}}})
	require.ErrorIs(t, r.Err, ErrMarshallingError)

	reads, err := h.tree.MultiRead(Caller{}, []Request{{Op: OpGetData, Path: "/multi"}, {Op: OpGetData, Path: "/multi/nope"}, {Op: OpGetChildren, Path: "/multi"}})
	require.NoError(t, err)
	require.Equal(t, []byte("m1"), reads[0].Data)
	require.ErrorIs(t, reads[1].Err, ErrNoNode)
	require.Equal(t, []string{"b-0000000001"}, reads[2].Children)
	_, err = h.tree.MultiRead(Caller{}, []Request{{Op: OpSetData, Path: "/multi"}})
	require.ErrorIs(t, err, ErrMarshallingError)
}

func TestACL(t *testing.T) {
	h := newHarness(t)
	alice := DigestID("alice", "secret")
	require.Equal(t, "alice:"+DigestID("alice", "secret").ID[len("alice:"):], alice.ID)
	id, err := DigestAuth("alice:secret")
	require.NoError(t, err)
	require.Equal(t, alice, id)
	_, err = DigestAuth("nocolon")
	require.ErrorIs(t, err, ErrAuthFailed)
	auth := []ID{{Scheme: "ip", ID: "127.0.0.1"}, alice}
	r, _ := h.as(sessionA, auth, Request{Op: OpCreate, Path: "/sec", ACL: []ACL{{Perms: PermAll, ID: ID{Scheme: "auth"}}}})
	require.NoError(t, r.Err)
	acl, _, err := h.tree.GetACL(Caller{Auth: auth}, "/sec")
	require.NoError(t, err)
	require.Equal(t, []ACL{{Perms: PermAll, ID: alice}}, acl)
	_, _, err = h.tree.GetData(Caller{}, "/sec", false)
	require.ErrorIs(t, err, ErrNoAuth)
	_, _, err = h.tree.GetData(Caller{Auth: auth}, "/sec", false)
	require.NoError(t, err)
	r, _ = h.do(Request{Op: OpSetData, Path: "/sec", Version: -1})
	require.ErrorIs(t, r.Err, ErrNoAuth)
	r, _ = h.do(create("/sec/c", ""))
	require.ErrorIs(t, r.Err, ErrNoAuth)

	invalid := []ACL{
		{Perms: PermAll, ID: ID{Scheme: "auth"}},
		{Perms: PermAll, ID: ID{Scheme: "digest", ID: "nocolon"}},
		{Perms: PermAll, ID: ID{Scheme: "ip", ID: "10.0.0.300"}},
		{Perms: PermAll, ID: ID{Scheme: "world", ID: "someone"}},
		{Perms: PermAll, ID: ID{Scheme: "nosuch", ID: "x"}},
		{Perms: PermAll, ID: ID{Scheme: "ip", ID: "10.0.0.1/33"}},
		{Perms: PermAll, ID: ID{Scheme: "digest", ID: "u:"}},
	}
	for _, a := range invalid {
		r, _ := h.do(Request{Op: OpCreate, Path: "/bad", ACL: []ACL{a}})
		require.ErrorIs(t, r.Err, ErrInvalidACL, a.String())
	}
	h.mustOK(Request{Op: OpCreate, Path: "/net", ACL: []ACL{{Perms: PermRead, ID: ID{Scheme: "ip", ID: "10.1.0.0/16"}}, {Perms: PermRead | PermAdmin, ID: alice}}})
	_, _, err = h.tree.GetData(Caller{Auth: []ID{{Scheme: "ip", ID: "10.1.2.3"}}}, "/net", false)
	require.NoError(t, err)
	_, _, err = h.tree.GetData(Caller{Auth: []ID{{Scheme: "ip", ID: "10.2.2.3"}}}, "/net", false)
	require.ErrorIs(t, err, ErrNoAuth)
	acl, _, err = h.tree.GetACL(Caller{Auth: []ID{{Scheme: "ip", ID: "10.1.2.3"}}}, "/net")
	require.NoError(t, err)
	require.Equal(t, "alice:x", acl[1].ID.ID, "no ADMIN: digest hidden")
	_, _, err = h.tree.GetData(Caller{Auth: []ID{{Scheme: "super", ID: "admin"}}}, "/sec", false)
	require.NoError(t, err)

	// Checked against ZooKeeper 3.8.0 through go-zookeeper: "auth" expands
	// to every digest identity, perms are not validated, and a caller
	// with READ but not ADMIN sees digests as "user:x".
	bob := DigestID("bob", "pw")
	r, _ = h.as(sessionA, []ID{{Scheme: "ip", ID: "127.0.0.1"}, alice, bob}, Request{Op: OpCreate, Path: "/two", ACL: []ACL{{Perms: PermAll, ID: ID{Scheme: "auth"}}}})
	require.NoError(t, r.Err)
	acl, _, _ = h.tree.GetACL(Caller{Auth: []ID{alice}}, "/two")
	require.Equal(t, []ACL{{Perms: PermAll, ID: alice}, {Perms: PermAll, ID: bob}}, acl)
	for _, perms := range []int32{0, 99} {
		h.mustOK(Request{Op: OpCreate, Path: fmt.Sprintf("/perms%d", perms), ACL: WorldACL(perms)})
	}
	h.mustOK(Request{Op: OpCreate, Path: "/mixed", ACL: []ACL{{Perms: PermRead | PermWrite, ID: alice}, {Perms: PermRead, ID: ID{Scheme: "world", ID: "anyone"}}}})
	acl, _, _ = h.tree.GetACL(Caller{Auth: []ID{alice}}, "/mixed")
	require.Equal(t, "alice:x", acl[0].ID.ID)
}

func TestPersistentWatches(t *testing.T) {
	h := newHarness(t)
	a := Caller{Session: sessionA}
	require.NoError(t, h.tree.AddWatch(a, "/p", WatchPersistent))
	require.NoError(t, h.tree.AddWatch(a, "/r", WatchPersistentRecursive))
	_, evs := h.do(create("/p", ""))
	require.Equal(t, []Event{event(sessionA, EventNodeCreated, "/p")}, evs)
	_, evs = h.do(create("/p/c", ""))
	require.Equal(t, []Event{event(sessionA, EventNodeChildrenChanged, "/p")}, evs)
	_, evs = h.do(Request{Op: OpSetData, Path: "/p", Version: -1})
	require.Equal(t, []Event{event(sessionA, EventNodeDataChanged, "/p")}, evs, "persistent: still there")
	_, evs = h.do(create("/r", ""))
	require.Equal(t, []Event{event(sessionA, EventNodeCreated, "/r")}, evs)
	_, evs = h.do(create("/r/a", ""))
	require.Equal(t, []Event{event(sessionA, EventNodeCreated, "/r/a")}, evs, "recursive: no NodeChildrenChanged")
	_, evs = h.do(create("/r/a/b", ""))
	require.Equal(t, []Event{event(sessionA, EventNodeCreated, "/r/a/b")}, evs)
	require.NoError(t, h.tree.RemoveWatches(a, "/r", WatcherData))
	require.ErrorIs(t, h.tree.RemoveWatches(a, "/r", WatcherData), ErrNoWatcher)
	_, evs = h.do(create("/r/x", ""))
	require.Empty(t, evs)
	require.ErrorIs(t, h.tree.AddWatch(a, "/r", 7), ErrBadArguments)
}

// TestSetWatches reproduces rows 127-128.
func TestSetWatches(t *testing.T) {
	h := newHarness(t)
	h.mustOK(create("/w", ""))
	h.mustOK(create("/w/sw-gone", ""))
	h.mustOK(create("/w/m", ""))
	h.mustOK(create("/w/still", ""))
	rel := h.zxid
	h.mustOK(Request{Op: OpSetData, Path: "/w", Version: -1})
	h.mustOK(Request{Op: OpDelete, Path: "/w/sw-gone", Version: -1})
	h.mustOK(Request{Op: OpSetData, Path: "/w/m", Version: -1})
	h.mustOK(create("/w/sw-created", ""))
	c := Caller{Session: 0xc}
	evs := h.tree.SetWatches(c, SetWatches{
		RelativeZxid: rel,
		Data:         []string{"/w", "/w/sw-gone", "/w/m", "/w/still"},
		Exist:        []string{"/w/sw-created", "/w/sw-never"},
		Child:        []string{"/w"},
	})
	require.Equal(t, []Event{
		event(0xc, EventNodeDataChanged, "/w"), event(0xc, EventNodeDeleted, "/w/sw-gone"),
		event(0xc, EventNodeDataChanged, "/w/m"), event(0xc, EventNodeCreated, "/w/sw-created"),
		event(0xc, EventNodeChildrenChanged, "/w"),
	}, evs)
	_, evs = h.do(create("/w/sw-never", ""))
	require.Equal(t, []Event{event(0xc, EventNodeCreated, "/w/sw-never")}, evs)
	_, evs = h.do(Request{Op: OpSetData, Path: "/w/still", Version: -1})
	require.Equal(t, []Event{event(0xc, EventNodeDataChanged, "/w/still")}, evs)
}

func TestPreparerReset(t *testing.T) {
	h := newHarness(t)
	c := Caller{Session: sessionA}
	_, err := h.prep.Prepare(1, c, 0, create("/x", ""))
	require.NoError(t, err)
	txn, err := h.prep.Prepare(2, c, 0, create("/x", ""))
	require.NoError(t, err)
	require.Equal(t, OpError, txn.Type, "sees the pending create")
	h.prep.Reset()
	require.Zero(t, h.prep.Pending())
	txn, err = h.prep.Prepare(1, c, 0, create("/x", ""))
	require.NoError(t, err)
	require.Equal(t, OpCreate, txn.Type)
}

func TestErrorCodes(t *testing.T) {
	for code := int32(-130); code <= 0; code++ {
		e, ok := ErrorForCode(code)
		if ok && e != nil {
			require.Equal(t, code, e.Code())
			require.ErrorIs(t, fmt.Errorf("wrapped: %w", e), e)
			require.Equal(t, code, CodeOf(fmt.Errorf("wrapped: %w", e)))
		}
	}
	_, ok := ErrorForCode(-101)
	require.True(t, ok)
	_, ok = ErrorForCode(-9999)
	require.False(t, ok)
}

func TestStrings(t *testing.T) {
	h := newHarness(t)
	req := create("/s", "hello")
	require.Equal(t, `create /s data="hello" acl=[world:anyone:rwcda] flags=0`, req.String())
	txn, err := h.prep.Prepare(1, Caller{Session: 5}, 7, req)
	require.NoError(t, err)
	require.Equal(t, `txn create session=0x5 time=7 /s data="hello" acl=[world:anyone:rwcda] owner=0x0 parentCversion=1`, txn.String())
	r, _ := h.tree.Apply(1, txn)
	require.Equal(t, `create OK /s stat{czxid=0x1 mzxid=0x1 pzxid=0x1 ctime=7 mtime=7 version=0 cversion=0 aversion=0 owner=0x0 dataLength=5 numChildren=0}`, r.String())
	require.Equal(t, "event session=0xa NodeDeleted \"/a b\"", event(0xa, EventNodeDeleted, "/a b").String())
}

// TestPendingOverlay: later requests see prepared but unapplied changes,
// a failed multi rolls back only its own, and Applied consumes them.
func TestPendingOverlay(t *testing.T) {
	tr := New(Config{})
	p := NewPreparer(tr)
	c := Caller{Session: sessionA}
	prep := func(zxid int64, req Request) Txn {
		t.Helper()
		txn, err := p.Prepare(zxid, c, zxid, req)
		require.NoError(t, err)
		return txn
	}
	t1 := prep(1, create("/x", ""))
	t2 := prep(2, Request{Op: OpMulti, Ops: []Request{create("/x/y", ""), create("/x/y", "")}})
	require.Equal(t, OpMulti, t2.Type)
	require.Equal(t, OpError, t2.Ops[0].Type)
	t3 := prep(3, createFlags("/x/s-", FlagSequential))
	require.Equal(t, "/x/s-0000000000", t3.Path, "the failed multi's create did not count")
	t4 := prep(4, Request{Op: OpDelete, Path: "/x", Version: -1})
	require.Equal(t, OpError, t4.Type)
	require.Equal(t, ErrNotEmpty.Code(), t4.Err, "sees the pending child")
	require.Equal(t, 2, p.Pending())
	for i, txn := range []Txn{t1, t2, t3, t4} {
		r, _ := tr.Apply(int64(i+1), txn)
		p.Applied(int64(i + 1))
		if i == 0 {
			require.Equal(t, 1, p.Pending())
		}
		_ = r
	}
	require.Zero(t, p.Pending())
	require.Equal(t, []string{"s-0000000000"}, func() []string { c, _, _ := tr.GetChildren(Caller{}, "/x", false); return c }())
}

// A watch notifies only a session that may READ the node the event names,
// judged with the identities the session holds when the watch fires
// (ZooKeeper 3.8 drops the notification silently; found by zkdiff).
func TestWatchesNeedRead(t *testing.T) {
	h := newHarness(t)
	alice := DigestID("alice", "secret")
	b := Caller{Session: sessionB}
	require.NoError(t, h.tree.AddWatch(b, "/", WatchPersistentRecursive))
	secret := []ACL{{Perms: PermAll, ID: alice}}
	_, evs := h.as(sessionA, []ID{alice}, Request{Op: OpCreate, Path: "/sec", ACL: secret})
	require.Empty(t, evs, "B may not read /sec")
	_, evs = h.as(sessionA, []ID{alice}, Request{Op: OpCreate, Path: "/pub", ACL: WorldACL(PermAll)})
	require.Equal(t, []Event{event(sessionB, EventNodeCreated, "/pub")}, evs)

	h.tree.SetAuth(Caller{Session: sessionB, Auth: []ID{alice}})
	_, evs = h.as(sessionA, []ID{alice}, Request{Op: OpSetData, Path: "/sec", Version: -1})
	require.Equal(t, []Event{event(sessionB, EventNodeDataChanged, "/sec")}, evs, "addauth after the watch counts")

	h.tree.SetAuth(Caller{Session: 0xc, Auth: []ID{alice}})
	_, evs = h.as(sessionA, []ID{alice}, Request{Op: OpSetData, Path: "/sec", Version: -1})
	require.Len(t, evs, 1, "SetAuth of a session without watches registers nothing")
}
