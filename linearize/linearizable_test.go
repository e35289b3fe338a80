package linearize

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCheckLinearizable(t *testing.T) {
	eph := Request{Kind: KindCreate, Path: "/e", Data: "x", Ephemeral: true}
	closeS := Request{Kind: KindCloseSession}
	multi := func(ops ...Request) Request { return Request{Kind: KindMulti, Ops: ops} }
	mres := func(rs ...Result) Result { return Result{Ops: rs} }
	tests := []struct {
		name    string
		history []Operation
		opts    LinearizableOptions
		fail    bool
	}{
		{name: "writes then a synced read of the latest value", history: []Operation{
			done(0, 1, create("/a", "x"), 0, 10, created("/a"), z(1)),
			done(0, 2, setData("/a", "y", 0), 20, 30, version(1), z(2)),
			done(1, 1, syncReq("/a"), 40, 50, Result{}, z(2)),
			done(1, 2, getData("/a"), 60, 70, data("y", 1), z(2)),
		}},
		{name: "lost acknowledged write seen by a synced read", fail: true, history: []Operation{
			done(0, 1, create("/a", "x"), 0, 10, created("/a"), z(1)),
			done(0, 2, setData("/a", "y", 0), 20, 30, version(1), z(2)),
			done(1, 1, syncReq("/a"), 40, 50, Result{}, z(1)),
			done(1, 2, getData("/a"), 60, 70, data("x", 0), z(1)),
		}},
		{name: "the same synced read passes when synced reads are skipped", opts: LinearizableOptions{SkipSyncedReads: true}, history: []Operation{
			done(0, 1, create("/a", "x"), 0, 10, created("/a"), z(1)),
			done(0, 2, setData("/a", "y", 0), 20, 30, version(1), z(2)),
			done(1, 1, syncReq("/a"), 40, 50, Result{}, z(1)),
			done(1, 2, getData("/a"), 60, 70, data("x", 0), z(1)),
		}},
		{name: "a stale plain read is not judged here (reads may be stale)", history: []Operation{
			done(0, 1, create("/a", "x"), 0, 10, created("/a"), z(1)),
			done(1, 1, getData("/a"), 60, 70, code(CodeNoNode), z(0)),
		}},
		{name: "two successful creates of one path", fail: true, history: []Operation{
			done(0, 1, create("/a", "x"), 0, 10, created("/a"), z(1)),
			done(1, 1, create("/a", "y"), 20, 30, created("/a"), z(2)),
		}},
		{name: "bad version although the version matched", fail: true, history: []Operation{
			done(0, 1, create("/a", "x"), 0, 10, created("/a"), z(1)),
			done(0, 2, setData("/a", "y", 0), 20, 30, code(CodeBadVersion), z(2)),
		}},
		{name: "concurrent creates: one wins", history: []Operation{
			done(0, 1, create("/a", "x"), 0, 30, code(CodeNodeExists), z(2)),
			done(1, 1, create("/a", "y"), 10, 20, created("/a"), z(1)),
			done(2, 1, syncReq("/"), 40, 50, Result{}, z(2)),
			done(2, 2, getData("/a"), 60, 70, data("y", 0), z(2)),
		}},
		{name: "ambiguous write observed later", history: []Operation{
			done(0, 1, create("/a", "x"), 0, 10, created("/a"), z(1)),
			lost(0, 0, 2, setData("/a", "y", 0), 20, 30),
			done(0, 3, syncReq("/a"), 40, 50, Result{}, z(2)),
			done(0, 4, getData("/a"), 60, 70, data("y", 1), z(2)),
		}},
		{name: "ambiguous write never observed", history: []Operation{
			done(0, 1, create("/a", "x"), 0, 10, created("/a"), z(1)),
			lost(0, 0, 2, setData("/a", "y", 0), 20, 30),
			done(0, 3, syncReq("/a"), 40, 50, Result{}, z(1)),
			done(0, 4, getData("/a"), 60, 70, data("x", 0), z(1)),
		}},
		{name: "ambiguous write cannot explain a value never written", fail: true, history: []Operation{
			done(0, 1, create("/a", "x"), 0, 10, created("/a"), z(1)),
			lost(0, 0, 2, setData("/a", "y", 0), 20, 30),
			done(0, 3, syncReq("/a"), 40, 50, Result{}, z(2)),
			done(0, 4, getData("/a"), 60, 70, data("z", 1), z(2)),
		}},
		{name: "multi applies on both paths", history: []Operation{
			done(0, 1, multi(create("/a", "x"), create("/b", "y")), 0, 10, mres(created("/a"), created("/b")), z(1)),
			done(1, 1, syncReq("/"), 20, 30, Result{}, z(1)),
			done(1, 2, exists("/b"), 40, 50, Result{Exists: true}, z(1)),
		}},
		{name: "multi succeeded over an existing node", fail: true, history: []Operation{
			done(0, 1, create("/b", "x"), 0, 10, created("/b"), z(1)),
			done(0, 2, multi(create("/a", "x"), create("/b", "y")), 20, 30, mres(created("/a"), created("/b")), z(2)),
		}},
		{name: "failed multi leaves every path alone", history: []Operation{
			done(0, 1, create("/b", "x"), 0, 10, created("/b"), z(1)),
			done(0, 2, multi(create("/a", "x"), create("/b", "y")), 20, 30, mres(code(CodeOK), code(CodeNodeExists)), z(2)),
			done(1, 1, syncReq("/"), 40, 50, Result{}, z(2)),
			done(1, 2, exists("/a"), 60, 70, Result{}, z(2)),
		}},
		{name: "multi refused as a whole (session moved) has no sub-results and changes nothing", history: []Operation{
			done(0, 1, create("/b", "x"), 0, 10, created("/b"), z(1)),
			done(0, 2, multi(create("/a", "x"), setData("/b", "y", 0)), 20, 30, code(-118), z(1)),
			done(1, 1, syncReq("/"), 40, 50, Result{}, z(1)),
			done(1, 2, exists("/a"), 60, 70, Result{}, z(1)),
		}},
		{name: "failed multi's earlier sub-results carry no Stat", history: []Operation{
			done(0, 1, create("/b", "x"), 0, 10, created("/b"), z(1)),
			done(0, 2, multi(setData("/b", "y", 0), create("/b", "y")), 20, 30, mres(code(CodeOK), code(CodeNodeExists)), z(2)),
		}},
		{name: "failed multi's speculative state is judged", fail: true, history: []Operation{
			done(0, 1, create("/b", "x"), 0, 10, created("/b"), z(1)),
			done(0, 2, multi(setData("/b", "y", 0), setData("/b", "z", 0)), 20, 30, mres(code(CodeOK), code(CodeNoNode)), z(2)),
		}},
		{name: "failed multi applied on one path", fail: true, history: []Operation{
			done(0, 1, create("/b", "x"), 0, 10, created("/b"), z(1)),
			done(0, 2, multi(create("/a", "x"), create("/b", "y")), 20, 30, mres(code(CodeOK), code(CodeNodeExists)), z(2)),
			done(1, 1, syncReq("/"), 40, 50, Result{}, z(2)),
			done(1, 2, exists("/a"), 60, 70, Result{Exists: true}, z(2)),
		}},
		{name: "ephemeral gone after its session closed", history: []Operation{
			done(0, 1, eph, 0, 10, created("/e"), z(1)),
			done(0, 2, closeS, 20, 30, Result{}, z(2)),
			done(1, 1, syncReq("/"), 40, 50, Result{}, z(2)),
			done(1, 2, exists("/e"), 60, 70, Result{}, z(2)),
		}},
		{name: "ephemeral outlives its session", fail: true, history: []Operation{
			done(0, 1, eph, 0, 10, created("/e"), z(1)),
			done(0, 2, closeS, 20, 30, Result{}, z(2)),
			done(1, 1, syncReq("/"), 40, 50, Result{}, z(2)),
			done(1, 2, exists("/e"), 60, 70, Result{Exists: true}, z(2)),
		}},
		{name: "sequential create keyed by its returned name", history: []Operation{
			done(0, 1, Request{Kind: KindCreate, Path: "/q-", Data: "x", Sequential: true}, 0, 10, created("/q-0000000000"), z(1)),
			done(1, 1, syncReq("/"), 20, 30, Result{}, z(1)),
			done(1, 2, getData("/q-0000000000"), 40, 50, data("x", 0), z(1)),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := CheckLinearizable(tt.history, tt.opts)
			require.NoError(t, err)
			if tt.fail {
				require.NotEmpty(t, res.Violations)
				require.Equal(t, Linearizable, res.Violations[0].Check)
			} else {
				require.Empty(t, res.Violations)
			}
		})
	}
}

func TestCheckLinearizableEvidenceNamesPathAndOperation(t *testing.T) {
	res, err := CheckLinearizable([]Operation{
		done(0, 1, create("/a", "x"), 0, 10, created("/a"), z(1)),
		done(0, 2, create("/b", "x"), 0, 10, created("/b"), z(2)),
		done(1, 1, create("/a", "y"), 20, 30, created("/a"), z(3)),
	}, LinearizableOptions{})
	require.NoError(t, err)
	require.Len(t, res.Violations, 1)
	v := res.Violations[0]
	require.Contains(t, v.Summary, "/a")
	require.Contains(t, v.Evidence[0], "after 1 of 2 operations")
	require.Contains(t, v.Evidence[1], `create /a "y"`)
}

func TestCheckLinearizableRejectsMalformedHistories(t *testing.T) {
	for name, op := range map[string]Operation{
		"return before call":    done(0, 1, create("/a", "x"), 10, 5, created("/a"), z(1)),
		"unknown with a return": {Req: create("/a", "x"), Call: 1, Return: 2, Outcome: OutcomeUnknown},
		"multi without results": done(0, 1, Request{Kind: KindMulti, Ops: []Request{create("/a", "x")}}, 0, 1, Result{}, z(1)),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := CheckLinearizable([]Operation{op}, LinearizableOptions{})
			require.ErrorIs(t, err, ErrMalformed)
		})
	}
}

func TestVisualizePathWritesAnnotatedHTML(t *testing.T) {
	res, err := CheckLinearizable([]Operation{
		done(0, 1, create("/a", "x"), 0, 10, created("/a"), z(1)),
		done(1, 1, create("/a", "y"), 20, 30, created("/a"), z(2)),
	}, LinearizableOptions{})
	require.NoError(t, err)
	out := filepath.Join(t.TempDir(), "viz.html")
	require.NoError(t, res.VisualizePath(out, []Annotation{{Tag: "leader", Start: 15, Description: "sid 2 leads epoch 2"}}))
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Contains(t, string(b), "sid 2 leads epoch 2")
	require.Contains(t, string(b), `create /a \"y\"`)
}

// A search cut short is a failure with its own message, never "ok".
func TestCheckLinearizableTimeoutIsAFailure(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 0))
	ops, _ := build(workload(r.IntN, 10, 5, 3000, true, 5))
	res, err := CheckLinearizable(ops, LinearizableOptions{Timeout: time.Nanosecond})
	require.NoError(t, err)
	require.Len(t, res.Violations, 1)
	require.Contains(t, res.Violations[0].Summary, "result unknown, counted as a failure")
}
