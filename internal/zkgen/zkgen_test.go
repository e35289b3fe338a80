package zkgen

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDraws(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	picks := make([]int, 3)
	var null, empty, long int
	versions := map[int32]int{}
	for range 3000 {
		picks[Pick(r, 1, 0, 3)]++
		switch d := Data(r); {
		case d == nil:
			null++
		case len(d) == 0:
			empty++
		case len(d) > 1:
			long++
		}
		versions[Version(r)]++
	}
	require.Zero(t, picks[1], "a zero weight is never drawn")
	require.InDelta(t, 3, float64(picks[2])/float64(picks[0]), 0.5)
	require.NotZero(t, null)
	require.NotZero(t, empty)
	require.NotZero(t, long)
	for v := int32(-1); v <= 3; v++ {
		require.NotZero(t, versions[v], "version %d", v)
	}
	require.Len(t, versions, 5)
	require.Equal(t, "b", Choose(r, []Weighted[string]{{0, "a"}, {1, "b"}}))
}
