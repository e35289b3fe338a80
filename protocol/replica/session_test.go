package replica

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/zabsim/zabsim/tree"
	"pgregory.net/rapid"
)

// The expected passwords were printed by java.util.Random in OpenJDK, as
// ZooKeeper's SessionTrackerImpl.generatePasswd uses it.
func TestPasswdMatchesZooKeeper(t *testing.T) {
	for _, tc := range []struct {
		id   int64
		want string
	}{
		{0x100000000000001, "054cc74a37327db215e702e20c73f005"},
		{0x3000abcdef000000, "f21bbb0d9783735f207d9d55384f9ba1"},
		{1, "054cc74a37327db215e702e20c73f005"}, // Random keeps 48 seed bits
	} {
		require.Equal(t, tc.want, hex.EncodeToString(Passwd(tc.id)), "%#x", tc.id)
	}
}

func TestSessionIDs(t *testing.T) {
	id := firstSessionID(3, 1_700_000_000_000)
	require.Equal(t, int64(3), id>>56, "server id in the top byte")
	require.NotEqual(t, id, firstSessionID(3, 1_700_000_000_001), "the clock moves the base")
	require.NotEqual(t, id>>56, firstSessionID(4, 1_700_000_000_000)>>56)
	for _, tc := range []struct{ req, want int32 }{{10, 400}, {400, 400}, {1000, 1000}, {50_000, 4000}, {-1, 400}} {
		require.Equal(t, tc.want, negotiate(tc.req, 400, 4000), "requested %d", tc.req)
	}
}

func TestTxnCodec(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		txn := Txn{Cxid: rapid.Int32().Draw(t, "cxid"), Tree: tree.Txn{
			Type: tree.OpSetData, Op: tree.OpSetData, Session: rapid.Int64().Draw(t, "session"),
			Time: rapid.Int64().Draw(t, "time"), Path: "/" + rapid.StringMatching(`[a-z]{1,8}`).Draw(t, "path"),
			Data: rapid.SliceOf(rapid.Byte()).Draw(t, "data"), Version: rapid.Int32().Draw(t, "version"),
		}}
		got, err := UnmarshalTxn(MarshalTxn(txn))
		require.NoError(t, err)
		require.Equal(t, txn.Cxid, got.Cxid)
		require.Equal(t, txn.Tree.String(), got.Tree.String())
	})
}

func TestAppCodecRejectsGarbage(t *testing.T) {
	req := appMsg{kind: appRequest, session: 7, cxid: 3, auth: []tree.ID{{Scheme: "digest", ID: "u:x"}},
		req: tree.Request{Op: tree.OpMulti, Ops: []tree.Request{{Op: tree.OpCreate, Path: "/a", Data: nil, ACL: tree.WorldACL(tree.PermAll)}}}}
	for _, m := range []appMsg{req, {kind: appRevalidate, session: 9, timeout: 4000}, {kind: appRevalidated, session: 9, valid: true}, {kind: appSynced, session: 1, cxid: 2}} {
		got, err := unmarshalApp(m.marshal())
		require.NoError(t, err)
		require.Equal(t, m, got)
	}
	b := req.marshal()
	for i := 0; i < len(b); i++ {
		_, err := unmarshalApp(b[:i])
		require.ErrorIs(t, err, ErrBadEncoding, "prefix of %d bytes", i)
	}
	_, err := unmarshalApp(append(b, 0))
	require.ErrorIs(t, err, ErrBadEncoding, "trailing byte")
	_, err = UnmarshalTxn([]byte{9, 0, 0, 0, 0})
	require.ErrorIs(t, err, ErrBadEncoding, "unknown version")
	ts := []touch{{1, 400}, {2, 4000}}
	got, err := unmarshalTouches(marshalTouches(ts))
	require.NoError(t, err)
	require.Equal(t, ts, got)
	_, err = unmarshalTouches([]byte{0x7f, 0, 0, 0})
	require.ErrorIs(t, err, ErrBadEncoding)
}
