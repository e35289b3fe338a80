package tree

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzValidatePath checks ValidatePath against a direct reading of Java's
// rules, and that create never panics whatever the path.
func FuzzValidatePath(f *testing.F) {
	for _, s := range []string{"/", "/a", "/a/", "//", "/a/./b", "/a/../b", "/a..b", "/.", "/a\x00", "noslash", "/\u007f", "/\ufff0", "/\U0001F600", "/a\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		err := ValidatePath(path)
		if err == nil {
			require.True(t, strings.HasPrefix(path, "/"))
			require.True(t, path == "/" || !strings.HasSuffix(path, "/"))
			require.NotContains(t, path, "//")
			require.NotContains(t, path, "\x00")
			require.NotContains(t, path+"/", "/./")
			require.NotContains(t, path+"/", "/../")
		} else {
			require.ErrorIs(t, err, ErrBadArguments)
		}
		tr := New(Config{})
		p := NewPreparer(tr)
		for i, flags := range []int32{FlagPersistent, FlagSequential} {
			txn, perr := p.Prepare(int64(i+1), Caller{Session: 1}, 0, Request{Op: OpCreate, Path: path, ACL: WorldACL(PermAll), Flags: flags})
			require.NoError(t, perr)
			r, _ := tr.Apply(int64(i+1), txn)
			p.Applied(int64(i + 1))
			if r.Err == nil {
				require.NoError(t, ValidatePath(r.Path))
			}
		}
		require.Equal(t, tr.RecomputeDigest(), tr.Digest())
	})
}

// FuzzSnapshotDecode feeds arbitrary bytes to DecodeSnapshot: no panic,
// and whatever decodes re-encodes to a snapshot that decodes to the same
// tree.
func FuzzSnapshotDecode(f *testing.F) {
	h := newHarness(&testing.T{})
	f.Add(h.tree.EncodeSnapshot())
	h.mustOK(create("/a", "x"))
	h.mustOK(createFlags("/a/s-", FlagEphemeralSequential))
	h.mustOK(Request{Op: OpCreate, Path: "/n", ACL: WorldACL(PermRead)})
	f.Add(h.tree.EncodeSnapshot())
	f.Fuzz(func(t *testing.T, b []byte) {
		tr, err := DecodeSnapshot(b)
		if err != nil {
			require.ErrorIs(t, err, ErrMalformed)
			return
		}
		again := tr.EncodeSnapshot()
		tr2, err := DecodeSnapshot(again)
		require.NoError(t, err)
		require.Equal(t, again, tr2.EncodeSnapshot())
		require.Equal(t, tr.Digest(), tr2.Digest())
		require.Equal(t, tr.RecomputeDigest(), tr.Digest())
	})
}

// FuzzTxnDecode feeds arbitrary bytes to UnmarshalTxn: no panic, a
// decoded transaction re-encodes to the same bytes, and applying it to a
// small tree keeps the digest consistent.
func FuzzTxnDecode(f *testing.F) {
	f.Add(Txn{Type: OpCreate, Op: OpCreate, Path: "/a", Data: []byte("x"), ACL: WorldACL(PermAll), ParentCversion: 1}.Marshal())
	f.Add(Txn{Type: OpMulti, Op: OpMulti, Ops: []Txn{{Type: OpError, Op: OpError, Err: -101}}}.Marshal())
	f.Add(Txn{Type: OpCloseSession, Op: OpCloseSession, Session: 3, Paths: []string{"/e"}}.Marshal())
	f.Fuzz(func(t *testing.T, b []byte) {
		txn, err := UnmarshalTxn(b)
		if err != nil {
			require.ErrorIs(t, err, ErrMalformed)
			return
		}
		require.Equal(t, b, txn.Marshal())
		_ = txn.String()
		tr := New(Config{})
		r, _ := tr.Apply(1, txn)
		_ = r.String()
		require.Equal(t, tr.RecomputeDigest(), tr.Digest())
	})
}
