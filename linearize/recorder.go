package linearize

import "fmt"

// OpID names an invoked operation inside a Recorder.
type OpID int

// Recorder builds a history under Porcupine's rule that each client stream
// has at most one outstanding operation. An operation that ends ambiguously
// is closed at Infinity and its client moves to a fresh stream, as etcd's
// robustness tests do, because the request may still take effect while the
// client goes on issuing new ones.
type Recorder struct {
	// ops holds the operations in chunks of opsChunk that never move once
	// allocated: a growing slice of these large structs would copy every
	// recorded operation again at each growth (it was the largest single
	// cost of a simulated run with 20 busy clients).
	ops     [][]Operation
	n       int
	open    []bool
	streams map[int]int // client -> current stream
	busy    map[int]OpID
	next    int
	limit   int
}

// opsChunk is the number of operations per chunk of a Recorder.
const opsChunk = 1024

// op is the operation with id i.
func (r *Recorder) op(i OpID) *Operation { return &r.ops[i/opsChunk][i%opsChunk] }

// add appends op and returns its id.
func (r *Recorder) add(op Operation, open bool) OpID {
	id := OpID(r.n)
	if r.n%opsChunk == 0 {
		r.ops = append(r.ops, make([]Operation, 0, opsChunk))
	}
	last := &r.ops[len(r.ops)-1]
	*last = append(*last, op)
	r.open = append(r.open, open)
	r.n++
	return id
}

// NewRecorder returns a recorder that refuses more than limit operations,
// so a runaway workload fails loudly instead of exhausting memory.
func NewRecorder(limit int) *Recorder {
	return &Recorder{streams: map[int]int{}, busy: map[int]OpID{}, limit: limit}
}

// Invoke records a call. The returned id is passed to Return or Ambiguous.
func (r *Recorder) Invoke(client int, session int64, xid int32, req Request, call int64) (OpID, error) {
	if r.n >= r.limit {
		return 0, malformed("recorder limit of %d operations reached", r.limit)
	}
	stream, ok := r.streams[client]
	if !ok {
		stream = r.next
		r.next++
		r.streams[client] = stream
	}
	if prev, ok := r.busy[stream]; ok {
		return 0, fmt.Errorf("%w: client %d: %s", ErrOverlap, client, *r.op(prev))
	}
	id := r.add(Operation{
		Client: client, Stream: stream, Session: session, Xid: xid,
		Req: req, Call: call, Return: Infinity, Outcome: OutcomeUnknown,
	}, true)
	r.busy[stream] = id
	return id, nil
}

// Return records a reply. A reply with Err != 0 is OutcomeFailed, except
// connection loss and operation timeout, which are ambiguous.
func (r *Recorder) Return(id OpID, res Result, zxid Zxid, ret int64) error {
	op, err := r.closing(id)
	if err != nil {
		return err
	}
	if res.Err == CodeConnectionLoss || res.Err == CodeOperationTimeout {
		return r.Ambiguous(id, ret)
	}
	if ret < op.Call {
		return malformed("return %d before call: %s", ret, op)
	}
	op.Return, op.Res, op.Zxid = ret, res, zxid
	op.Outcome = OutcomeOK
	if res.Err != CodeOK || multiFailed(res) {
		op.Outcome = OutcomeFailed
	}
	r.finish(id)
	return nil
}

// Ambiguous records that the client gave up on the request at time at
// without learning its outcome.
func (r *Recorder) Ambiguous(id OpID, at int64) error {
	op, err := r.closing(id)
	if err != nil {
		return err
	}
	op.GaveUp = at
	r.finish(id)
	r.streams[op.Client] = r.next
	r.next++
	return nil
}

// ServerClient is the Client of operations the ensemble performed on its
// own, such as session expiry.
const ServerClient = -1

// SessionEnded records a session the leader expired, as a closeSession that
// took effect somewhere between proposed and committed (virtual ns) at zxid.
// Without it, the expired session's ephemerals would seem to vanish without
// cause. Each gets its own stream, since expiries may overlap.
func (r *Recorder) SessionEnded(session int64, zxid Zxid, proposed, committed int64) error {
	if r.n >= r.limit {
		return malformed("recorder limit of %d operations reached", r.limit)
	}
	if committed < proposed {
		return malformed("session 0x%x expiry committed at %d before it was proposed at %d", uint64(session), committed, proposed)
	}
	r.add(Operation{
		Client: ServerClient, Stream: r.next, Session: session, Req: Request{Kind: KindCloseSession},
		Call: proposed, Return: committed, Outcome: OutcomeOK, Zxid: zxid,
	}, false)
	r.next++
	return nil
}

func (r *Recorder) closing(id OpID) (*Operation, error) {
	if int(id) < 0 || int(id) >= r.n || !r.open[id] {
		return nil, malformed("operation %d is not outstanding", id)
	}
	return r.op(id), nil
}

func (r *Recorder) finish(id OpID) {
	r.open[id] = false
	delete(r.busy, r.op(id).Stream)
}

// History returns a copy of the recorded operations. Operations still
// outstanding are returned as ambiguous: at the end of a run nobody knows
// whether they took effect.
func (r *Recorder) History() []Operation {
	out := make([]Operation, 0, r.n)
	for _, c := range r.ops {
		out = append(out, c...)
	}
	for i, open := range r.open {
		if open {
			out[i].GaveUp = Infinity
		}
	}
	return out
}

func multiFailed(res Result) bool {
	for _, s := range res.Ops {
		if s.Err != CodeOK {
			return true
		}
	}
	return false
}

// Resolve narrows ambiguous operations using what the simulator knows:
// committed reports whether a transaction with the request's identity was
// ever committed. An ambiguous write that never committed had no effect and
// is dropped, as is every ambiguous read and sync (they have no effect
// either). Committed ambiguous writes stay ambiguous, because a committed
// transaction may still be an error transaction whose result nobody saw.
func Resolve(history []Operation, committed func(RequestID) bool) []Operation {
	out := make([]Operation, 0, len(history))
	for _, op := range history {
		if op.Outcome == OutcomeUnknown && (!op.Req.Kind.IsWrite() || !committed(op.ID())) {
			continue
		}
		out = append(out, op)
	}
	return out
}
