// Package check judges what recipe clients did and believed (a
// recipes.Log) against each recipe's promise. Its verdicts are
// linearize.Violations, so they join a run's verdict beside the server
// checks.
package check

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/recipes"
)

// The recipe checks. The names are stable: they appear in `zabsim run
// --json` and in scenario expectations.
const (
	// MutualExclusion: two clients believed they held the lock at once.
	MutualExclusion linearize.Check = "lock-mutual-exclusion"
	// StaleWrite: the resource accepted a write whose token is older than
	// one it had already accepted: a holder acted after the lock passed on.
	StaleWrite linearize.Check = "lock-stale-write"
	// OneLeader: two candidates won the same term.
	OneLeader linearize.Check = "election-one-leader"
	// TermOrder: a leader was elected with a term not above an earlier
	// leader's.
	TermOrder linearize.Check = "election-term-order"
)

// ErrMalformed: the log cannot be judged (it overflowed, or breaks the
// recipes' own rules, such as a release without an acquisition).
var ErrMalformed = errors.New("check: malformed recipe log")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// hold is one client's belief that it held something, from its start to
// its end (the end of the log if it never ended).
type hold struct {
	client     string
	value      int64
	start, end time.Duration
	startEntry recipes.Entry
	endEntry   *recipes.Entry
}

func (h hold) evidence() []string {
	out := []string{h.startEntry.String()}
	if h.endEntry != nil {
		out = append(out, h.endEntry.String())
	} else {
		out = append(out, fmt.Sprintf("%s still holding at the end", h.client))
	}
	return out
}

// holds pairs each client's begin entries with its next end entry.
func holds(entries []recipes.Entry, begin recipes.Kind, ends ...recipes.Kind) ([]hold, error) {
	open := map[string]int{}
	var out []hold
	for _, e := range entries {
		switch {
		case e.Kind == begin:
			if _, ok := open[e.Client]; ok {
				return nil, malformed("%s: %s while already holding", e, begin)
			}
			open[e.Client] = len(out)
			out = append(out, hold{client: e.Client, value: e.Value, start: e.At, end: -1, startEntry: e})
		case slices.Contains(ends, e.Kind):
			i, ok := open[e.Client]
			if !ok {
				return nil, malformed("%s without a %s", e, begin)
			}
			delete(open, e.Client)
			e := e
			out[i].end, out[i].endEntry = e.At, &e
		}
	}
	return out, nil
}

// overlaps reports pairs of holds of different clients that overlap in
// time, as violations of check. The holds are in start order.
func overlaps(hs []hold, check linearize.Check, what string) []linearize.Violation {
	var out []linearize.Violation
	for i, a := range hs {
		for _, b := range hs[i+1:] {
			if a.end >= 0 && b.start >= a.end {
				break // b and all later ones start after a ended
			}
			if b.client == a.client {
				continue
			}
			out = append(out, linearize.Violation{Check: check,
				Summary:  fmt.Sprintf("%s and %s both %s at %v", a.client, b.client, what, b.start),
				Evidence: append(a.evidence(), b.evidence()...)})
		}
	}
	return out
}

func usable(log *recipes.Log) ([]recipes.Entry, error) {
	if n := log.Overflowed(); n > 0 {
		return nil, malformed("the log overflowed by %d entries", n)
	}
	return log.Entries(), nil
}

// Lock judges a lock's log. Unfenced, the promise is that no two clients
// believe they hold the lock at the same instant. Fenced, beliefs may
// overlap (a paused holder cannot know better), and the promise is the
// resource's: no write is accepted after a write with a newer token.
func Lock(log *recipes.Log, fenced bool) ([]linearize.Violation, error) {
	entries, err := usable(log)
	if err != nil {
		return nil, err
	}
	hs, err := holds(entries, recipes.LockAcquired, recipes.LockReleased, recipes.LockLost)
	if err != nil {
		return nil, err
	}
	var out []linearize.Violation
	if !fenced {
		out = append(out, overlaps(hs, MutualExclusion, "held the lock")...)
	}
	var newest *recipes.Entry
	for _, e := range entries {
		if e.Kind != recipes.WriteAccepted {
			continue
		}
		if newest != nil && e.Value < newest.Value {
			out = append(out, linearize.Violation{Check: StaleWrite,
				Summary:  fmt.Sprintf("the resource accepted %s's write with token %d after one with token %d", e.Client, e.Value, newest.Value),
				Evidence: []string{newest.String(), e.String()}})
			continue
		}
		e := e
		newest = &e
	}
	return out, nil
}

// Election judges a leader election's log: one leader per term, and terms
// growing with each election. Leaderships of successive terms may
// overlap in time (a deposed leader that has not heard yet), which no
// election recipe can prevent: that is what terms are for, carried to
// whatever the leader acts on, like a lock's fencing token.
func Election(log *recipes.Log) ([]linearize.Violation, error) {
	entries, err := usable(log)
	if err != nil {
		return nil, err
	}
	hs, err := holds(entries, recipes.Elected, recipes.Deposed)
	if err != nil {
		return nil, err
	}
	var out []linearize.Violation
	leaders := map[int64]*hold{}
	var last *hold
	for i := range hs {
		h := &hs[i]
		if other, ok := leaders[h.value]; ok && other.client != h.client {
			out = append(out, linearize.Violation{Check: OneLeader,
				Summary:  fmt.Sprintf("%s and %s both led term %d", other.client, h.client, h.value),
				Evidence: []string{other.startEntry.String(), h.startEntry.String()}})
		} else if !ok {
			leaders[h.value] = h
		}
		if last != nil && h.value <= last.value {
			out = append(out, linearize.Violation{Check: TermOrder,
				Summary:  fmt.Sprintf("%s was elected for term %d after %s led term %d", h.client, h.value, last.client, last.value),
				Evidence: []string{last.startEntry.String(), h.startEntry.String()}})
		}
		last = h
	}
	return out, nil
}
