package experiments

import (
	"time"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/reports"
)

// outcomeOf is how the client's call ended, as the figures tell them
// apart. A reply with an application error (no such node, bad version,
// node exists, a multi whose check failed: ZooKeeper's API codes, -100
// and below) is the service answering correctly, so it counts as ok; a
// system error or an expired or moved session is an error; a call the
// client gave up on (connection loss, timeout) is a timeout.
func outcomeOf(op linearize.Operation) reports.Outcome {
	switch op.Outcome {
	case linearize.OutcomeOK:
		return reports.OutcomeOK
	case linearize.OutcomeUnknown:
		return reports.OutcomeTimeout
	}
	switch code := op.Res.Err; {
	case code == linearize.CodeSessionExpired || code == codeSessionMoved:
		return reports.OutcomeError
	case code == linearize.CodeOK || code <= codeAPIError:
		return reports.OutcomeOK
	}
	return reports.OutcomeError
}

// ZooKeeper codes linearize does not name: APIError bounds the
// application errors from above, SessionMoved is a session's failure.
const (
	codeAPIError     linearize.ErrCode = -100
	codeSessionMoved linearize.ErrCode = -118
)

// isClient reports whether op was issued by a simulated client rather
// than recorded for the server (a session expiry).
func isClient(op linearize.Operation) bool { return op.Client != linearize.ServerClient }

// isWrite reports whether a client's op goes through Zab.
func isWrite(op linearize.Operation) bool {
	return isClient(op) && op.Req.Kind.IsWrite() && op.Req.Kind != linearize.KindCloseSession
}

// ended is when the client learnt the op's fate or gave up on it.
func ended(op linearize.Operation) time.Duration {
	if op.Outcome == linearize.OutcomeUnknown {
		return time.Duration(op.GaveUp)
	}
	return time.Duration(op.Return)
}

// window is a stretch of simulated time, [from, to), in which an
// experiment measures.
type window struct{ from, to time.Duration }

func (w window) length() time.Duration { return w.to - w.from }

// called reports whether op was called inside the window.
func (w window) called(op linearize.Operation) bool {
	at := time.Duration(op.Call)
	return at >= w.from && at < w.to
}

// answered reports whether op was answered ok before the window closed: a
// write held back until the faults were healed does not count as
// available.
func (w window) answered(op linearize.Operation) bool {
	return outcomeOf(op) == reports.OutcomeOK && ended(op) <= w.to
}

// writes counts the client writes called inside the window and those of
// them answered ok inside it.
func (w window) writes(history []linearize.Operation) (attempted, succeeded int) {
	for _, op := range history {
		if !isWrite(op) || !w.called(op) {
			continue
		}
		attempted++
		if w.answered(op) {
			succeeded++
		}
	}
	return attempted, succeeded
}
