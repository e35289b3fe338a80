package linearize

import "fmt"

// checkExpiries: a leader expires a session only after a whole session
// timeout in which it heard nothing from it (no request, no touch relayed
// by a learner's ping), as ZooKeeper's session tracker promises. Times are
// the leader's own, so clock skew between servers does not matter; a
// client cut off from the leader is silence and may rightly expire.
func checkExpiries(rec *ZabRecord) []Violation {
	var out []Violation
	for _, e := range rec.Expiries {
		if e.At-e.Heard < int64(e.TimeoutMs) {
			out = append(out, violation(ExpiryAfterSilence,
				[]string{fmt.Sprintf("sid %d expired session 0x%x at %d ms, last heard at %d ms, timeout %d ms", e.Sid, uint64(e.Session), e.At, e.Heard, e.TimeoutMs)},
				"session 0x%x expired %d ms after it was last heard from, within its %d ms timeout", uint64(e.Session), e.At-e.Heard, e.TimeoutMs))
		}
	}
	return out
}
