package tree

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// harness drives one tree the way a leader does: prepare, apply, applied.
type harness struct {
	t    *testing.T
	tree *Tree
	prep *Preparer
	zxid int64
}

const sessionA, sessionB int64 = 0xa, 0xb

func newHarness(t *testing.T) *harness {
	tr := New(Config{})
	return &harness{t: t, tree: tr, prep: NewPreparer(tr)}
}

func (h *harness) time(zxid int64) int64 { return 1_700_000_000_000 + 10*zxid }

func (h *harness) as(session int64, auth []ID, req Request) (Result, []Event) {
	h.t.Helper()
	txn, err := h.prep.Prepare(h.zxid+1, Caller{Session: session, Auth: auth}, h.time(h.zxid+1), req)
	require.NoError(h.t, err, "prepare %s", req)
	h.zxid++
	again, err := UnmarshalTxn(txn.Marshal())
	require.NoError(h.t, err)
	require.Equal(h.t, txn, again)
	r, evs := h.tree.Apply(h.zxid, txn)
	h.prep.Applied(h.zxid)
	require.Equal(h.t, h.tree.RecomputeDigest(), h.tree.Digest())
	return r, evs
}

func (h *harness) do(req Request) (Result, []Event) {
	h.t.Helper()
	return h.as(sessionA, nil, req)
}

func (h *harness) mustOK(req Request) Result {
	h.t.Helper()
	r, _ := h.do(req)
	require.NoError(h.t, r.Err, "%s", req)
	return r
}

func create(path string, data string) Request {
	return Request{Op: OpCreate, Path: path, Data: []byte(data), ACL: WorldACL(PermAll)}
}

func createFlags(path string, flags int32) Request {
	r := create(path, "x")
	r.Flags = flags
	return r
}

func (h *harness) stat(path string) Stat {
	h.t.Helper()
	s, err := h.tree.Exists(Caller{}, path, false)
	require.NoError(h.t, err, path)
	return s
}

func (h *harness) children(path string) []string {
	h.t.Helper()
	c, _, err := h.tree.GetChildren(Caller{}, path, false)
	require.NoError(h.t, err)
	return c
}
