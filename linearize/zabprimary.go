package linearize

import (
	"fmt"
	"sort"
)

// checkLeaders: at most one server establishes leadership per epoch
// (TLA+ Leadership2).
func checkLeaders(rec *ZabRecord) []Violation {
	first := map[uint32]Establishment{}
	var out []Violation
	for _, l := range rec.Leaders {
		f, ok := first[l.Epoch]
		if !ok {
			first[l.Epoch] = l
			continue
		}
		if f.Sid != l.Sid {
			out = append(out, violation(OneLeaderPerEpoch, []string{describeLeader(f), describeLeader(l)},
				"two leaders established in epoch %d", l.Epoch))
		}
	}
	return out
}

func describeLeader(l Establishment) string {
	return fmt.Sprintf("sid %d established epoch %d at %d with %d history entries after %s", l.Sid, l.Epoch, l.Time, len(l.History), l.Base)
}

// checkIntegrity: every committed entry was proposed, with the same bytes.
func checkIntegrity(rec *ZabRecord) []Violation {
	proposed := map[Entry]bool{}
	for _, p := range rec.Proposals {
		proposed[p.Entry] = true
	}
	var out []Violation
	for _, l := range rec.Replicas {
		for _, e := range l.Committed {
			if !proposed[e] {
				out = append(out, violation(Integrity, []string{fmt.Sprintf("sid %d: %s", l.Sid, e)},
					"sid %d delivered %s, which no primary broadcast", l.Sid, e.Zxid))
			}
		}
	}
	return out
}

// checkLocalPrimaryOrder: if a primary broadcast a before b, whoever
// delivers b delivers a first. A primary's broadcast order is its proposal
// time order, so the entries a log delivers from one primary of one epoch
// must be consecutive proposals in that order. Entries of two primaries in
// one epoch are left to the one-leader-per-epoch check.
func checkLocalPrimaryOrder(rec *ZabRecord) []Violation {
	type primary struct {
		epoch uint32
		sid   int
	}
	type place struct {
		by  primary
		idx int
	}
	rank := map[Entry]place{}
	seq := map[primary][]Proposal{}
	for _, p := range rec.Proposals {
		k := primary{p.Zxid.Epoch(), p.Proposer}
		seq[k] = append(seq[k], p)
	}
	for k, ps := range seq {
		sort.SliceStable(ps, func(i, j int) bool { return ps[i].Time < ps[j].Time })
		for i, p := range ps {
			rank[p.Entry] = place{by: k, idx: i}
		}
	}
	var out []Violation
	for _, l := range rec.Replicas {
		for i := 1; i < len(l.Committed); i++ {
			a, b := l.Committed[i-1], l.Committed[i]
			pa, oka := rank[a]
			pb, okb := rank[b]
			if !oka || !okb || pa.by != pb.by || pb.idx == pa.idx+1 {
				continue
			}
			skipped := seq[pa.by][min(pa.idx, pb.idx)+1]
			out = append(out, violation(LocalPrimaryOrder, []string{
				fmt.Sprintf("sid %d delivers %s then %s", l.Sid, a, b),
				fmt.Sprintf("broadcast in between by sid %d at %d: %s", skipped.Proposer, skipped.Time, skipped.Entry)},
				"sid %d does not deliver epoch %d in broadcast order", l.Sid, a.Zxid.Epoch()))
		}
	}
	return out
}

// contains reports whether a leader's initial history holds e.
func (l Establishment) contains(e Entry) bool {
	if e.Zxid <= l.Base {
		return true
	}
	i := sort.Search(len(l.History), func(i int) bool { return l.History[i].Zxid >= e.Zxid })
	return i < len(l.History) && l.History[i] == e
}

// checkPrimaryIntegrity: if the primary of epoch e broadcast anything, it
// had delivered every entry of an earlier epoch that any process delivers.
func checkPrimaryIntegrity(rec *ZabRecord) []Violation {
	broadcast := map[uint32]bool{}
	for _, p := range rec.Proposals {
		broadcast[p.Zxid.Epoch()] = true
	}
	var out []Violation
	for _, l := range rec.Leaders {
		if !broadcast[l.Epoch] {
			continue
		}
		for _, r := range rec.Replicas {
			for _, e := range r.Committed {
				if e.Zxid.Epoch() < l.Epoch && !l.contains(e) {
					out = append(out, violation(PrimaryIntegrity, []string{describeLeader(l), fmt.Sprintf("delivered by sid %d: %s", r.Sid, e)},
						"the primary of epoch %d broadcast without %s", l.Epoch, e.Zxid))
					break
				}
			}
		}
	}
	return out
}

// checkCommittedMonotonic: every leader established after an entry was
// committed starts from a history holding it (NJU spec
// CommittedLogMonotonicity, violated by ZK-3911/4643/4646).
func checkCommittedMonotonic(rec *ZabRecord) []Violation {
	commits := append([]Commit(nil), rec.Commits...)
	sort.SliceStable(commits, func(i, j int) bool { return commits[i].Time < commits[j].Time })
	var out []Violation
	for _, l := range rec.Leaders {
		for _, c := range commits {
			if c.Time >= l.Time {
				break
			}
			if !l.contains(c.Entry) {
				out = append(out, violation(CommittedMonotonic, []string{
					fmt.Sprintf("committed by sid %d at %d: %s", c.Leader, c.Time, c.Entry), describeLeader(l)},
					"leader of epoch %d lacks %s, committed before it was established", l.Epoch, c.Zxid))
				break
			}
		}
	}
	return out
}
