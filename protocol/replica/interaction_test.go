package replica

import (
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/stretchr/testify/require"
	"github.com/zabsim/zabsim/tree"
)

// TestInteraction runs testdata/*.txt: every client frame and server role
// change on one line. Regenerate with -rewrite and read the diff.
//
// Commands:
//
//	ensemble voters=3              start every server, wait until all serve
//	connect c=NAME server=ID [resume] [zxid=Z]
//	op c=NAME create PATH [DATA] [flags=N] | get PATH [watch] | exists PATH [watch]
//	   | children PATH [watch] | set PATH DATA [version=N] | delete PATH | sync PATH
//	   | ping | close
//	disconnect c=NAME              the client closes its connection
//	tick [n=1]                     tick every live server, deliver everything
//	crash id=N | start id=N | until-serving
//	status
func TestInteraction(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		var h *harness
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			if d.Cmd != "ensemble" {
				require.NotNil(t, h, "%s: no ensemble yet", d.Pos)
				h.out.Reset()
			}
			switch d.Cmd {
			case "ensemble":
				h = newHarness(t, argInt(t, d, "voters", 3))
				for _, id := range h.ids {
					h.start(id)
				}
				h.stabilize()
				h.untilServing(1000)
				h.out.Reset()
				h.status()
			case "connect":
				var zxid int64
				if d.HasArg("zxid") {
					n, err := strconv.ParseInt(argStr(t, d, "zxid"), 0, 64)
					require.NoError(t, err)
					zxid = n
				}
				var addr string
				if d.HasArg("addr") {
					addr = argStr(t, d, "addr")
				}
				h.connect(argStr(t, d, "c"), uint64(argInt(t, d, "server", 1)), d.HasArg("resume"), zxid, addr)
			case "op":
				h.submit(argStr(t, d, "c"), parseOp(t, d))
			case "disconnect":
				c := h.clients[argStr(t, d, "c")]
				require.NotNil(t, c)
				require.NoError(t, h.nodes[c.server].srv.Disconnect(c.conn))
				h.lost(c)
			case "tick":
				h.tick(argInt(t, d, "n", 1))
			case "crash":
				h.crash(uint64(argInt(t, d, "id", 0)))
				h.stabilize()
			case "start":
				h.start(uint64(argInt(t, d, "id", 0)))
				h.stabilize()
			case "until-serving":
				h.untilServing(1000)
			case "status":
				h.status()
			default:
				t.Fatalf("%s: unknown command %s", d.Pos, d.Cmd)
			}
			h.check()
			return h.out.String()
		})
	})
}

func argStr(t *testing.T, d *datadriven.TestData, key string) string {
	for _, a := range d.CmdArgs {
		if a.Key == key && len(a.Vals) > 0 {
			return a.Vals[0]
		}
	}
	t.Fatalf("%s: missing %s=", d.Pos, key)
	return ""
}

func argInt(t *testing.T, d *datadriven.TestData, key string, dflt int) int {
	for _, a := range d.CmdArgs {
		if a.Key == key && len(a.Vals) > 0 {
			n, err := strconv.Atoi(a.Vals[0])
			require.NoError(t, err, "%s: %s", d.Pos, key)
			return n
		}
	}
	return dflt
}

// parseOp reads the words after "op c=NAME": positional arguments are
// the keys datadriven gives no value.
func parseOp(t *testing.T, d *datadriven.TestData) Request {
	var words []string
	flags, version := int32(0), int32(-1)
	watch := false
	var acl []tree.ACL
	for _, a := range d.CmdArgs {
		switch {
		case a.Key == "c":
		case a.Key == "acl":
			acl = append(acl, parseACL(t, d, a.Vals[0]))
		case a.Key == "flags":
			n, _ := strconv.Atoi(a.Vals[0])
			flags = int32(n)
		case a.Key == "version":
			n, _ := strconv.Atoi(a.Vals[0])
			version = int32(n)
		case a.Key == "watch":
			watch = true
		default:
			words = append(words, a.Key)
		}
	}
	require.NotEmpty(t, words, "%s: op without a verb", d.Pos)
	arg := func(i int) string {
		if i < len(words) {
			return words[i]
		}
		return ""
	}
	r := Request{Watch: watch}
	switch words[0] {
	case "create":
		return createReq(arg(1), arg(2), flags, acl)
	case "get":
		r.Req = tree.Request{Op: tree.OpGetData, Path: arg(1)}
	case "exists":
		r.Req = tree.Request{Op: tree.OpExists, Path: arg(1)}
	case "children":
		r.Req = tree.Request{Op: tree.OpGetChildren, Path: arg(1)}
	case "set":
		r.Req = tree.Request{Op: tree.OpSetData, Path: arg(1), Data: []byte(arg(2)), Version: version}
	case "delete":
		r.Req = tree.Request{Op: tree.OpDelete, Path: arg(1), Version: version}
	case "sync":
		r.Req = tree.Request{Op: tree.OpSync, Path: arg(1)}
	case "ping":
		r.Req = tree.Request{Op: OpPing}
	case "close":
		r.Req = tree.Request{Op: tree.OpCloseSession}
	default:
		t.Fatalf("%s: unknown op %s", d.Pos, strings.Join(words, " "))
	}
	return r
}

// parseACL reads scheme:id:perms, perms as letters of "rwcda" (the id may
// hold colons, as a digest's does).
func parseACL(t *testing.T, d *datadriven.TestData, text string) tree.ACL {
	cut := strings.LastIndexByte(text, ':')
	scheme, id, ok := strings.Cut(text[:max(cut, 0)], ":")
	require.True(t, ok, "%s: acl %q is not scheme:id:perms", d.Pos, text)
	a := tree.ACL{ID: tree.ID{Scheme: scheme, ID: id}}
	for _, letter := range text[cut+1:] {
		i := strings.IndexRune("rwcda", letter)
		require.GreaterOrEqual(t, i, 0, "%s: acl %q: perm %q", d.Pos, text, letter)
		a.Perms |= 1 << i
	}
	return a
}
