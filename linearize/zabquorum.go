package linearize

import (
	"fmt"
	"sort"
	"strings"
)

// checkQuorums: every quorum a decision rested on intersects every other
// (ZAB.md §3.4.1, §6). Both of Zab's safety arguments, one leader per epoch
// and a new leader holding every commit, need a member in common; an
// ensemble configured with a quorum of 2 out of 5 fails here even in runs
// where the two disjoint quorums happened not to cause visible damage.
func checkQuorums(rec *ZabRecord) []Violation {
	first := map[string]QuorumUse{}
	var keys []string
	for _, q := range rec.Quorums {
		k := memberKey(q.Members)
		if _, ok := first[k]; !ok {
			first[k] = q
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out []Violation
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			a, b := first[keys[i]], first[keys[j]]
			if !intersect(a.Members, b.Members) {
				out = append(out, violation(QuorumIntersection, []string{describeQuorum(a), describeQuorum(b)},
					"quorums %v and %v share no server", sorted(a.Members), sorted(b.Members)))
			}
		}
	}
	return out
}

func sorted(m []int) []int {
	out := append([]int(nil), m...)
	sort.Ints(out)
	return out
}

func memberKey(m []int) string {
	s := sorted(m)
	parts := make([]string, len(s))
	for i, x := range s {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ",")
}

func intersect(a, b []int) bool {
	in := make(map[int]bool, len(a))
	for _, x := range a {
		in[x] = true
	}
	for _, x := range b {
		if in[x] {
			return true
		}
	}
	return false
}

func describeQuorum(q QuorumUse) string {
	return fmt.Sprintf("%s by sid %d in epoch %d at %d with %v", q.Purpose, q.Sid, q.Epoch, q.Time, sorted(q.Members))
}
