package recipes

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSeq(t *testing.T) {
	for _, tc := range []struct {
		name string
		want int64
	}{
		{"w0.1-0000000007", 7},
		{"item-0000000000", 0},
		{"x-2147483647", 2147483647},
		{"x-12345", -1}, // too short: not a sequential name
		{"x+000000001", -1},
		{"lock-00000000x1", -1},
		{"", -1},
		{"a-9999999999", 9999999999},
	} {
		require.Equal(t, tc.want, Seq(tc.name), tc.name)
	}
}

func TestSortBySeq(t *testing.T) {
	names := []string{"b.1-0000000003", "a.2-0000000010", "c.1-0000000001"}
	SortBySeq(names)
	require.Equal(t, []string{"c.1-0000000001", "b.1-0000000003", "a.2-0000000010"}, names)
}
