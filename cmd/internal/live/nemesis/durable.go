package nemesis

import (
	"fmt"
	"sort"

	"github.com/zabsim/zabsim/linearize"
)

// finalState is what each server held for each key once the faults were
// healed, read after a sync through a session on that server alone.
type finalState map[uint64]map[string]linearize.Result

// checkDurable judges the acknowledged writes against the final state:
// every server must hold the same value for each key, and no acknowledged
// write may be missing from it: the value there was written at the write's
// zxid or later, and if at that zxid, it is the write's data. (Porcupine,
// given the final reads, also judges the order of what survived; this
// check names a lost write plainly.)
func checkDurable(ops []linearize.Operation, final finalState) []linearize.Violation {
	sids := make([]uint64, 0, len(final))
	for sid := range final {
		sids = append(sids, sid)
	}
	sort.Slice(sids, func(i, j int) bool { return sids[i] < sids[j] })
	if len(sids) == 0 {
		return nil
	}
	var out []linearize.Violation
	first := final[sids[0]]
	keys := make([]string, 0, len(first))
	for k := range first {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		want := first[k]
		for _, sid := range sids[1:] {
			if got := final[sid][k]; got.Data != want.Data || got.Stat != want.Stat {
				out = append(out, linearize.Violation{Check: linearize.TreeDigest,
					Summary:  fmt.Sprintf("after healing, servers %d and %d disagree on %s", sids[0], sid, k),
					Evidence: []string{describeFinal(sids[0], k, want), describeFinal(sid, k, got)}})
			}
		}
	}
	for i := range ops {
		op := &ops[i]
		if op.Outcome != linearize.OutcomeOK || (op.Req.Kind != linearize.KindSetData && op.Req.Kind != linearize.KindCreate) {
			continue
		}
		got, ok := first[op.Req.Path]
		if !ok {
			continue
		}
		lost := got.Stat.Mzxid < uint64(op.Zxid) || (got.Stat.Mzxid == uint64(op.Zxid) && got.Data != op.Req.Data)
		if lost {
			out = append(out, linearize.Violation{Check: linearize.AckedWriteDurable,
				Summary:  fmt.Sprintf("acknowledged write to %s at zxid %s is not in the final state", op.Req.Path, op.Zxid),
				Evidence: []string{op.String(), describeFinal(sids[0], op.Req.Path, got)}})
		}
	}
	return out
}

func describeFinal(sid uint64, key string, r linearize.Result) string {
	return fmt.Sprintf("server %d final %s: data=%q version=%d mzxid=%s", sid, key, r.Data, r.Stat.Version, linearize.Zxid(r.Stat.Mzxid))
}
