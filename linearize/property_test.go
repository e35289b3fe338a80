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
		switch rapid.IntRange(0, 5).Draw(t, "mutation") {
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
		case 3:
			// A read right after a sync returns the value from before a
			// write that completed before the sync was invoked.
			i := pick(t, ops, func(o Operation) bool {
				_, ok := staleValue(ops, ref, o)
				return ok
			})
			old, _ := staleValue(ops, ref, ops[i])
			ops[i].Res = Result{Data: old.Data, Stat: Stat{Version: old.Version, Czxid: old.Czxid, Mzxid: old.Mzxid}}
			if !old.Exists {
				ops[i].Res, ops[i].Outcome = Result{Err: CodeNoNode}, OutcomeFailed
			}
			v := checkAll(t, ops, ref)
			require.Contains(t, v.Failed(), Linearizable)
		case 4:
			// A reply overtakes the reply to the session's previous request.
			i := pick(t, ops, func(o Operation) bool { return o.Outcome != OutcomeUnknown && nextInSession(ops, o) >= 0 })
			j := nextInSession(ops, ops[i])
			ops[i].Return = ops[j].Return + 1
			v, _, err := CheckRun(Run{History: ops})
			require.NoError(t, err)
			require.Contains(t, v.Failed(), SessionReplyOrder)
		case 5:
			// A read after the session's own write is answered from before it.
			i := pick(t, ops, func(o Operation) bool {
				return o.Req.Kind == KindGetData && o.Outcome != OutcomeUnknown && ownWriteBefore(ops, o) > 0
			})
			ops[i].Zxid = ownWriteBefore(ops, ops[i]) - 1
			v, _, err := CheckRun(Run{History: ops})
			require.NoError(t, err)
			require.Contains(t, v.Failed(), ReadYourWrites)
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

// staleValue finds, for a getData right after a sync, the value its path
// held before the last write the read reflects, provided that write returned
// before the sync was invoked (so returning the older value is illegal).
func staleValue(ops []Operation, ref *refTree, o Operation) (Effect, bool) {
	if o.Req.Kind != KindGetData || o.Outcome == OutcomeUnknown {
		return Effect{}, false
	}
	var sync *Operation
	for i := range ops {
		p := &ops[i]
		if p.Session == o.Session && p.Call < o.Call && (sync == nil || p.Call > sync.Call) {
			sync = p
		}
	}
	if sync == nil || sync.Req.Kind != KindSync || sync.Outcome != OutcomeOK {
		return Effect{}, false
	}
	var last Zxid
	for _, t := range ref.txns {
		for _, e := range t.Effects {
			if e.Path == o.Req.Path && t.Zxid <= o.Zxid {
				last = t.Zxid
			}
		}
	}
	for _, w := range ops {
		if last != 0 && w.Zxid == last && w.Req.Kind.IsWrite() && w.Return < sync.Call {
			return ref.truth().ValueAt(o.Req.Path, last-1), true
		}
	}
	return Effect{}, false
}

// nextInSession is the index of the session's next answered request, or -1.
func nextInSession(ops []Operation, o Operation) int {
	next := -1
	for i, p := range ops {
		if p.Session == o.Session && p.Call > o.Call && p.Outcome != OutcomeUnknown && (next < 0 || p.Call < ops[next].Call) {
			next = i
		}
	}
	return next
}

// ownWriteBefore is the zxid of the session's latest acknowledged write to
// the read's path that returned before the read, or 0.
func ownWriteBefore(ops []Operation, r Operation) Zxid {
	var best Zxid
	for _, w := range ops {
		if w.Session != r.Session || w.Outcome != OutcomeOK || w.Return >= r.Call || !w.Req.Kind.IsWrite() {
			continue
		}
		for _, s := range project(&w, nil) {
			if s.key == r.Req.Path {
				best = max(best, w.Zxid)
			}
		}
	}
	return best
}
