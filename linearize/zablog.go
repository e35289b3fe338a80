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
		case e.Zxid.Epoch() == prev.Zxid.Epoch() && e.Zxid.Counter() != prev.Zxid.Counter()+1 && (i > 0 || l.Base != 0):
			out = append(out, violation(Contiguity, ev, "sid %d skips from %s to %s within epoch %d", l.Sid, prev.Zxid, e.Zxid, e.Zxid.Epoch()))
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
