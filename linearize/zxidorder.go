package linearize

import "sort"

// CheckZxidOrder restores what per-path partitioning drops: ZooKeeper orders
// all writes by zxid, so an acknowledged write that returned before another
// write was invoked must carry the smaller zxid, whatever their paths. A
// sync answered after a write returned must answer at that write's zxid or
// later (left out with opts.SkipSyncedReads, for the reason given there).
// Acknowledged writes must also carry distinct zxids.
func CheckZxidOrder(history []Operation, opts LinearizableOptions) []Violation {
	var writes, probes []*Operation
	byZxid := map[Zxid]*Operation{}
	var out []Violation
	for i := range history {
		op := &history[i]
		if op.Outcome != OutcomeOK {
			continue
		}
		switch {
		case op.Req.Kind.IsWrite():
			if prev, ok := byZxid[op.Zxid]; ok {
				out = append(out, violation(ZxidUnique, []string{prev.String(), op.String()},
					"two acknowledged writes carry zxid %s", op.Zxid))
				continue
			}
			byZxid[op.Zxid] = op
			writes = append(writes, op)
			probes = append(probes, op)
		case op.Req.Kind == KindSync && !opts.SkipSyncedReads:
			probes = append(probes, op)
		}
	}
	sort.SliceStable(writes, func(i, j int) bool { return writes[i].Return < writes[j].Return })
	sort.SliceStable(probes, func(i, j int) bool { return probes[i].Call < probes[j].Call })
	var max *Operation
	next := 0
	for _, b := range probes {
		for next < len(writes) && writes[next].Return < b.Call {
			if max == nil || writes[next].Zxid > max.Zxid {
				max = writes[next]
			}
			next++
		}
		if max == nil {
			continue
		}
		stale := b.Zxid < max.Zxid || (b.Req.Kind.IsWrite() && b.Zxid == max.Zxid)
		if stale {
			out = append(out, violation(ZxidRealTime, []string{max.String(), b.String()},
				"%s at zxid %s was invoked after a write at zxid %s returned", b.Req.Kind, b.Zxid, max.Zxid))
		}
	}
	return out
}
