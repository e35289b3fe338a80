package ensemble

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/protocol"
)

// TestCommittedSetKeepsZxidOrder: commits in order, repeated, late and
// conflicting all end up as a map from zxid to transaction would.
func TestCommittedSetKeepsZxidOrder(t *testing.T) {
	var r recorder
	want := map[protocol.Zxid]string{}
	commit := func(z protocol.Zxid, txn string) {
		r.commit(z, []byte(txn))
		if _, ok := want[z]; !ok {
			want[z] = txn
		}
	}
	for z := protocol.Zxid(10); z < 5000; z += 3 {
		commit(z, string(rune('a'+z%26)))
	}
	for z := protocol.Zxid(10); z < 5000; z += 30 {
		commit(z, string(rune('a'+z%26))) // again: no conflict
	}
	commit(5, "late")
	commit(11, "late too")
	commit(13, "conflict") // 13 was committed as "n"
	commit(6000, "last")
	entries, conflicts := (&Ensemble{record: r}).Committed()
	require.Len(t, conflicts, 1)
	require.Len(t, entries, len(want))
	for i, e := range entries {
		if i > 0 {
			require.Less(t, entries[i-1].Zxid, e.Zxid)
		}
		require.Equal(t, want[e.Zxid], string(e.Txn), "zxid %s", e.Zxid)
	}
}
