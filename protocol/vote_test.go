package protocol

import (
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

func genVote() *rapid.Generator[Vote] {
	return rapid.Custom(func(t *rapid.T) Vote {
		// Small ranges make ties on epoch and zxid frequent, which is where
		// ZOOKEEPER-1419 went wrong.
		return Vote{
			Leader:    rapid.Uint64Range(1, 4).Draw(t, "sid"),
			Zxid:      MakeZxid(rapid.Uint32Range(0, 2).Draw(t, "ze"), rapid.Uint32Range(0, 2).Draw(t, "zc")),
			PeerEpoch: rapid.Uint32Range(0, 2).Draw(t, "epoch"),
		}
	})
}

func TestVoteOrderIsStrictTotal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b, c := genVote().Draw(t, "a"), genVote().Draw(t, "b"), genVote().Draw(t, "c")
		require.False(t, VoteGreater(a, a), "irreflexive")
		require.False(t, VoteGreater(a, b) && VoteGreater(b, a), "asymmetric")
		if a != b {
			require.True(t, VoteGreater(a, b) || VoteGreater(b, a), "total on distinct votes")
		}
		if VoteGreater(a, b) && VoteGreater(b, c) {
			require.True(t, VoteGreater(a, c), "transitive")
		}
	})
}

func TestZxidString(t *testing.T) {
	z := MakeZxid(1, 3)
	require.Equal(t, "0x100000003", z.String())
	require.Equal(t, uint32(1), z.Epoch())
	require.Equal(t, uint32(3), z.Counter())
}
