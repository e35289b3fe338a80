package nemesis

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/cmd/internal/live"
	"github.com/zabsim/zabsim/linearize"
)

// recordSome runs a few recorded operations against an in-process
// 3-server ensemble and returns the history and the final state read back
// from every server.
func recordSome(t *testing.T) ([]linearize.Operation, finalState) {
	t.Helper()
	e, err := live.StartEnsemble(live.EnsembleConfig{Servers: 3, Dir: t.TempDir(), TickTime: 200 * time.Millisecond, ClientPort: 0, Logf: func(string, ...any) {}})
	require.NoError(t, err)
	t.Cleanup(e.Close)
	require.NoError(t, e.WaitServing(20*time.Second))
	cfg := Config{Clients: 1, Keys: 2, SessionTimeout: 4 * time.Second}
	h := newHistory()
	require.NoError(t, setupKeys(t.Context(), cfg, e.ClientAddrs(), h))
	c, err := connectClient(0, e.ClientAddrs(), h, cfg.SessionTimeout)
	require.NoError(t, err)
	defer c.conn.Close()
	for i, data := range []string{"a", "b", "c"} {
		out, err := c.set(keyPath(i%2), data, -1)
		require.NoError(t, err)
		require.Equal(t, linearize.OutcomeOK, out)
	}
	out, err := c.set(keyPath(0), "stale", 0)
	require.NoError(t, err)
	require.Equal(t, linearize.OutcomeFailed, out, "a conditional write with an old version")
	out, err = c.sync(keyPath(0))
	require.NoError(t, err)
	require.Equal(t, linearize.OutcomeOK, out)
	_, out, err = c.get(keyPath(0))
	require.NoError(t, err)
	require.Equal(t, linearize.OutcomeOK, out)
	final, err := readFinal(t.Context(), cfg, e.ClientAddrs(), func(uint64) bool { return true }, h)
	require.NoError(t, err)
	return h.operations(), final
}

// TestRecordedHistory: the tap gives every answered operation the session,
// xid and reply zxid the checkers key on, and the real history passes.
func TestRecordedHistory(t *testing.T) {
	ops, final := recordSome(t)
	require.Len(t, final, 3)
	var lastXid = map[int64]int32{}
	for _, op := range ops {
		require.NotEqual(t, linearize.OutcomeUnknown, op.Outcome, op.String())
		require.NotZero(t, op.Session, op.String())
		require.Greater(t, op.Xid, lastXid[op.Session], "xids rise within a session: %s", op)
		lastXid[op.Session] = op.Xid
		require.NotZero(t, op.Zxid, op.String())
		if op.Req.Kind == linearize.KindSetData && op.Outcome == linearize.OutcomeOK {
			require.Equal(t, uint64(op.Zxid), op.Res.Stat.Mzxid, "a write's reply zxid is its node's mzxid: %s", op)
		}
		if op.Outcome == linearize.OutcomeFailed {
			require.Equal(t, linearize.CodeBadVersion, op.Res.Err, op.String())
		}
	}
	require.Equal(t, "c", final[2][keyPath(0)].Data)
	require.Equal(t, "b", final[3][keyPath(1)].Data)
	v, _, err := linearize.CheckRun(linearize.Run{History: ops})
	require.NoError(t, err)
	v.Add(checkDurable(ops, final)...)
	require.True(t, v.OK(), v.String())
}

// TestCheckersCatchDoctoredHistories: the live path's checks are not
// vacuous. Each case edits a real recorded history or final state the way
// a broken server would have behaved, and the named check must fail.
func TestCheckersCatchDoctoredHistories(t *testing.T) {
	ops, final := recordSome(t)
	lastWrite := func(ops []linearize.Operation) int {
		for i := len(ops) - 1; i >= 0; i-- {
			if ops[i].Req.Kind == linearize.KindSetData && ops[i].Outcome == linearize.OutcomeOK {
				return i
			}
		}
		t.Fatal("no acknowledged write")
		return 0
	}
	cases := []struct {
		name   string
		doctor func(ops []linearize.Operation, final finalState)
		want   linearize.Check
	}{
		{"the last acknowledged write is gone from every server", func(ops []linearize.Operation, final finalState) {
			w := ops[lastWrite(ops)]
			for _, s := range final {
				r := s[w.Req.Path]
				r.Data, r.Stat.Mzxid, r.Stat.Version = "init", r.Stat.Czxid, 0
				s[w.Req.Path] = r
			}
		}, linearize.AckedWriteDurable},
		{"two acknowledged writes of a key made the same version", func(ops []linearize.Operation, _ finalState) {
			var seen *linearize.Operation
			for i := range ops {
				op := &ops[i]
				if op.Req.Kind != linearize.KindSetData || op.Outcome != linearize.OutcomeOK || op.Req.Path != keyPath(0) {
					continue
				}
				if seen != nil {
					op.Res.Stat.Version = seen.Res.Stat.Version
				}
				seen = op
			}
		}, linearize.AckedWriteDurable},
		{"one server holds another value after healing", func(_ []linearize.Operation, final finalState) {
			r := final[2][keyPath(1)]
			r.Data = "diverged"
			final[2][keyPath(1)] = r
		}, linearize.TreeDigest},
		{"a synced read returns a value never written", func(ops []linearize.Operation, _ finalState) {
			for i := range ops {
				if ops[i].Req.Kind == linearize.KindGetData {
					ops[i].Res.Data = "never-written"
				}
			}
		}, linearize.Linearizable},
		{"a write reports a zxid below an earlier write's", func(ops []linearize.Operation, _ finalState) {
			ops[lastWrite(ops)].Zxid = 1
		}, linearize.SessionWriteOrder},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := append([]linearize.Operation(nil), ops...)
			f := finalState{}
			for sid, s := range final {
				f[sid] = map[string]linearize.Result{}
				for k, r := range s {
					f[sid][k] = r
				}
			}
			tc.doctor(h, f)
			v, _, err := linearize.CheckRun(linearize.Run{History: h})
			require.NoError(t, err)
			v.Add(checkDurable(h, f)...)
			require.Contains(t, v.Failed(), tc.want, v.String())
		})
	}
}
