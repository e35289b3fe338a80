package linearize

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRecorderKeepsOneOutstandingOperationPerStream(t *testing.T) {
	r := NewRecorder(10)
	a, err := r.Invoke(0, 0x100, 1, create("/a", "x"), 0)
	require.NoError(t, err)
	_, err = r.Invoke(0, 0x100, 2, create("/b", "x"), 5)
	require.ErrorIs(t, err, ErrOverlap)
	require.NoError(t, r.Return(a, created("/a"), z(1), 10))
	require.ErrorIs(t, r.Return(a, created("/a"), z(1), 10), ErrMalformed)

	b, err := r.Invoke(0, 0x100, 2, setData("/a", "y", 0), 20)
	require.NoError(t, err)
	require.NoError(t, r.Ambiguous(b, 40))
	c, err := r.Invoke(0, 0x100, 3, getData("/a"), 50)
	require.NoError(t, err)
	d, err := r.Invoke(1, 0x101, 1, getData("/a"), 50)
	require.NoError(t, err)
	require.NoError(t, r.Return(c, code(CodeConnectionLoss), 0, 60))

	h := r.History()
	require.Len(t, h, 4)
	require.Equal(t, OutcomeOK, h[a].Outcome)
	require.Equal(t, OutcomeUnknown, h[b].Outcome)
	require.Equal(t, Infinity, h[b].Return)
	require.Equal(t, int64(40), h[b].GaveUp)
	require.NotEqual(t, h[a].Stream, h[c].Stream, "after an ambiguous operation the client moves to a new stream")
	require.NotEqual(t, h[c].Stream, h[d].Stream)
	require.Equal(t, OutcomeUnknown, h[c].Outcome, "connection loss is ambiguous")
	require.Equal(t, Infinity, h[d].GaveUp, "still outstanding at the end")
}

func TestRecorderRefusesBeyondItsLimit(t *testing.T) {
	r := NewRecorder(1)
	_, err := r.Invoke(0, 0x100, 1, create("/a", "x"), 0)
	require.NoError(t, err)
	_, err = r.Invoke(1, 0x101, 1, create("/b", "x"), 0)
	require.ErrorIs(t, err, ErrMalformed)
}

func TestRecorderMarksFailedMultis(t *testing.T) {
	r := NewRecorder(1)
	id, err := r.Invoke(0, 0x100, 1, Request{Kind: KindMulti, Ops: []Request{create("/a", "x")}}, 0)
	require.NoError(t, err)
	require.NoError(t, r.Return(id, Result{Ops: []Result{code(CodeNodeExists)}}, z(1), 5))
	require.Equal(t, OutcomeFailed, r.History()[0].Outcome)
}

func TestResolveDropsWhatNeverTookEffect(t *testing.T) {
	h := []Operation{
		lost(0, 0, 1, create("/a", "x"), 0, 10),
		lost(1, 1, 1, create("/b", "x"), 0, 10),
		lost(2, 2, 1, getData("/a"), 0, 10),
		done(3, 1, getData("/a"), 0, 10, code(CodeNoNode), 0),
	}
	committed := func(id RequestID) bool { return id == h[1].ID() }
	out := Resolve(h, committed)
	require.Equal(t, []Operation{h[1], h[3]}, out)
}

func TestRecorderSessionEndedExplainsAVanishedEphemeral(t *testing.T) {
	r := NewRecorder(10)
	a, err := r.Invoke(0, 0x100, 1, Request{Kind: KindCreate, Path: "/e", Data: "x", Ephemeral: true}, 0)
	require.NoError(t, err)
	require.NoError(t, r.Return(a, created("/e"), z(1), 10))
	s, err := r.Invoke(1, 0x101, 1, syncReq("/"), 100)
	require.NoError(t, err)
	require.NoError(t, r.Return(s, Result{}, z(2), 110))
	e, err := r.Invoke(1, 0x101, 2, exists("/e"), 120)
	require.NoError(t, err)
	require.NoError(t, r.Return(e, Result{}, z(2), 130))

	res, err := CheckLinearizable(r.History(), LinearizableOptions{})
	require.NoError(t, err)
	require.Len(t, res.Violations, 1, "without the expiry the ephemeral vanishes unbidden")

	require.ErrorIs(t, r.SessionEnded(0x100, z(2), 60, 50), ErrMalformed)
	require.NoError(t, r.SessionEnded(0x100, z(2), 50, 60))
	res, err = CheckLinearizable(r.History(), LinearizableOptions{})
	require.NoError(t, err)
	require.Empty(t, res.Violations)
}

// An expiry is judged as the session's end, not as one of its requests.
func TestSessionEndedIsNotPartOfTheSessionsStream(t *testing.T) {
	r := NewRecorder(10)
	a, err := r.Invoke(0, 0x100, 1, create("/a", "x"), 10)
	require.NoError(t, err)
	require.NoError(t, r.SessionEnded(0x100, z(1), 50, 60))
	require.NoError(t, r.Return(a, code(CodeSessionExpired), z(1), 100))
	truth, err := NewGroundTruth([]Txn{{Zxid: z(1), Kind: TxnCloseSession, Session: 0x100}})
	require.NoError(t, err)
	v, _, err := CheckRun(Run{History: r.History(), Truth: truth})
	require.NoError(t, err)
	require.True(t, v.OK(), "%s", v)

	wrong, err := NewGroundTruth([]Txn{{Zxid: z(1), Kind: TxnCloseSession, Session: 0x101}})
	require.NoError(t, err)
	require.Equal(t, []Check{AckedWriteDurable}, checks(CheckAckedWrites(r.History(), wrong)))
}
