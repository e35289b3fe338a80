package linearize

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Liveness is the input of the liveness check: the last fault ended at
// Heal, the run went on until End, and Served is when a leader was first
// seen serving with every live voter behind it at or after the heal
// (Infinity if never). Waiting lists the clients whose workload was not
// over at End. Within Bound of the heal a leader must serve, and from the
// heal until its workload is over a client must hear an answer at least
// every Bound.
type Liveness struct {
	Heal, Served, End, Bound int64
	Waiting                  []int
}

// CheckLiveness judges the run from the heal on. Only a reply is an
// answer: a request the client gave up on (a timeout, a connection loss)
// is not, and neither is a reconnection, so a client that retries for
// ever, or cannot connect at all, is not served; and so a request pending
// at the heal or issued after it is answered within Bound of the later of
// its call and the heal. One violation is reported per client, its first.
func CheckLiveness(l Liveness, history []Operation) ([]Violation, error) {
	if l.Bound <= 0 || l.End < l.Heal || l.Served < l.Heal {
		return nil, malformed("liveness: heal %d, served %d, end %d, bound %d", l.Heal, l.Served, l.End, l.Bound)
	}
	var out []Violation
	if deadline := l.Heal + l.Bound; l.Served > deadline && l.End >= deadline {
		served := "never"
		if l.Served != Infinity {
			served = "at " + time.Duration(l.Served).String()
		}
		out = append(out, violation(LivenessLeader, []string{fmt.Sprintf("first served %s", served)},
			"no stable leader within %v of the last fault's end at %v", time.Duration(l.Bound), time.Duration(l.Heal)))
	}
	ops := byClient(history)
	clients := slices.Sorted(maps.Keys(ops))
	for _, c := range l.Waiting {
		if _, ok := ops[c]; !ok {
			clients = append(clients, c)
		}
	}
	for _, c := range clients {
		if v, ok := unserved(l, c, ops[c]); ok {
			out = append(out, v)
		}
	}
	return out, nil
}

// byClient is the clients' operations (not the server's), each client's
// in call order.
func byClient(history []Operation) map[int][]*Operation {
	out := map[int][]*Operation{}
	for i := range history {
		if op := &history[i]; op.Client != ServerClient {
			out[op.Client] = append(out[op.Client], op)
		}
	}
	for _, ops := range out {
		slices.SortStableFunc(ops, func(a, b *Operation) int { return cmp.Compare(a.Call, b.Call) })
	}
	return out
}

// unserved finds the first stretch after the heal, before client's
// workload was over, in which it heard no answer for longer than Bound.
func unserved(l Liveness, client int, ops []*Operation) (Violation, bool) {
	until := l.End
	if !slices.Contains(l.Waiting, client) {
		last := ops[len(ops)-1]
		until = last.Return
		if last.Outcome == OutcomeUnknown {
			until = min(last.GaveUp, l.End)
		}
	}
	from := l.Heal
	for i := 0; i <= len(ops); i++ {
		to := until
		if i < len(ops) {
			op := ops[i]
			if op.Outcome == OutcomeUnknown || op.Return < l.Heal || op.Return > until {
				continue
			}
			to = op.Return
		}
		if to-from > l.Bound {
			return violation(LivenessPending, waitedOn(client, ops, from, to), "client %d not answered within %v of %v", client, time.Duration(l.Bound), time.Duration(from)), true
		}
		from = to
	}
	return Violation{}, false
}

// waitedOn is the evidence of a client unanswered from from to to: the
// stretch and the first request pending in it or issued during it.
func waitedOn(client int, ops []*Operation, from, to int64) []string {
	out := []string{fmt.Sprintf("client %d heard no answer from %v to %v", client, time.Duration(from), time.Duration(to))}
	for _, op := range ops {
		settled := op.Return
		if op.Outcome == OutcomeUnknown {
			settled = op.GaveUp
		}
		if op.Call <= to && settled > from {
			return append(out, op.String())
		}
	}
	return out
}
