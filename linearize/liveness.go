package linearize

import "fmt"

// LeaderTerm is a span during which a server led in BROADCAST.
type LeaderTerm struct {
	Sid   int
	Epoch uint32
	From  int64
	// To is when it stopped leading; Infinity if it still led at the end.
	To int64
}

// Liveness is the input of the liveness phase: every fault healed at Heal,
// the run went on until End, and within Bound of the heal a leader must be
// in place and every request pending at the heal (or issued after it) must
// be answered.
type Liveness struct {
	Heal, End, Bound int64
	Terms            []LeaderTerm
}

// CheckLiveness judges the liveness phase. An operation that ends
// ambiguously after the heal counts as unanswered: with no faults left, a
// timeout or a connection loss means the ensemble did not serve it.
func CheckLiveness(l Liveness, history []Operation) ([]Violation, error) {
	deadline := l.Heal + l.Bound
	if l.Bound <= 0 || l.End < deadline {
		return nil, malformed("liveness: run ends at %d, before heal %d + bound %d", l.End, l.Heal, l.Bound)
	}
	var out []Violation
	led := false
	for _, t := range l.Terms {
		led = led || (t.From <= deadline && t.To >= deadline)
	}
	if !led {
		out = append(out, violation(LivenessLeader, []string{fmt.Sprintf("heal at %d, bound %d, %d leader terms", l.Heal, l.Bound, len(l.Terms))},
			"no leader in broadcast %d ns after the last fault healed", l.Bound))
	}
	for i := range history {
		op := &history[i]
		start := max(op.Call, l.Heal)
		if start+l.Bound > l.End {
			continue
		}
		settledBefore := op.Outcome != OutcomeUnknown && op.Return < l.Heal
		if settledBefore || (op.Outcome == OutcomeUnknown && op.GaveUp < l.Heal) {
			continue
		}
		if op.Outcome == OutcomeUnknown || op.Return > start+l.Bound {
			out = append(out, violation(LivenessPending, []string{op.String()},
				"request not answered within %d ns of %d", l.Bound, start))
		}
	}
	return out, nil
}
