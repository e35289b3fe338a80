package linearize

import (
	"fmt"
	"sort"
)

// checkDurableBeforeAck: a leader only counts ACKs of what the follower
// has fsynced (ZK-3911, ZK-4646).
func checkDurableBeforeAck(rec *ZabRecord) []Violation {
	var out []Violation
	for _, a := range rec.Acks {
		if !a.Durable {
			out = append(out, violation(DurableBeforeAck, []string{fmt.Sprintf("ack from sid %d of %s at %d", a.Follower, a.Zxid, a.Time)},
				"sid %d acknowledged %s before it was durable", a.Follower, a.Zxid))
		}
	}
	return out
}

// checkMemoryDisk: lastProcessedZxid equals the durable log's end when a
// server starts looking or following (ZK-2845, 3642, 4712). One
// difference is not a disagreement: a leader sets lastProcessedZxid to
// epoch<<32 once it serves (startZkServer), a marker, not a transaction,
// so a leader that steps down before logging anything in its epoch has
// epoch<<32 in memory over its history's end on disk (found by the
// recipe runs, whose few writes leave new leaders idle).
func checkMemoryDisk(rec *ZabRecord) []Violation {
	type leadership struct {
		sid   int
		epoch uint32
	}
	histEnd := map[leadership]Zxid{}
	for _, l := range rec.Leaders {
		end := l.Base
		if n := len(l.History); n > 0 {
			end = l.History[n-1].Zxid
		}
		histEnd[leadership{l.Sid, l.Epoch}] = end
	}
	var out []Violation
	for _, s := range rec.MemDisk {
		if s.InMemory == s.Durable {
			continue
		}
		if end, ok := histEnd[leadership{s.Sid, s.InMemory.Epoch()}]; ok && s.InMemory.Counter() == 0 && s.Durable == end {
			continue
		}
		out = append(out, violation(MemoryDiskAgreement, []string{fmt.Sprintf("sid %d at %d: memory %s disk %s", s.Sid, s.Time, s.InMemory, s.Durable)},
			"sid %d's memory and disk disagree", s.Sid))
	}
	return out
}

// checkEpochs: acceptedEpoch >= currentEpoch, and neither goes back, even
// across crashes.
func checkEpochs(rec *ZabRecord) []Violation {
	bySid := map[int][]EpochSample{}
	for _, s := range rec.Epochs {
		bySid[s.Sid] = append(bySid[s.Sid], s)
	}
	sids := make([]int, 0, len(bySid))
	for sid := range bySid {
		sids = append(sids, sid)
	}
	sort.Ints(sids)
	describe := func(s EpochSample) string {
		return fmt.Sprintf("sid %d at %d: accepted %d current %d", s.Sid, s.Time, s.Accepted, s.Current)
	}
	var out []Violation
	for _, sid := range sids {
		ss := bySid[sid]
		sort.SliceStable(ss, func(i, j int) bool { return ss[i].Time < ss[j].Time })
		for i, s := range ss {
			if s.Accepted < s.Current {
				out = append(out, violation(EpochSanity, []string{describe(s)}, "sid %d: acceptedEpoch below currentEpoch", sid))
			}
			if i > 0 && (s.Accepted < ss[i-1].Accepted || s.Current < ss[i-1].Current) {
				out = append(out, violation(EpochSanity, []string{describe(ss[i-1]), describe(s)}, "sid %d: an epoch went back", sid))
			}
		}
	}
	return out
}

// checkTreeDigests: replicas that applied the same prefix hold the same tree.
func checkTreeDigests(rec *ZabRecord) []Violation {
	first := map[Zxid]TreeSample{}
	reported := map[Zxid]bool{}
	var out []Violation
	for _, t := range rec.Trees {
		f, ok := first[t.Zxid]
		if !ok {
			first[t.Zxid] = t
			continue
		}
		if f.Digest != t.Digest && !reported[t.Zxid] {
			reported[t.Zxid] = true
			out = append(out, violation(TreeDigest, []string{
				fmt.Sprintf("sid %d at %s: tree %016x", f.Sid, f.Zxid, f.Digest),
				fmt.Sprintf("sid %d at %s: tree %016x", t.Sid, t.Zxid, t.Digest)},
				"trees differ after applying %s", t.Zxid))
		}
	}
	return out
}

// checkAnomalies: no server took an impossible branch (ZK-4394, 4685).
func checkAnomalies(rec *ZabRecord) []Violation {
	var out []Violation
	for _, a := range rec.Anomalies {
		out = append(out, violation(ShouldNotBeTriggered, []string{fmt.Sprintf("sid %d at %d: %s", a.Sid, a.Time, a.What)},
			"sid %d: %s", a.Sid, a.What))
	}
	return out
}

// CheckZab runs every Zab invariant over the record.
func CheckZab(rec *ZabRecord) ([]Violation, error) {
	// A log out of zxid order is the protocol's fault, not the
	// recorder's: ZooKeeper's FileTxnLog warns of an append at or below
	// its last zxid and writes it anyway (a learner that skipped the
	// fast-forward of ZOOKEEPER-2845 re-logs what its DIFF resends). Such
	// a leader is reported and left out of the checks that need order.
	var out []Violation
	var kept []Establishment
	for _, l := range rec.Leaders {
		j := 1
		for j < len(l.History) && l.History[j].Zxid > l.History[j-1].Zxid {
			j++
		}
		if j >= len(l.History) {
			kept = append(kept, l)
			continue
		}
		out = append(out, violation(TotalOrder, []string{
			fmt.Sprintf("sid %d entry %d: %s", l.Sid, j-1, l.History[j-1]),
			fmt.Sprintf("sid %d entry %d: %s", l.Sid, j, l.History[j])},
			"leader sid %d establishes epoch %d with a history out of zxid order: %s after %s", l.Sid, l.Epoch, l.History[j].Zxid, l.History[j-1].Zxid))
	}
	if len(kept) < len(rec.Leaders) {
		cp := *rec
		cp.Leaders = kept
		rec = &cp
	}
	for _, check := range []func(*ZabRecord) []Violation{
		checkLeaders, checkLogs, checkIntegrity, checkLocalPrimaryOrder, checkPrimaryIntegrity,
		checkCommittedMonotonic, checkDurableBeforeAck, checkMemoryDisk, checkEpochs, checkTreeDigests, checkQuorums,
		checkExpiries, checkAnomalies,
	} {
		out = append(out, check(rec)...)
	}
	return out, nil
}
