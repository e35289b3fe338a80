package check

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/recipes"
)

const (
	// MembershipConverged: a watcher ended on a view other than the
	// group's members, though the group had not changed for the bound
	// before.
	MembershipConverged linearize.Check = "membership-converged"
	// MembershipPick: a load-balancing client picked a member that had
	// not been in the group for more than the bound around the pick.
	MembershipPick linearize.Check = "membership-pick"
)

// Membership judges a group's log. A member is in the group from its
// Joined to its Left; either is recorded a little after the fact (a
// reply's trip; an expiry is learned late), so the promises are up to
// bound, which should cover the session timeout:
//   - a watcher's final view, if the group had not changed for bound
//     before it, is the group's members;
//   - a pick names a member that was in the group at some time within
//     bound of the pick.
func Membership(log *recipes.Log, bound time.Duration) ([]linearize.Violation, error) {
	entries, err := usable(log)
	if err != nil {
		return nil, err
	}
	hs, err := holds(entries, recipes.Joined, recipes.Left)
	if err != nil {
		return nil, err
	}
	var out []linearize.Violation
	final := map[string]recipes.Entry{}
	var watchers []string
	for _, e := range entries {
		if e.Kind != recipes.View {
			continue
		}
		if _, ok := final[e.Client]; !ok {
			watchers = append(watchers, e.Client)
		}
		final[e.Client] = e
	}
	for _, w := range watchers {
		if v, ok := staleView(entries, hs, final[w], bound); ok {
			out = append(out, v)
		}
	}
	for _, e := range entries {
		if e.Kind == recipes.Picked && !nearMembership(hs, e, bound) {
			out = append(out, linearize.Violation{Check: MembershipPick,
				Summary:  fmt.Sprintf("%s picked %s, not in the group within %v of the pick", e.Client, e.Key, bound),
				Evidence: append([]string{e.String()}, lastChanges(entries, e.At, e.Key)...)})
		}
	}
	return out, nil
}

// staleView judges a watcher's final view v.
func staleView(entries []recipes.Entry, hs []hold, v recipes.Entry, bound time.Duration) (linearize.Violation, bool) {
	last := time.Duration(-1)
	for _, e := range entries {
		if e.At > v.At {
			break
		}
		if e.Kind == recipes.Joined || e.Kind == recipes.Left {
			last = e.At
		}
	}
	if last >= 0 && v.At-last < bound {
		return linearize.Violation{}, false // the group had not settled yet
	}
	var members []string
	for _, h := range hs {
		if h.start <= v.At && (h.end < 0 || h.end > v.At) {
			members = append(members, h.client)
		}
	}
	slices.Sort(members)
	want := strings.Join(members, ",")
	if v.Key == want {
		return linearize.Violation{}, false
	}
	seen := strings.Split(v.Key, ",")
	var differ []string
	for _, m := range append(members, seen...) {
		if m != "" && slices.Contains(members, m) != slices.Contains(seen, m) && !slices.Contains(differ, m) {
			differ = append(differ, m)
		}
	}
	return linearize.Violation{Check: MembershipConverged,
		Summary:  fmt.Sprintf("%s ended seeing [%s], the group being [%s] for %v already", v.Client, v.Key, want, v.At-last),
		Evidence: append([]string{v.String()}, lastChanges(entries, v.At, differ...)...)}, true
}

// nearMembership reports whether the member pick names was in the group
// at some time within bound of it.
func nearMembership(hs []hold, pick recipes.Entry, bound time.Duration) bool {
	for _, h := range hs {
		if h.client == pick.Key && h.start <= pick.At+bound && (h.end < 0 || h.end >= pick.At-bound) {
			return true
		}
	}
	return false
}

// lastChanges is the evidence of where members stood at t: the last
// Joined or Left of each, or that it never joined.
func lastChanges(entries []recipes.Entry, t time.Duration, members ...string) []string {
	var out []string
	for _, m := range members {
		line := m + " never joined by then"
		for _, e := range entries {
			if e.At > t {
				break
			}
			if e.Client == m && (e.Kind == recipes.Joined || e.Kind == recipes.Left) {
				line = e.String()
			}
		}
		out = append(out, line)
	}
	return out
}
