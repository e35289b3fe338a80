package linearize

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckSessions(t *testing.T) {
	withMzxid := func(d string, v int32, m Zxid) Result {
		return Result{Data: d, Stat: Stat{Version: v, Mzxid: uint64(m)}}
	}
	tests := []struct {
		name    string
		history []Operation
		want    []Check
	}{
		{name: "fifo session", history: []Operation{
			done(0, 1, create("/a", "x"), 0, 10, created("/a"), z(1)),
			done(0, 2, setData("/a", "y", 0), 20, 30, version(1), z(2)),
			done(0, 3, getData("/a"), 40, 50, withMzxid("y", 1, z(2)), z(3)),
		}},
		{name: "reordered reply", want: []Check{SessionReplyOrder}, history: []Operation{
			done(0, 1, getData("/a"), 0, 40, code(CodeNoNode), z(1)),
			done(0, 2, getData("/b"), 10, 30, code(CodeNoNode), z(1)),
		}},
		{name: "zxid goes backwards", want: []Check{SessionZxidMonotone}, history: []Operation{
			done(0, 1, getData("/a"), 0, 10, code(CodeNoNode), z(5)),
			done(0, 2, getData("/b"), 20, 30, code(CodeNoNode), z(4)),
		}},
		{name: "stale read after the session's own write", want: []Check{ReadYourWrites, SessionZxidMonotone}, history: []Operation{
			done(0, 1, create("/a", "x"), 0, 10, created("/a"), z(1)),
			done(0, 2, setData("/a", "y", 0), 20, 30, version(1), z(2)),
			done(0, 3, getData("/a"), 40, 50, withMzxid("x", 0, z(1)), z(1)),
		}},
		{name: "stale own read shown by mzxid alone", want: []Check{ReadYourWrites}, history: []Operation{
			done(0, 1, create("/a", "x"), 0, 10, created("/a"), z(1)),
			done(0, 2, setData("/a", "y", 0), 20, 30, version(1), z(2)),
			done(0, 3, getData("/a"), 40, 50, withMzxid("x", 0, z(1)), z(2)),
		}},
		{name: "own delete not seen", want: []Check{ReadYourWrites}, history: []Operation{
			done(0, 1, del("/a", -1), 20, 30, Result{}, z(2)),
			done(0, 2, getData("/a"), 40, 50, Result{Data: "x", Stat: Stat{Czxid: uint64(z(1)), Mzxid: uint64(z(1))}}, z(2)),
		}},
		{name: "another session's write is not the session's own", history: []Operation{
			done(1, 1, setData("/a", "y", 0), 20, 30, version(1), z(2)),
			done(0, 1, getData("/a"), 40, 50, withMzxid("x", 0, z(1)), z(1)),
		}},
		{name: "writes commit out of issue order", want: []Check{SessionWriteOrder, SessionZxidMonotone}, history: []Operation{
			done(0, 1, create("/a", "x"), 0, 10, created("/a"), z(3)),
			done(0, 2, create("/b", "x"), 20, 30, created("/b"), z(2)),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, checks(CheckSessions(tt.history)))
		})
	}
}

func TestCheckZxidOrder(t *testing.T) {
	tests := []struct {
		name    string
		history []Operation
		opts    LinearizableOptions
		want    []Check
	}{
		{name: "real-time order matches zxid order across paths", history: []Operation{
			done(0, 1, create("/a", "x"), 0, 10, created("/a"), z(1)),
			done(1, 1, create("/b", "x"), 20, 30, created("/b"), z(2)),
		}},
		{name: "concurrent writes may commit in either order", history: []Operation{
			done(0, 1, create("/a", "x"), 0, 30, created("/a"), z(2)),
			done(1, 1, create("/b", "x"), 10, 20, created("/b"), z(1)),
		}},
		{name: "a later write on another path got an older zxid", want: []Check{ZxidRealTime}, history: []Operation{
			done(0, 1, create("/a", "x"), 0, 10, created("/a"), z(2)),
			done(1, 1, create("/b", "x"), 20, 30, created("/b"), z(1)),
		}},
		{name: "two acknowledged writes share a zxid", want: []Check{ZxidUnique}, history: []Operation{
			done(0, 1, create("/a", "x"), 0, 10, created("/a"), z(1)),
			done(1, 1, create("/b", "x"), 0, 10, created("/b"), z(1)),
		}},
		{name: "sync answered before a completed write", want: []Check{ZxidRealTime}, history: []Operation{
			done(0, 1, create("/a", "x"), 0, 10, created("/a"), z(2)),
			done(1, 1, syncReq("/"), 20, 30, Result{}, z(1)),
		}},
		{name: "deposed-leader sync tolerated when asked", opts: LinearizableOptions{SkipSyncedReads: true}, history: []Operation{
			done(0, 1, create("/a", "x"), 0, 10, created("/a"), z(2)),
			done(1, 1, syncReq("/"), 20, 30, Result{}, z(1)),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, checks(CheckZxidOrder(tt.history, tt.opts)))
		})
	}
}
