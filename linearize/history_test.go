package linearize

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Evidence lines end up in golden files and --json output, so their format
// is part of the contract.
func TestDescriptionsAreStableOneLiners(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{done(0, 7, Request{Kind: KindCreate, Path: "/q-", Data: "x", Ephemeral: true, Sequential: true}, 10, 20, created("/q-0000000003"), MakeZxid(2, 5)).String(),
			`client=0 session=0x100:7 [10,20] create /q- "x" -es -> ok created=/q-0000000003 zxid=0x200000005(2:5)`},
		{done(1, 2, setData("/a", "y", 3), 10, 20, code(CodeBadVersion), MakeZxid(1, 9)).String(),
			`client=1 session=0x101:2 [10,20] setData /a "y" v=3 -> failed err=-103 zxid=0x100000009(1:9)`},
		{lost(2, 5, 1, del("/a", -1), 10, 30).String(),
			`client=2 session=0x102:1 [10,inf] delete /a v=-1 -> unknown`},
		{done(0, 1, Request{Kind: KindMulti, Ops: []Request{create("/a", ""), Request{Kind: KindCheck, Path: "/b", Version: 1}}}, 0, 5,
			Result{Ops: []Result{code(CodeOK), code(CodeBadVersion)}}, z(3)).String(),
			`client=0 session=0x100:1 [0,5] multi[create /a ""; check /b v=1] -> failed results=[0 -103] zxid=0x100000003(1:3)`},
		{done(0, 1, getData("/a"), 0, 5, Result{Data: "d", Stat: Stat{Version: 2, Mzxid: uint64(z(2))}}, z(3)).String(),
			`client=0 session=0x100:1 [0,5] getData /a -> ok data="d" version=2 mzxid=0x100000002(1:2) zxid=0x100000003(1:3)`},
		{Entry{Zxid: MakeZxid(1, 2), Digest: 0xab}.String(), `0x100000002(1:2)#00000000000000ab`},
		{violation(Integrity, []string{"a", "b"}, "sid %d", 3).Line(), `integrity: sid 3 [a | b]`},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.got)
	}
}
