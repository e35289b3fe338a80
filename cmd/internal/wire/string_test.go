package wire

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStringGolden(t *testing.T) {
	cases := []struct {
		v    interface{ String() string }
		want string
	}{
		{OpCreate, "create"},
		{Opcode(99), "op(99)"},
		{ErrNoNode, "NONODE"},
		{ACL{Perms: 1, ID: Id{Scheme: "digest", ID: "u:x/y+z="}}, "1:digest:u:x/y+z="},
		{ACL{Perms: 1, ID: Id{Scheme: "", ID: "a b"}}, `1:"":"a b"`},
		{&WhoAmIResponse{ClientInfo: []ClientInfo{{AuthScheme: "ip", User: "127.0.0.1"}, {AuthScheme: "sasl", User: "x\ny"}}},
			`whoAmI{[ip:127.0.0.1 sasl:"x\ny"]}`},
		{ErrCode(-999), "ERR(-999)"},
		{EventNodeDeleted, "NodeDeleted"},
		{StateSyncConnected, "SyncConnected"},
		{RequestHeader{Xid: -2, Opcode: OpPing}, "reqhdr{xid=-2 op=ping}"},
		{ReplyHeader{Xid: 7, Zxid: 0x1f, Err: ErrNodeExists}, "replyhdr{xid=7 zxid=0x1f err=NODEEXISTS}"},
		{multiEnd, "multihdr{type=error done=true err=-1}"},
		{&CreateRequest{Path: "/a", Data: []byte("x\n"), ACL: WorldACL, Flags: 3},
			`create{path="/a" data="x\n" acl=[31:world:anyone] flags=3}`},
		{&SetDataRequest{Path: "/a", Data: make([]byte, 33)}, `setData{path="/a" data=33B version=0}`},
		{&AuthRequest{Scheme: "digest", Auth: []byte("secret")}, `auth{type=0 scheme="digest" auth=6B}`},
		{&MultiRequest{Ops: []MultiOp{&CheckVersionRequest{Path: "/a", Version: 1}, &DeleteRequest{Path: "/a", Version: -1}}},
			`multi[check{path="/a" version=1} delete{path="/a" version=-1}]`},
		{&SetWatchesRequest{RelativeZxid: 16, DataWatches: []string{"/a"}},
			`setWatches{relativeZxid=0x10 data=["/a"] exist=null child=null}`},
		{&ConnectRequest{TimeOut: 4000, Passwd: make([]byte, 16)},
			"connect{protocolVersion=0 lastZxidSeen=0x0 timeOut=4000 sessionId=0x0 passwd=16B readOnly=absent}"},
		{&ConnectResponse{TimeOut: 4000, SessionID: 0x10, Passwd: make([]byte, 16), HasReadOnly: true},
			"connected{protocolVersion=0 timeOut=4000 sessionId=0x10 passwd=16B readOnly=false}"},
		{&MultiResponse{Results: []MultiResult{{Type: OpCreate, Body: &CreateResponse{Path: "/a"}}, {Type: OpDelete}, MultiError(ErrNoNode)}},
			`multiResults[create{err=OK created{path="/a"}} delete{err=OK} error{err=NONODE error{err=NONODE}}]`},
		{&WatcherEvent{Type: EventNodeCreated, State: StateSyncConnected, Path: "/w"},
			`event{type=NodeCreated state=SyncConnected path="/w"}`},
		{&GetDataResponse{Stat: Stat{Czxid: 1}},
			"data{data=null stat{czxid=0x1 mzxid=0x0 ctime=0 mtime=0 version=0 cversion=0 aversion=0 ephemeralOwner=0x0 dataLength=0 numChildren=0 pzxid=0x0}}"},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, tc.v.String())
	}
}

// Every request and response prints as one line, even with newlines in
// paths and data, so log lines and failure messages stay one per record.
func TestStringsAreOneLine(t *testing.T) {
	var all []interface{ String() string }
	for _, r := range sampleRequests() {
		all = append(all, r)
	}
	for _, r := range sampleResponses() {
		if r.body != nil {
			all = append(all, r.body)
		}
	}
	all = append(all, &SyncRequest{Path: "/a\nb"}, &GetChildrenResponse{Children: []string{"x\ny"}},
		&SetACLRequest{ACL: []ACL{{ID: Id{Scheme: "a\nb", ID: "c\rd"}}}},
		&WhoAmIResponse{ClientInfo: []ClientInfo{{AuthScheme: "ip", User: "a\nb"}}})
	for _, v := range all {
		s := v.String()
		require.NotEmpty(t, s)
		require.False(t, strings.ContainsAny(s, "\n\r"), s)
	}
}
