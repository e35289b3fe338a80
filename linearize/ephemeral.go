package linearize

import (
	"fmt"
	"path"
	"sort"
	"strconv"
)

// CheckEphemerals asserts over the committed history that an ephemeral node
// vanishes when, and only when, its session ends: the closeSession (or
// expiry) transaction deletes every ephemeral the session still owns, no
// other transaction removes one except an explicit delete, and no ephemeral
// is created for a session that already ended (ZK-2355).
func CheckEphemerals(truth *GroundTruth) []Violation {
	cur := map[string]Effect{}
	owned := map[int64]map[string]bool{}
	closed := map[int64]Zxid{}
	var out []Violation
	for _, t := range truth.Txns() {
		for _, e := range t.Effects {
			prev := cur[e.Path]
			cur[e.Path] = e
			if prev.Exists && prev.Owner != 0 && (!e.Exists || e.Owner != prev.Owner) {
				delete(owned[prev.Owner], e.Path)
				legit := t.Kind == TxnWrite || (t.Kind == TxnCloseSession && t.Session == prev.Owner)
				if !legit {
					out = append(out, violation(Ephemeral, []string{describeTxn(t), describeEffect(prev, t.Zxid)},
						"ephemeral %s of session 0x%x removed by a transaction that does not end its session", e.Path, uint64(prev.Owner)))
				}
			}
			if e.Exists && e.Owner != 0 && !(prev.Exists && prev.Owner == e.Owner) {
				if z, ok := closed[e.Owner]; ok {
					out = append(out, violation(Ephemeral, []string{describeTxn(t)},
						"ephemeral %s created for session 0x%x, which ended at %s", e.Path, uint64(e.Owner), z))
				}
				if owned[e.Owner] == nil {
					owned[e.Owner] = map[string]bool{}
				}
				owned[e.Owner][e.Path] = true
			}
		}
		if t.Kind != TxnCloseSession {
			continue
		}
		closed[t.Session] = t.Zxid
		left := make([]string, 0, len(owned[t.Session]))
		for p := range owned[t.Session] {
			left = append(left, p)
		}
		sort.Strings(left)
		for _, p := range left {
			out = append(out, violation(Ephemeral, []string{describeTxn(t)},
				"ephemeral %s survived the end of its session 0x%x", p, uint64(t.Session)))
		}
	}
	return out
}

func describeTxn(t Txn) string {
	return fmt.Sprintf("txn %s kind %d request %s session 0x%x with %d effects", t.Zxid, t.Kind, t.Request, uint64(t.Session), len(t.Effects))
}

// sequentialSuffixLen is the width of ZooKeeper's %010d sequence suffix.
const sequentialSuffixLen = 10

// CheckSequential asserts that sequential names handed out under one
// incarnation of a parent (identified by its czxid in truth; by path alone
// when truth is nil) strictly increase in zxid order, hence are unique.
func CheckSequential(history []Operation, truth *GroundTruth) []Violation {
	type created struct {
		op   *Operation
		name string
		seq  int64
	}
	groups := map[string][]created{}
	for i := range history {
		op := &history[i]
		if op.Outcome != OutcomeOK {
			continue
		}
		for _, s := range project(op, nil) {
			for _, r := range s.reqs {
				if r.Kind != KindCreate || !r.Sequential {
					continue
				}
				name := s.key
				if len(name) < sequentialSuffixLen {
					continue
				}
				seq, err := strconv.ParseInt(name[len(name)-sequentialSuffixLen:], 10, 64)
				if err != nil {
					continue
				}
				parent := path.Dir(name)
				group := parent
				if truth != nil {
					group = fmt.Sprintf("%s@%d", parent, truth.ValueAt(parent, op.Zxid).Czxid)
				}
				groups[group] = append(groups[group], created{op: op, name: name, seq: seq})
			}
		}
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []Violation
	for _, k := range keys {
		cs := groups[k]
		sort.SliceStable(cs, func(i, j int) bool { return cs[i].op.Zxid < cs[j].op.Zxid })
		for i := 1; i < len(cs); i++ {
			if cs[i].seq <= cs[i-1].seq {
				out = append(out, violation(SequentialUnique, []string{cs[i-1].op.String(), cs[i].op.String()},
					"sequential name %s handed out after %s under the same parent", cs[i].name, cs[i-1].name))
			}
		}
	}
	return out
}
