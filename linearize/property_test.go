package linearize

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

func rapidDraw(t *rapid.T) draw {
	return func(n int) int { return rapid.IntRange(0, n-1).Draw(t, "choice") }
}

func checkAll(t require.TestingT, ops []Operation, ref *refTree) Verdict {
	v, _, err := CheckRun(Run{History: ops, Truth: ref.truth()})
	require.NoError(t, err)
	return v
}

// A history produced by the reference model passes every check.
func TestPropertyReferenceHistoriesPass(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := rapidDraw(t)
		ops, ref := build(workload(d, 1+d(4), 1+d(4), 1+d(40), false, 10))
		v := checkAll(t, ops, ref)
		require.True(t, v.OK(), "%s", v)
	})
}

// Concurrent reference histories pass too; they are drawn from a seed
// because their value is in the interleavings, not in shrinking.
func TestReferenceConcurrentHistoriesPass(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		r := rand.New(rand.NewPCG(seed, 0))
		ops, ref := build(workload(r.IntN, 4, 3, 300, true, 5))
		v := checkAll(t, ops, ref)
		require.True(t, v.OK(), "seed %d: %s", seed, v)
	}
}

// Each mutation plants a known violation; the named check must find it.
func TestPropertyMutatedHistoriesFail(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := rapidDraw(t)
		ops, ref := build(workload(d, 1+d(3), 1+d(3), 5+d(40), false, 0))
		switch rapid.IntRange(0, 2).Draw(t, "mutation") {
		case 0:
			// A synced read returns a value the key never held.
			i := pick(t, ops, func(o Operation) bool { return o.Req.Kind == KindGetData && o.Outcome == OutcomeOK })
			ops[i].Res.Data += "-bogus"
			v := checkAll(t, ops, ref)
			require.Contains(t, v.Failed(), ReadPrefix)
		case 1:
			// An acknowledged write vanishes from the committed history.
			i := pick(t, ops, func(o Operation) bool { return o.Req.Kind.IsWrite() && o.Outcome == OutcomeOK })
			var kept []Txn
			for _, txn := range ref.txns {
				if txn.Zxid != ops[i].Zxid {
					kept = append(kept, txn)
				}
			}
			ref.txns = kept
			v := checkAll(t, ops, ref)
			require.Contains(t, v.Failed(), AckedWriteDurable)
		case 2:
			// Two acknowledged writes in real-time order swap zxids.
			i := pick(t, ops, func(o Operation) bool { return o.Req.Kind.IsWrite() && o.Outcome == OutcomeOK })
			j := pick(t, ops, func(o Operation) bool {
				return o.Req.Kind.IsWrite() && o.Outcome == OutcomeOK && o.Zxid != ops[i].Zxid
			})
			ops[i].Zxid, ops[j].Zxid = ops[j].Zxid, ops[i].Zxid
			v, _, err := CheckRun(Run{History: ops})
			require.NoError(t, err)
			require.Contains(t, v.Failed(), ZxidRealTime)
		}
	})
}

// pick draws an index of ops satisfying f, skipping the case if none does.
func pick(t *rapid.T, ops []Operation, f func(Operation) bool) int {
	var idx []int
	for i, o := range ops {
		if f(o) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		t.Skip("no operation to mutate")
	}
	return idx[rapid.IntRange(0, len(idx)-1).Draw(t, "target")]
}
