package wire

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGoldenRequests(t *testing.T) {
	acl := WorldACL
	cases := []struct {
		name string
		xid  int32
		req  Request
		want jb
	}{
		{"ping", XidPing, &PingRequest{}, jb{}.reqHdr(-2, 11)},
		{"closeSession", 7, &CloseSessionRequest{}, jb{}.reqHdr(7, -11)},
		{"create", 1, &CreateRequest{Path: "/a", Data: []byte("x"), ACL: acl, Flags: 3},
			jb{}.reqHdr(1, 1).str("/a").buf([]byte("x")).worldACL().i32(3)},
		{"create null data", 1, &CreateRequest{Path: "/a", ACL: acl},
			jb{}.reqHdr(1, 1).str("/a").null().worldACL().i32(0)},
		{"create empty data", 1, &CreateRequest{Path: "/a", Data: []byte{}, ACL: acl},
			jb{}.reqHdr(1, 1).str("/a").i32(0).worldACL().i32(0)},
		{"create2", 2, &Create2Request{Path: "/a", Data: []byte{}, ACL: acl},
			jb{}.reqHdr(2, 15).str("/a").i32(0).worldACL().i32(0)},
		{"createContainer", 2, &CreateContainerRequest{Path: "/c", Data: []byte{}, ACL: acl, Flags: 4},
			jb{}.reqHdr(2, 19).str("/c").i32(0).worldACL().i32(4)},
		{"createTTL", 3, &CreateTTLRequest{Path: "/t", Data: []byte{}, ACL: acl, Flags: 5, TTL: 10000},
			jb{}.reqHdr(3, 21).str("/t").i32(0).worldACL().i32(5).i64(10000)},
		{"delete", 4, &DeleteRequest{Path: "/a", Version: -1}, jb{}.reqHdr(4, 2).str("/a").i32(-1)},
		{"deleteContainer", 4, &DeleteContainerRequest{Path: "/c"}, jb{}.reqHdr(4, 20).raw('/', 'c')},
		{"exists", 777, &ExistsRequest{Path: "/a", Watch: true}, jb{}.reqHdr(777, 3).str("/a").boolean(true)},
		{"getData", 5, &GetDataRequest{Path: "/a"}, jb{}.reqHdr(5, 4).str("/a").boolean(false)},
		{"setData", 6, &SetDataRequest{Path: "/a", Data: []byte("v"), Version: 2},
			jb{}.reqHdr(6, 5).str("/a").buf([]byte("v")).i32(2)},
		{"getACL", 7, &GetACLRequest{Path: "/a"}, jb{}.reqHdr(7, 6).str("/a")},
		{"setACL", 8, &SetACLRequest{Path: "/a", ACL: acl, Version: 0},
			jb{}.reqHdr(8, 7).str("/a").worldACL().i32(0)},
		{"getChildren", 9, &GetChildrenRequest{Path: "/", Watch: true}, jb{}.reqHdr(9, 8).str("/").boolean(true)},
		{"getChildren2", 9, &GetChildren2Request{Path: "/"}, jb{}.reqHdr(9, 12).str("/").boolean(false)},
		{"sync", 10, &SyncRequest{Path: "/a"}, jb{}.reqHdr(10, 9).str("/a")},
		{"check", 11, &CheckVersionRequest{Path: "/a", Version: 1}, jb{}.reqHdr(11, 13).str("/a").i32(1)},
		{"multi empty", 12, &MultiRequest{Ops: []MultiOp{}}, jb{}.reqHdr(12, 14).end()},
		{"multi", 12, &MultiRequest{Ops: []MultiOp{
			&CreateRequest{Path: "/m", Data: []byte{}, ACL: acl},
			&SetDataRequest{Path: "/m", Data: []byte("d"), Version: -1},
			&CheckVersionRequest{Path: "/m", Version: 1},
			&DeleteRequest{Path: "/m", Version: 1},
		}}, jb{}.reqHdr(12, 14).
			multiHdr(1, false, -1).str("/m").i32(0).worldACL().i32(0).
			multiHdr(5, false, -1).str("/m").buf([]byte("d")).i32(-1).
			multiHdr(13, false, -1).str("/m").i32(1).
			multiHdr(2, false, -1).str("/m").i32(1).
			end()},
		{"multiRead", 13, &MultiReadRequest{Ops: []MultiOp{
			&GetDataRequest{Path: "/m"}, &GetChildrenRequest{Path: "/m"},
		}}, jb{}.reqHdr(13, 22).
			multiHdr(4, false, -1).str("/m").boolean(false).
			multiHdr(8, false, -1).str("/m").boolean(false).
			end()},
		{"reconfig", 14, &ReconfigRequest{JoiningServers: []byte("server.4=h:1:2"), CurConfigID: -1},
			jb{}.reqHdr(14, 16).str("server.4=h:1:2").null().null().i64(-1)},
		{"checkWatches", 15, &CheckWatchesRequest{Path: "/a", Type: 3}, jb{}.reqHdr(15, 17).str("/a").i32(3)},
		{"removeWatches", 16, &RemoveWatchesRequest{Path: "/a", Type: 2}, jb{}.reqHdr(16, 18).str("/a").i32(2)},
		{"auth", XidAuth, &AuthRequest{Scheme: "digest", Auth: []byte("u:p")},
			jb{}.reqHdr(-4, 100).i32(0).str("digest").buf([]byte("u:p"))},
		{"setWatches", XidSetWatches, &SetWatchesRequest{RelativeZxid: 0x1f,
			DataWatches: []string{"/a", "/b"}, ExistWatches: []string{}, ChildWatches: []string{"/"}},
			jb{}.reqHdr(-8, 101).i64(0x1f).i32(2).str("/a").str("/b").i32(0).i32(1).str("/")},
		{"sasl", 17, &SASLRequest{Token: []byte{1, 2}}, jb{}.reqHdr(17, 102).buf([]byte{1, 2})},
		{"getEphemerals", 18, &GetEphemeralsRequest{PrefixPath: "/R"}, jb{}.reqHdr(18, 103).str("/R")},
		{"getAllChildrenNumber", 19, &GetAllChildrenNumberRequest{Path: "/R"}, jb{}.reqHdr(19, 104).str("/R")},
		{"setWatches2", 20, &SetWatches2Request{RelativeZxid: 2, DataWatches: []string{}, ExistWatches: []string{},
			ChildWatches: []string{}, PersistentWatches: []string{"/p"}, PersistentRecursiveWatches: []string{"/r"}},
			jb{}.reqHdr(20, 105).i64(2).i32(0).i32(0).i32(0).i32(1).str("/p").i32(1).str("/r")},
		{"addWatch", 21, &AddWatchRequest{Path: "/p", Mode: 1}, jb{}.reqHdr(21, 106).str("/p").i32(1)},
		{"whoAmI", 22, &WhoAmIRequest{}, jb{}.reqHdr(22, 107)},
		{"createSession", 23, &CreateSessionRequest{TimeOut: 30000}, jb{}.reqHdr(23, -10).i32(30000)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, []byte(tc.want), EncodeRequest(tc.xid, tc.req))
			h, got, err := DecodeRequest(tc.want)
			require.NoError(t, err)
			require.Equal(t, RequestHeader{Xid: tc.xid, Opcode: tc.req.Opcode()}, h)
			require.Equal(t, tc.req, got)
		})
	}
}

func TestGoldenReplies(t *testing.T) {
	st := sampleStat
	cases := []struct {
		name string
		op   Opcode
		hdr  ReplyHeader
		body Response
		want jb
	}{
		{"ping", OpPing, ReplyHeader{Xid: -2, Zxid: 0xf}, nil, jb{}.replyHdr(-2, 0xf, 0)},
		{"error has no body", OpGetData, ReplyHeader{Xid: 15, Zxid: 0x19, Err: ErrNoNode}, nil,
			jb{}.replyHdr(15, 0x19, -101)},
		{"unimplemented", OpCreate, ReplyHeader{Xid: 1, Zxid: -1, Err: ErrUnimplemented}, nil,
			jb{}.replyHdr(1, -1, -6)},
		{"create", OpCreate, ReplyHeader{Xid: 6, Zxid: 0x11}, &CreateResponse{Path: "/r/e"},
			jb{}.replyHdr(6, 0x11, 0).str("/r/e")},
		{"create2", OpCreate2, ReplyHeader{Xid: 6, Zxid: 0x11}, &Create2Response{Path: "/r/e", Stat: st},
			jb{}.replyHdr(6, 0x11, 0).str("/r/e").stat(st)},
		{"exists", OpExists, ReplyHeader{Xid: 777, Zxid: 0xf}, &StatResponse{Stat: st},
			jb{}.replyHdr(777, 0xf, 0).stat(st)},
		{"getData", OpGetData, ReplyHeader{Xid: 5, Zxid: 0xf}, &GetDataResponse{Data: []byte("root"), Stat: st},
			jb{}.replyHdr(5, 0xf, 0).buf([]byte("root")).stat(st)},
		{"getData null", OpGetData, ReplyHeader{Xid: 29, Zxid: 0xf}, &GetDataResponse{Stat: st},
			jb{}.replyHdr(29, 0xf, 0).null().stat(st)},
		{"getData empty", OpGetData, ReplyHeader{Xid: 29, Zxid: 0xf}, &GetDataResponse{Data: []byte{}, Stat: st},
			jb{}.replyHdr(29, 0xf, 0).i32(0).stat(st)},
		{"setData", OpSetData, ReplyHeader{Xid: 9, Zxid: 0x20}, &StatResponse{Stat: st},
			jb{}.replyHdr(9, 0x20, 0).stat(st)},
		{"getACL", OpGetACL, ReplyHeader{Xid: 108, Zxid: 0x20}, &GetACLResponse{ACL: WorldACL, Stat: st},
			jb{}.replyHdr(108, 0x20, 0).worldACL().stat(st)},
		{"getChildren", OpGetChildren, ReplyHeader{Xid: 3, Zxid: 1}, &GetChildrenResponse{Children: []string{"config", "quota"}},
			jb{}.replyHdr(3, 1, 0).i32(2).str("config").str("quota")},
		{"getChildren none", OpGetChildren, ReplyHeader{Xid: 3, Zxid: 1}, &GetChildrenResponse{Children: []string{}},
			jb{}.replyHdr(3, 1, 0).i32(0)},
		{"getChildren2", OpGetChildren2, ReplyHeader{Xid: 3, Zxid: 1}, &GetChildren2Response{Children: []string{"a"}, Stat: st},
			jb{}.replyHdr(3, 1, 0).i32(1).str("a").stat(st)},
		{"sync", OpSync, ReplyHeader{Xid: 4, Zxid: 0xf}, &SyncResponse{Path: "/r/nope"},
			jb{}.replyHdr(4, 0xf, 0).str("/r/nope")},
		{"getEphemerals", OpGetEphemerals, ReplyHeader{Xid: 45, Zxid: 0xf}, &GetEphemeralsResponse{Ephemerals: []string{"/r/eph"}},
			jb{}.replyHdr(45, 0xf, 0).i32(1).str("/r/eph")},
		{"getAllChildrenNumber", OpGetAllChildrenNumber, ReplyHeader{Xid: 44, Zxid: 0xf}, &GetAllChildrenNumberResponse{TotalNumber: 16},
			jb{}.replyHdr(44, 0xf, 0).i32(16)},
		{"addWatch", OpAddWatch, ReplyHeader{Xid: 1, Zxid: 0xf}, &ErrorResponse{Err: ErrOK},
			jb{}.replyHdr(1, 0xf, 0).i32(0)},
		{"whoAmI", OpWhoAmI, ReplyHeader{Xid: 1, Zxid: 0xf}, &WhoAmIResponse{ClientInfo: []ClientInfo{{AuthScheme: "ip", User: "127.0.0.1"}}},
			jb{}.replyHdr(1, 0xf, 0).i32(1).str("ip").str("127.0.0.1")},
		{"setWatches", OpSetWatches, ReplyHeader{Xid: -8, Zxid: 0xa7}, nil, jb{}.replyHdr(-8, 0xa7, 0)},
		{"closeSession", OpCloseSession, ReplyHeader{Xid: 2, Zxid: 0xab}, nil, jb{}.replyHdr(2, 0xab, 0)},
		{"multi empty", OpMulti, ReplyHeader{Xid: 148, Zxid: 0xc4}, &MultiResponse{Results: []MultiResult{}},
			jb{}.replyHdr(148, 0xc4, 0).end()},
		{"multi success", OpMulti, ReplyHeader{Xid: 139, Zxid: 0xbf}, &MultiResponse{Results: []MultiResult{
			{Type: OpCreate, Body: &CreateResponse{Path: "/m/a"}},
			{Type: OpCreate, Body: &CreateResponse{Path: "/m/b-0000000001"}},
			{Type: OpSetData, Body: &StatResponse{Stat: st}},
			{Type: OpCheck},
			{Type: OpDelete},
		}}, jb{}.replyHdr(139, 0xbf, 0).
			multiHdr(1, false, 0).str("/m/a").
			multiHdr(1, false, 0).str("/m/b-0000000001").
			multiHdr(5, false, 0).stat(st).
			multiHdr(13, false, 0).
			multiHdr(2, false, 0).
			end()},
		{"multi failure", OpMulti, ReplyHeader{Xid: 142, Zxid: 0xc0}, &MultiResponse{Results: []MultiResult{
			MultiError(ErrOK), MultiError(ErrNoNode), MultiError(ErrRuntimeInconsistency),
		}}, jb{}.replyHdr(142, 0xc0, 0).
			multiHdr(-1, false, 0).i32(0).
			multiHdr(-1, false, -101).i32(-101).
			multiHdr(-1, false, -2).i32(-2).
			end()},
		{"multiRead", OpMultiRead, ReplyHeader{Xid: 149, Zxid: 0xc9}, &MultiResponse{Results: []MultiResult{
			{Type: OpGetData, Body: &GetDataResponse{Data: []byte("m1"), Stat: st}},
			MultiError(ErrNoNode),
			{Type: OpGetChildren, Body: &GetChildrenResponse{Children: []string{"b-0000000001"}}},
		}}, jb{}.replyHdr(149, 0xc9, 0).
			multiHdr(4, false, 0).buf([]byte("m1")).stat(st).
			multiHdr(-1, false, -101).i32(-101).
			multiHdr(8, false, 0).i32(1).str("b-0000000001").
			end()},
		{"multiRead with a write op", OpMultiRead, ReplyHeader{Xid: 1, Zxid: 0xc8, Err: ErrMarshallingError},
			&MultiResponse{Results: []MultiResult{}}, jb{}.replyHdr(1, 0xc8, -5).end()},
		{"multi create2 result", OpMulti, ReplyHeader{Xid: 1, Zxid: 2}, &MultiResponse{Results: []MultiResult{
			{Type: OpCreate2, Body: &Create2Response{Path: "/x", Stat: st}},
		}}, jb{}.replyHdr(1, 2, 0).multiHdr(15, false, 0).str("/x").stat(st).end()},
		{"notification", OpGetData, NotificationHeader, &WatcherEvent{Type: EventNodeDataChanged, State: StateSyncConnected, Path: "/r/w"},
			jb{}.replyHdr(-1, -1, 0).i32(3).i32(3).str("/r/w")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, []byte(tc.want), EncodeReply(tc.hdr, tc.body))
			h, got, err := DecodeReply(tc.op, tc.want)
			require.NoError(t, err)
			require.Equal(t, tc.hdr, h)
			require.Equal(t, tc.body, got)
		})
	}
}

// TestMeasuredReplySizes checks body sizes ZK-SEMANTICS.md §6 recorded on a
// real 3.8.0 server, where R was "/probe-1795384423" (17 bytes).
func TestMeasuredReplySizes(t *testing.T) {
	const R = "/probe-1795384423"
	st := sampleStat
	cases := []struct {
		name string
		body Response
		size int
	}{
		{"sync R (#21)", &SyncResponse{Path: R}, 21},
		{"getData root (#23)", &GetDataResponse{Data: []byte("root"), Stat: st}, 76},
		{"create R/e (#27)", &CreateResponse{Path: R + "/e"}, 23},
		{"create2 R/seq/c2- (#96)", &Create2Response{Path: R + "/seq/c2-0000000001", Stat: st}, 107},
		{"createContainer R/cont (#51)", &Create2Response{Path: R + "/cont", Stat: st}, 94},
		{"getData null (#72)", &GetDataResponse{Stat: st}, 72},
		{"getChildren2 R/ord (#77)", &GetChildren2Response{Children: []string{"c3", "a1", "b2", "zz", "aa", "c10", "c2"}, Stat: st}, 115},
		{"getAllChildrenNumber (#78)", &GetAllChildrenNumberResponse{TotalNumber: 16}, 4},
		{"getEphemerals (#79)", &GetEphemeralsResponse{Ephemerals: []string{R + "/eph"}}, 29},
		{"getACL (#110)", &GetACLResponse{ACL: WorldACL, Stat: st}, 95},
		{"multi success (#133)", &MultiResponse{Results: []MultiResult{
			{Type: OpCreate, Body: &CreateResponse{Path: R + "/multi/a"}},
			{Type: OpCreate, Body: &CreateResponse{Path: R + "/multi/b-0000000001"}},
			{Type: OpSetData, Body: &StatResponse{Stat: st}},
			{Type: OpCheck}, {Type: OpDelete},
		}}, 191},
		{"multi failure (#135)", &MultiResponse{Results: []MultiResult{
			MultiError(ErrOK), MultiError(ErrNoNode), MultiError(ErrRuntimeInconsistency),
		}}, 48},
		{"multi empty (#139)", &MultiResponse{}, 9},
		{"multiRead (#142)", &MultiResponse{Results: []MultiResult{
			{Type: OpGetData, Body: &GetDataResponse{Data: []byte("m1"), Stat: st}},
			MultiError(ErrNoNode),
			{Type: OpGetChildren, Body: &GetChildrenResponse{Children: []string{"b-0000000001"}}},
		}}, 134},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			frame := EncodeReply(ReplyHeader{Xid: 1, Zxid: 2}, tc.body)
			require.Len(t, frame, ReplyHeaderSize+tc.size)
		})
	}
}

// TestMeasuredRequestLimits checks the largest create and setData that a
// real 3.8.0 server accepted (#144, #145): both fill a 1 048 575-byte frame.
func TestMeasuredRequestLimits(t *testing.T) {
	path := "/probe-1795384423/big"
	require.Len(t, path, 21)
	create := EncodeRequest(1, &CreateRequest{Path: path, Data: make([]byte, 1048507), ACL: WorldACL})
	require.Len(t, create, DefaultMaxRequestFrame)
	set := EncodeRequest(1, &SetDataRequest{Path: path, Data: make([]byte, 1048534), Version: -1})
	require.Len(t, set, DefaultMaxRequestFrame)

	var stream bytes.Buffer
	stream.Write(AppendFrame(nil, create))
	got, err := ReadFrame(&stream, DefaultMaxRequestFrame)
	require.NoError(t, err)
	require.Equal(t, create, got)

	bigger := EncodeRequest(1, &SetDataRequest{Path: path, Data: make([]byte, 1048535), Version: -1})
	stream.Reset()
	stream.Write(AppendFrame(nil, bigger))
	_, err = ReadFrame(&stream, DefaultMaxRequestFrame)
	require.ErrorIs(t, err, ErrFrameTooLarge)
}

func TestGoldenConnect(t *testing.T) {
	passwd := bytes.Repeat([]byte{0xab}, 16)
	req44 := jb{}.i32(0).i64(0x2a).i32(30000).i64(0).buf(make([]byte, 16))
	req45 := append(append(jb{}, req44...), 0)
	cases := []struct {
		name string
		req  *ConnectRequest
		want jb
		size int
	}{
		{"go-zookeeper, no readOnly byte", &ConnectRequest{LastZxidSeen: 0x2a, TimeOut: 30000, Passwd: make([]byte, 16)}, req44, 44},
		{"java client, readOnly byte", &ConnectRequest{LastZxidSeen: 0x2a, TimeOut: 30000, Passwd: make([]byte, 16), HasReadOnly: true}, req45, 45},
		{"readOnly true", &ConnectRequest{SessionID: 5, Passwd: passwd, ReadOnly: true, HasReadOnly: true},
			jb{}.i32(0).i64(0).i32(0).i64(5).buf(passwd).boolean(true), 45},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := EncodeConnectRequest(tc.req)
			require.Equal(t, []byte(tc.want), got)
			require.Len(t, got, tc.size)
			dec, err := DecodeConnectRequest(got)
			require.NoError(t, err)
			require.Equal(t, tc.req, dec)
		})
	}

	resps := []struct {
		name string
		resp *ConnectResponse
		want jb
		size int
	}{
		{"to go-zookeeper", &ConnectResponse{TimeOut: 4000, SessionID: 0x100005041330001, Passwd: passwd},
			jb{}.i32(0).i32(4000).i64(0x100005041330001).buf(passwd), 36},
		{"to java client", &ConnectResponse{TimeOut: 30000, SessionID: 0x100005041330000, Passwd: passwd, HasReadOnly: true},
			jb{}.i32(0).i32(30000).i64(0x100005041330000).buf(passwd).boolean(false), 37},
		{"expired session", &ConnectResponse{Passwd: make([]byte, 16), HasReadOnly: true},
			jb{}.i32(0).i32(0).i64(0).buf(make([]byte, 16)).boolean(false), 37},
	}
	for _, tc := range resps {
		t.Run(tc.name, func(t *testing.T) {
			got := EncodeConnectResponse(tc.resp)
			require.Equal(t, []byte(tc.want), got)
			require.Len(t, got, tc.size)
			dec, err := DecodeConnectResponse(got)
			require.NoError(t, err)
			require.Equal(t, tc.resp, dec)
		})
	}
}

func TestGoldenHeaders(t *testing.T) {
	e := &encoder{}
	RequestHeader{Xid: -2, Opcode: OpPing}.encode(e)
	require.Equal(t, []byte{0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 11}, e.buf)
	require.Len(t, e.buf, RequestHeaderSize)

	e = &encoder{}
	ReplyHeader{Xid: 1, Zxid: 0x0102030405060708, Err: ErrNoNode}.encode(e)
	require.Equal(t, []byte{0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0xff, 0xff, 0x9b}, e.buf)
	require.Len(t, e.buf, ReplyHeaderSize)

	e = &encoder{}
	multiEnd.encode(e)
	require.Equal(t, []byte{0xff, 0xff, 0xff, 0xff, 1, 0xff, 0xff, 0xff, 0xff}, e.buf)
	require.Len(t, e.buf, MultiHeaderSize)

	e = &encoder{}
	sampleStat.encode(e)
	require.Equal(t, []byte(jb{}.stat(sampleStat)), e.buf)
	require.Len(t, e.buf, StatSize)
}

func TestConnectAcceptAndRefuseMatchTheReadOnlyByte(t *testing.T) {
	passwd := bytes.Repeat([]byte{1}, PasswdSize)
	goZK := &ConnectRequest{TimeOut: 30000, Passwd: make([]byte, PasswdSize)}
	java := &ConnectRequest{TimeOut: 30000, Passwd: make([]byte, PasswdSize), HasReadOnly: true}

	require.Equal(t, []byte(jb{}.i32(0).i32(4000).i64(9).buf(passwd)),
		EncodeConnectResponse(goZK.Accept(4000, 9, passwd)))
	require.Equal(t, []byte(jb{}.i32(0).i32(4000).i64(9).buf(passwd).boolean(false)),
		EncodeConnectResponse(java.Accept(4000, 9, passwd)))

	// ZK-SEMANTICS.md #12, #16: 37 bytes, timeOut 0, sessionId 0, 16 zero bytes.
	refused := EncodeConnectResponse(java.Refuse())
	require.Len(t, refused, 37)
	require.Equal(t, []byte(jb{}.i32(0).i32(0).i64(0).buf(make([]byte, 16)).boolean(false)), refused)
	require.Len(t, EncodeConnectResponse(goZK.Refuse()), 36)
}
