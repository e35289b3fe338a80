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
//   - once the group stays unchanged for bound, every watcher sees it:
//     judged over the last such stretch of the log (earlier ones may fall
//     among faults that the group's own record lags), by the last view
//     each watcher had recorded when it ended;
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
	if from, to, ok := settled(entries, bound); ok {
		out = append(out, staleViews(entries, hs, from, to)...)
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

// settled finds the log's last stretch of at least bound in which the
// group did not change: from a change (or the log's start) to the next
// change, or to the log's end (to is then -1).
func settled(entries []recipes.Entry, bound time.Duration) (from, to time.Duration, ok bool) {
	if len(entries) == 0 {
		return 0, 0, false
	}
	end, to := entries[len(entries)-1].At, time.Duration(-1)
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if e.Kind != recipes.Joined && e.Kind != recipes.Left {
			continue
		}
		if end-e.At >= bound {
			return e.At, to, true
		}
		end, to = e.At, e.At
	}
	return 0, to, end >= bound
}

// staleViews judges the views the watchers held at the end of the
// settled stretch from from to to (-1: the log's end).
func staleViews(entries []recipes.Entry, hs []hold, from, to time.Duration) []linearize.Violation {
	var members []string
	for _, h := range hs {
		if h.start <= from && (h.end < 0 || h.end > from) {
			members = append(members, h.client)
		}
	}
	slices.Sort(members)
	want := strings.Join(members, ",")
	final := map[string]recipes.Entry{}
	var watchers []string
	for _, e := range entries {
		if to >= 0 && e.At >= to {
			break
		}
		if e.Kind != recipes.View {
			continue
		}
		if _, ok := final[e.Client]; !ok {
			watchers = append(watchers, e.Client)
		}
		final[e.Client] = e
	}
	var out []linearize.Violation
	for _, w := range watchers {
		v := final[w]
		if v.Key == want {
			continue
		}
		seen := strings.Split(v.Key, ",")
		var differ []string
		for _, m := range append(members, seen...) {
			if m != "" && slices.Contains(members, m) != slices.Contains(seen, m) && !slices.Contains(differ, m) {
				differ = append(differ, m)
			}
		}
		until := "on"
		if to >= 0 {
			until = fmt.Sprintf("to %v", to)
		}
		out = append(out, linearize.Violation{Check: MembershipConverged,
			Summary: fmt.Sprintf("%s was left seeing [%s] while the group was [%s] from %v %s",
				w, v.Key, want, from, until),
			Evidence: append([]string{v.String()}, lastChanges(entries, from, differ...)...)})
	}
	return out
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
