package linearize

import (
	"fmt"
	"sort"
)

// checkLogs judges each replica's committed log on its own and against the
// others: total order, global primary order, contiguity, prefix
// consistency (which is agreement and cross-replica total order) and zxid
// uniqueness.
func checkLogs(rec *ZabRecord) []Violation {
	var out []Violation
	for _, l := range rec.Replicas {
		out = append(out, checkOneLog(l)...)
	}
	out = append(out, checkPrefixes(rec.Replicas)...)
	out = append(out, checkUnique(rec)...)
	out = append(out, checkNoneSkipped(rec)...)
	return out
}

func checkOneLog(l ReplicaLog) []Violation {
	var out []Violation
	prev := Entry{Zxid: l.Base}
	for i, e := range l.Committed {
		ev := []string{fmt.Sprintf("sid %d entry %d: %s", l.Sid, i-1, prev), fmt.Sprintf("sid %d entry %d: %s", l.Sid, i, e)}
		switch {
		case e.Zxid.Epoch() < prev.Zxid.Epoch():
			out = append(out, violation(GlobalPrimaryOrder, ev, "sid %d delivers epoch %d after epoch %d", l.Sid, e.Zxid.Epoch(), prev.Zxid.Epoch()))
		case e.Zxid <= prev.Zxid:
			out = append(out, violation(TotalOrder, ev, "sid %d delivers %s after %s", l.Sid, e.Zxid, prev.Zxid))
		case e.Zxid.Epoch() == prev.Zxid.Epoch() && e.Zxid.Counter() != prev.Zxid.Counter()+1:
			out = append(out, violation(Contiguity, ev, "sid %d skips from %s to %s within epoch %d", l.Sid, prev.Zxid, e.Zxid, e.Zxid.Epoch()))
		case e.Zxid.Epoch() > prev.Zxid.Epoch() && e.Zxid.Counter() != 1:
			// A leader's first proposal of an epoch is counter 1, so a log
			// entering an epoch elsewhere has lost its start.
			out = append(out, violation(Contiguity, ev, "sid %d enters epoch %d at %s, not at its first entry", l.Sid, e.Zxid.Epoch(), e.Zxid))
		}
		prev = e
	}
	return out
}

// checkPrefixes compares every pair of logs over the zxids both list.
func checkPrefixes(logs []ReplicaLog) []Violation {
	var out []Violation
	for i := range logs {
		for j := i + 1; j < len(logs); j++ {
			if v, ok := firstDivergence(logs[i], logs[j]); !ok {
				out = append(out, v)
			}
		}
	}
	return out
}

// firstDivergence walks both logs from the higher base: from there on they
// must list the same entries until one ends.
func firstDivergence(a, b ReplicaLog) (Violation, bool) {
	from := max(a.Base, b.Base)
	ea, eb := after(a.Committed, from), after(b.Committed, from)
	for k := 0; k < len(ea) && k < len(eb); k++ {
		if ea[k] != eb[k] {
			return violation(PrefixConsistency, []string{
				fmt.Sprintf("sid %d: %s", a.Sid, ea[k]), fmt.Sprintf("sid %d: %s", b.Sid, eb[k])},
				"sids %d and %d diverge at position %d after %s", a.Sid, b.Sid, k, from), false
		}
	}
	return Violation{}, true
}

func after(es []Entry, z Zxid) []Entry {
	i := sort.Search(len(es), func(i int) bool { return es[i].Zxid > z })
	return es[i:]
}

// checkUnique: one zxid, one payload, across the ghost log and every
// replica's log.
func checkUnique(rec *ZabRecord) []Violation {
	first := map[Zxid]string{}
	digest := map[Zxid]uint64{}
	var out []Violation
	note := func(e Entry, where string) {
		d, ok := digest[e.Zxid]
		if !ok {
			digest[e.Zxid], first[e.Zxid] = e.Digest, where
			return
		}
		if d != e.Digest {
			out = append(out, violation(ZxidUnique, []string{first[e.Zxid], where},
				"zxid %s carries two payloads", e.Zxid))
		}
	}
	for _, p := range rec.Proposals {
		note(p.Entry, fmt.Sprintf("proposed by sid %d at %d: %s", p.Proposer, p.Time, p.Entry))
	}
	for _, l := range rec.Replicas {
		for _, e := range l.Committed {
			note(e, fmt.Sprintf("committed at sid %d: %s", l.Sid, e))
		}
	}
	return out
}

// checkNoneSkipped is total order across processes: since every process
// delivers in zxid order, one that delivered b must have delivered every
// entry with a smaller zxid that anyone delivered or any leader committed
// (down to its snapshot base). This catches what no single log shows, such
// as the last entries of an epoch missing before the next epoch begins.
func checkNoneSkipped(rec *ZabRecord) []Violation {
	seen := map[Zxid]string{}
	for _, c := range rec.Commits {
		if _, ok := seen[c.Zxid]; !ok {
			seen[c.Zxid] = fmt.Sprintf("committed by sid %d at %d: %s", c.Leader, c.Time, c.Entry)
		}
	}
	for _, l := range rec.Replicas {
		for _, e := range l.Committed {
			if _, ok := seen[e.Zxid]; !ok {
				seen[e.Zxid] = fmt.Sprintf("delivered by sid %d: %s", l.Sid, e)
			}
		}
	}
	all := make([]Zxid, 0, len(seen))
	for z := range seen {
		all = append(all, z)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	var out []Violation
	for _, l := range rec.Replicas {
		if len(l.Committed) == 0 {
			continue
		}
		has := make(map[Zxid]bool, len(l.Committed))
		for _, e := range l.Committed {
			has[e.Zxid] = true
		}
		last := l.Committed[len(l.Committed)-1].Zxid
		start := sort.Search(len(all), func(i int) bool { return all[i] > l.Base })
		for _, z := range all[start:] {
			if z > last {
				break
			}
			if !has[z] {
				out = append(out, violation(TotalOrder, []string{seen[z], fmt.Sprintf("sid %d delivers up to %s without it", l.Sid, last)},
					"sid %d skipped %s", l.Sid, z))
				break
			}
		}
	}
	return out
}
