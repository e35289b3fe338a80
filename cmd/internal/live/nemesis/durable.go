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
// zxid or later, and if at that zxid, it is the write's data; its version
// is the write's or later; and no two acknowledged writes of a key come
// from diverging histories (forkedVersions). Porcupine, given the final
// reads, also judges the order of what survived; this check names a lost
// write plainly.
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
	acked := map[string][]*linearize.Operation{}
	for i := range ops {
		op := &ops[i]
		if op.Outcome != linearize.OutcomeOK || (op.Req.Kind != linearize.KindSetData && op.Req.Kind != linearize.KindCreate) {
			continue
		}
		got, ok := first[op.Req.Path]
		if !ok {
			continue
		}
		if op.Req.Kind == linearize.KindSetData {
			acked[op.Req.Path] = append(acked[op.Req.Path], op)
		}
		lost := got.Stat.Mzxid < uint64(op.Zxid) || (got.Stat.Mzxid == uint64(op.Zxid) && got.Data != op.Req.Data) ||
			(op.Req.Kind == linearize.KindSetData && got.Stat.Version < op.Res.Stat.Version)
		if lost {
			out = append(out, linearize.Violation{Check: linearize.AckedWriteDurable,
				Summary:  fmt.Sprintf("acknowledged write to %s at zxid %s is not in the final state", op.Req.Path, op.Zxid),
				Evidence: []string{op.String(), describeFinal(sids[0], op.Req.Path, got)}})
		}
	}
	for _, k := range keys {
		out = append(out, forkedVersions(acked[k])...)
	}
	return out
}

// forkedVersions: the workload never deletes, so along one history each
// setData of a key makes the next version, and acknowledged setData
// replies ordered by zxid carry rising versions. Two that do not were made
// on two histories, and at most one of those survives: a write the client
// was told about is lost even if the final value happens to look newer.
func forkedVersions(ws []*linearize.Operation) []linearize.Violation {
	sort.Slice(ws, func(i, j int) bool { return ws[i].Zxid < ws[j].Zxid })
	var out []linearize.Violation
	for i := 1; i < len(ws); i++ {
		if ws[i].Res.Stat.Version <= ws[i-1].Res.Stat.Version {
			out = append(out, linearize.Violation{Check: linearize.AckedWriteDurable,
				Summary: fmt.Sprintf("acknowledged writes to %s at zxids %s and %s made versions %d and %d: they were made on diverging histories, and one is lost",
					ws[i].Req.Path, ws[i-1].Zxid, ws[i].Zxid, ws[i-1].Res.Stat.Version, ws[i].Res.Stat.Version),
				Evidence: []string{ws[i-1].String(), ws[i].String()}})
		}
	}
	return out
}

func describeFinal(sid uint64, key string, r linearize.Result) string {
	return fmt.Sprintf("server %d final %s: data=%q version=%d mzxid=%s", sid, key, r.Data, r.Stat.Version, linearize.Zxid(r.Stat.Mzxid))
}
