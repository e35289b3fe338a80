package linearize

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkCheckRun checks a realistic 10,000-operation history: 10
// clients, 50 keys, mixed reads, writes, sync+reads, multis and sequential
// creates, 2% of writes ambiguous, with the ground truth.
func BenchmarkCheckRun(b *testing.B) {
	r := rand.New(rand.NewPCG(42, 0))
	ops, ref := build(workload(r.IntN, 10, 50, 10_000, true, 2))
	truth := ref.truth()
	b.ResetTimer()
	for b.Loop() {
		v, _, err := CheckRun(Run{History: ops, Truth: truth})
		require.NoError(b, err)
		require.True(b, v.OK(), "%s", v)
	}
}

// BenchmarkCheckLinearizable is the Porcupine part alone.
func BenchmarkCheckLinearizable(b *testing.B) {
	r := rand.New(rand.NewPCG(42, 0))
	ops, _ := build(workload(r.IntN, 10, 50, 10_000, true, 2))
	for b.Loop() {
		res, err := CheckLinearizable(ops, LinearizableOptions{})
		require.NoError(b, err)
		require.Empty(b, res.Violations)
	}
}
