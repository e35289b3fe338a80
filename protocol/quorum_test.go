package protocol

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMajority(t *testing.T) {
	q, err := NewMajority([]uint64{3, 1, 2, 5, 4})
	require.NoError(t, err)
	require.True(t, q.Intersecting())
	require.False(t, q.ContainsQuorum([]uint64{1, 2, 2, 9}), "duplicates and non-voters do not count")
	require.True(t, q.ContainsQuorum([]uint64{1, 2, 5}))
	require.Equal(t, "quorum 3 of [1 2 3 4 5]", q.String())
}

func TestUnsafeQuorumDetected(t *testing.T) {
	q, err := NewQuorumSize([]uint64{1, 2, 3, 4, 5}, 2)
	require.NoError(t, err)
	require.False(t, q.Intersecting())
	require.True(t, q.ContainsQuorum([]uint64{1, 2}))
	require.True(t, q.ContainsQuorum([]uint64{4, 5}), "two disjoint quorums: split brain possible")
}

func TestBadQuorum(t *testing.T) {
	for _, c := range []struct {
		voters []uint64
		size   int
	}{{nil, 1}, {[]uint64{1, 2}, 0}, {[]uint64{1, 2}, 3}, {[]uint64{1, 1}, 1}} {
		_, err := NewQuorumSize(c.voters, c.size)
		require.ErrorIs(t, err, ErrBadQuorum, "%v size %d", c.voters, c.size)
	}
}
