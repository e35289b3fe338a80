package linearize

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkCheckRun checks a realistic 10,000-operation history: 10
// clients, mixed reads, writes, sync+reads, multis and sequential creates,
// 2% of writes ambiguous, with the ground truth. keys=50 is the target
// workload; keys=5 puts 2,000 operations on each hot key.
func BenchmarkCheckRun(b *testing.B) {
	for _, keys := range []int{50, 5} {
		b.Run(fmt.Sprintf("keys=%d", keys), func(b *testing.B) {
			r := rand.New(rand.NewPCG(42, 0))
			ops, ref := build(workload(r.IntN, 10, keys, 10_000, true, 2))
			truth := ref.truth()
			for b.Loop() {
				v, _, err := CheckRun(Run{History: ops, Truth: truth})
				require.NoError(b, err)
				require.True(b, v.OK(), "%s", v)
			}
		})
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
