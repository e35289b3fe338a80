package wire

import (
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

var digestACL = []ACL{
	{Perms: PermRead | PermWrite, ID: Id{Scheme: "digest", ID: "u:hash="}},
	{Perms: PermAll, ID: Id{Scheme: "ip", ID: "127.0.0.1"}},
}

// sampleRequests has at least one value of every request type, with null
// and empty fields mixed in; it also seeds the fuzz corpus.
func sampleRequests() []Request {
	return []Request{
		&CreateRequest{Path: "/a", Data: []byte("data"), ACL: digestACL, Flags: 1},
		&CreateRequest{Path: "/a", ACL: nil, Flags: -1},
		&Create2Request{Path: "/b-", Data: []byte{}, ACL: WorldACL, Flags: 2},
		&CreateContainerRequest{Path: "/c", ACL: []ACL{}, Flags: 4},
		&CreateTTLRequest{Path: "/t", Data: []byte{0}, ACL: WorldACL, Flags: 6, TTL: -5},
		&DeleteRequest{Path: "/a", Version: -1},
		&DeleteContainerRequest{Path: "/c"},
		&DeleteContainerRequest{},
		&ExistsRequest{Path: "/a", Watch: true},
		&GetDataRequest{Path: "", Watch: false},
		&SetDataRequest{Path: "/a", Data: nil, Version: 7},
		&GetACLRequest{Path: "/a"},
		&SetACLRequest{Path: "/a", ACL: digestACL, Version: 1},
		&GetChildrenRequest{Path: "/", Watch: true},
		&GetChildren2Request{Path: "/", Watch: true},
		&SyncRequest{Path: "/a"},
		&PingRequest{},
		&CheckVersionRequest{Path: "/a", Version: 3},
		&MultiRequest{Ops: []MultiOp{}},
		&MultiRequest{Ops: []MultiOp{
			&CreateRequest{Path: "/m", ACL: WorldACL},
			&Create2Request{Path: "/m/s-", Data: []byte("x"), ACL: WorldACL, Flags: 2},
			&CreateContainerRequest{Path: "/m/c", ACL: WorldACL, Flags: 4},
			&CreateTTLRequest{Path: "/m/t", ACL: WorldACL, Flags: 5, TTL: 100},
			&SetDataRequest{Path: "/m", Data: []byte{}, Version: 0},
			&CheckVersionRequest{Path: "/m", Version: 1},
			&DeleteRequest{Path: "/m/c", Version: -1},
		}},
		&MultiReadRequest{Ops: []MultiOp{&GetDataRequest{Path: "/m", Watch: true}, &GetChildrenRequest{Path: "/m"}}},
		&ReconfigRequest{JoiningServers: []byte("server.4=127.0.0.1:2888:3888"), LeavingServers: []byte{}, CurConfigID: 0x100000000},
		&CheckWatchesRequest{Path: "/a", Type: 1},
		&RemoveWatchesRequest{Path: "/a", Type: 3},
		&AuthRequest{Type: 0, Scheme: "digest", Auth: []byte("user:pw")},
		&SetWatchesRequest{RelativeZxid: 0xa0, DataWatches: []string{"/a"}, ExistWatches: []string{"/b", "/c"}, ChildWatches: nil},
		&SASLRequest{Token: nil},
		&GetEphemeralsRequest{PrefixPath: "/"},
		&GetAllChildrenNumberRequest{Path: "/r"},
		&SetWatches2Request{RelativeZxid: 1, DataWatches: []string{}, PersistentRecursiveWatches: []string{"/x"}},
		&AddWatchRequest{Path: "/w", Mode: 0},
		&WhoAmIRequest{},
		&CreateSessionRequest{TimeOut: 4000},
		&CloseSessionRequest{},
	}
}

// sampleResponses pairs an opcode with a reply body for every opcode whose
// reply DecodeReply understands (nil: no body).
func sampleResponses() []struct {
	op   Opcode
	body Response
} {
	st := sampleStat
	return []struct {
		op   Opcode
		body Response
	}{
		{OpCreate, &CreateResponse{Path: "/a"}},
		{OpCreate2, &Create2Response{Path: "/a", Stat: st}},
		{OpCreateContainer, &Create2Response{Path: "/c", Stat: st}},
		{OpCreateTTL, &Create2Response{Path: "/t", Stat: st}},
		{OpDelete, nil},
		{OpDeleteContainer, nil},
		{OpExists, &StatResponse{Stat: st}},
		{OpGetData, &GetDataResponse{Data: []byte("d"), Stat: st}},
		{OpGetData, &GetDataResponse{Stat: st}},
		{OpReconfig, &GetDataResponse{Data: []byte("server.1=..."), Stat: st}},
		{OpSetData, &StatResponse{Stat: st}},
		{OpGetACL, &GetACLResponse{ACL: digestACL, Stat: st}},
		{OpSetACL, &StatResponse{Stat: st}},
		{OpGetChildren, &GetChildrenResponse{Children: []string{"a", "b"}}},
		{OpGetChildren2, &GetChildren2Response{Children: []string{}, Stat: st}},
		{OpSync, &SyncResponse{Path: "/a"}},
		{OpPing, nil},
		{OpMulti, &MultiResponse{Results: []MultiResult{
			{Type: OpCreate, Body: &CreateResponse{Path: "/m"}},
			{Type: OpCreate2, Body: &Create2Response{Path: "/n", Stat: st}},
			{Type: OpSetData, Body: &StatResponse{Stat: st}},
			{Type: OpCheck}, {Type: OpDelete},
		}}},
		{OpMulti, &MultiResponse{Results: []MultiResult{MultiError(ErrBadVersion), MultiError(ErrRuntimeInconsistency)}}},
		{OpMultiRead, &MultiResponse{Results: []MultiResult{
			{Type: OpGetData, Body: &GetDataResponse{Stat: st}},
			{Type: OpGetChildren, Body: &GetChildrenResponse{Children: []string{"x"}}},
			MultiError(ErrNoAuth),
		}}},
		{OpCheckWatches, nil},
		{OpRemoveWatches, nil},
		{OpAuth, nil},
		{OpSetWatches, nil},
		{OpSetWatches2, nil},
		{OpGetEphemerals, &GetEphemeralsResponse{Ephemerals: []string{"/e1", "/e2"}}},
		{OpGetAllChildrenNumber, &GetAllChildrenNumberResponse{TotalNumber: 16}},
		{OpAddWatch, &ErrorResponse{Err: ErrOK}},
		{OpWhoAmI, &WhoAmIResponse{ClientInfo: []ClientInfo{}}},
		{OpCloseSession, nil},
	}
}

func TestRoundTripRequests(t *testing.T) {
	covered := map[Opcode]bool{}
	for _, req := range sampleRequests() {
		covered[req.Opcode()] = true
		t.Run(req.String(), func(t *testing.T) {
			frame := EncodeRequest(42, req)
			h, got, err := DecodeRequest(frame)
			require.NoError(t, err)
			require.Equal(t, RequestHeader{Xid: 42, Opcode: req.Opcode()}, h)
			require.Equal(t, req, got)
			require.Equal(t, frame, EncodeRequest(42, got))
		})
	}
	for op := range requestDecoders {
		require.True(t, covered[op], "no sample request for %s", op)
	}
}

func TestRoundTripResponses(t *testing.T) {
	covered := map[Opcode]bool{}
	for _, tc := range sampleResponses() {
		covered[tc.op] = true
		name := tc.op.String() + " nil"
		if tc.body != nil {
			name = tc.op.String() + " " + tc.body.String()
		}
		t.Run(name, func(t *testing.T) {
			hdr := ReplyHeader{Xid: 9, Zxid: 0x500000001}
			frame := EncodeReply(hdr, tc.body)
			h, got, err := DecodeReply(tc.op, frame)
			require.NoError(t, err)
			require.Equal(t, hdr, h)
			require.Equal(t, tc.body, got)
		})
	}
	for op := range responseDecoders {
		require.True(t, covered[op], "no sample response for %s", op)
	}
}

// Replies never carry a null vector: go-zookeeper would read count -1 as
// 4 294 967 295 children.
func TestRepliesWriteNilVectorsAsEmpty(t *testing.T) {
	cases := []struct {
		op   Opcode
		body Response
		want Response
	}{
		{OpGetChildren, &GetChildrenResponse{}, &GetChildrenResponse{Children: []string{}}},
		{OpGetChildren2, &GetChildren2Response{}, &GetChildren2Response{Children: []string{}}},
		{OpGetEphemerals, &GetEphemeralsResponse{}, &GetEphemeralsResponse{Ephemerals: []string{}}},
		{OpGetACL, &GetACLResponse{}, &GetACLResponse{ACL: []ACL{}}},
		{OpWhoAmI, &WhoAmIResponse{}, &WhoAmIResponse{ClientInfo: []ClientInfo{}}},
	}
	for _, tc := range cases {
		frame := EncodeReply(ReplyHeader{}, tc.body)
		require.Equal(t, []byte{0, 0, 0, 0}, frame[ReplyHeaderSize:ReplyHeaderSize+4], tc.op.String())
		_, got, err := DecodeReply(tc.op, frame)
		require.NoError(t, err)
		require.Equal(t, tc.want, got)
	}
}

func genBytes() *rapid.Generator[[]byte] {
	return rapid.Custom(func(t *rapid.T) []byte {
		switch rapid.IntRange(0, 2).Draw(t, "kind") {
		case 0:
			return nil
		case 1:
			return []byte{}
		}
		return rapid.SliceOfN(rapid.Byte(), 1, 40).Draw(t, "bytes")
	})
}

func genStrings() *rapid.Generator[[]string] {
	return rapid.Custom(func(t *rapid.T) []string {
		if rapid.Bool().Draw(t, "null") {
			return nil
		}
		return rapid.SliceOfN(rapid.String(), 0, 4).Draw(t, "strings")
	})
}

func genACL() *rapid.Generator[[]ACL] {
	return rapid.Custom(func(t *rapid.T) []ACL {
		if rapid.Bool().Draw(t, "null") {
			return nil
		}
		return rapid.SliceOfN(rapid.Custom(func(t *rapid.T) ACL {
			return ACL{Perms: rapid.Int32().Draw(t, "perms"), ID: Id{Scheme: rapid.String().Draw(t, "scheme"), ID: rapid.String().Draw(t, "id")}}
		}), 0, 3).Draw(t, "acl")
	})
}

func genMultiOp(t *rapid.T) MultiOp {
	path := rapid.String().Draw(t, "path")
	c := CreateRequest{Path: path, Data: genBytes().Draw(t, "data"), ACL: genACL().Draw(t, "acl"), Flags: rapid.Int32().Draw(t, "flags")}
	switch rapid.IntRange(0, 8).Draw(t, "op") {
	case 0:
		return &c
	case 1:
		r := Create2Request(c)
		return &r
	case 2:
		r := CreateContainerRequest(c)
		return &r
	case 3:
		return &CreateTTLRequest{Path: c.Path, Data: c.Data, ACL: c.ACL, Flags: c.Flags, TTL: rapid.Int64().Draw(t, "ttl")}
	case 4:
		return &DeleteRequest{Path: path, Version: rapid.Int32().Draw(t, "version")}
	case 5:
		return &SetDataRequest{Path: path, Data: c.Data, Version: rapid.Int32().Draw(t, "version")}
	case 6:
		return &CheckVersionRequest{Path: path, Version: rapid.Int32().Draw(t, "version")}
	case 7:
		return &GetDataRequest{Path: path, Watch: rapid.Bool().Draw(t, "watch")}
	}
	return &GetChildrenRequest{Path: path, Watch: rapid.Bool().Draw(t, "watch")}
}

// TestRoundTripGeneratedRequests checks encode/decode on generated values
// of the request types whose fields vary most.
func TestRoundTripGeneratedRequests(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var req Request
		switch rapid.IntRange(0, 4).Draw(t, "kind") {
		case 0:
			req = genMultiOp(t)
		case 1:
			req = &MultiRequest{Ops: rapid.SliceOfN(rapid.Custom(genMultiOp), 0, 4).Draw(t, "ops")}
		case 2:
			req = &SetWatches2Request{
				RelativeZxid: rapid.Int64().Draw(t, "zxid"),
				DataWatches:  genStrings().Draw(t, "data"), ExistWatches: genStrings().Draw(t, "exist"),
				ChildWatches: genStrings().Draw(t, "child"), PersistentWatches: genStrings().Draw(t, "persistent"),
				PersistentRecursiveWatches: genStrings().Draw(t, "recursive"),
			}
		case 3:
			req = &AuthRequest{Type: rapid.Int32().Draw(t, "type"), Scheme: rapid.String().Draw(t, "scheme"), Auth: genBytes().Draw(t, "auth")}
		default:
			req = &SetACLRequest{Path: rapid.String().Draw(t, "path"), ACL: genACL().Draw(t, "acl"), Version: rapid.Int32().Draw(t, "v")}
		}
		xid := rapid.Int32().Draw(t, "xid")
		h, got, err := DecodeRequest(EncodeRequest(xid, req))
		require.NoError(t, err)
		require.Equal(t, RequestHeader{Xid: xid, Opcode: req.Opcode()}, h)
		require.Equal(t, req, got)
	})
}
