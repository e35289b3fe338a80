package nemesis

import (
	"sync"
	"time"

	"github.com/zabsim/zabsim/linearize"
)

// history records the clients' operations with wall-clock times in the
// form the simulator records them, for the same checkers.
type history struct {
	start time.Time

	mu  sync.Mutex
	rec *linearize.Recorder
	// ids holds what the tap learnt of answered operations: the session
	// that carried the reply and the request's xid, known only once the
	// request went out.
	ids map[linearize.OpID]linearize.RequestID
}

// historyLimit bounds the operations of a run: a few minutes of load on
// a few clients stay far below it.
const historyLimit = 2_000_000

func newHistory() *history {
	return &history{start: time.Now(), rec: linearize.NewRecorder(historyLimit), ids: map[linearize.OpID]linearize.RequestID{}}
}

// now is the time since the run began, in nanoseconds (monotonic).
func (h *history) now() int64 { return int64(time.Since(h.start)) }

// do records one operation: call runs it and returns its result; the tap
// says whether a reply came and with what header. No reply means the
// outcome is unknown (a timeout or a lost connection), as in Jepsen; so
// does a reply without error that the library could not hand over.
func (h *history) do(client int, t *tap, session int64, req linearize.Request, call func() (linearize.Result, error)) (linearize.Result, linearize.Outcome, error) {
	h.mu.Lock()
	id, err := h.rec.Invoke(client, session, 0, req, h.now())
	h.mu.Unlock()
	if err != nil {
		return linearize.Result{}, 0, err
	}
	t.begin()
	res, callErr := call()
	xid, rep, ok := t.result()
	h.mu.Lock()
	defer h.mu.Unlock()
	ret := h.now()
	if !ok || (rep.err == 0 && callErr != nil) {
		return res, linearize.OutcomeUnknown, h.rec.Ambiguous(id, ret)
	}
	res.Err = linearize.ErrCode(rep.err)
	h.ids[id] = linearize.RequestID{Session: rep.session, Xid: xid}
	if err := h.rec.Return(id, res, linearize.Zxid(rep.zxid), ret); err != nil {
		return res, 0, err
	}
	switch res.Err {
	case linearize.CodeOK:
		return res, linearize.OutcomeOK, nil
	case linearize.CodeConnectionLoss, linearize.CodeOperationTimeout:
		return res, linearize.OutcomeUnknown, nil
	}
	return res, linearize.OutcomeFailed, nil
}

// operations is the recorded history, with the identities the tap saw.
func (h *history) operations() []linearize.Operation {
	h.mu.Lock()
	defer h.mu.Unlock()
	ops := h.rec.History()
	for i := range ops {
		if id, ok := h.ids[linearize.OpID(i)]; ok {
			ops[i].Session, ops[i].Xid = id.Session, id.Xid
		}
	}
	return ops
}
