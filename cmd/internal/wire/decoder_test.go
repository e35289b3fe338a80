package wire

import (
	"errors"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecodeRequestErrors(t *testing.T) {
	cases := []struct {
		name   string
		frame  jb
		record string
		field  string
		reason string
	}{
		{"short header", jb{}.i32(1).raw(0, 0), "RequestHeader", "type", "need 4 bytes, 2 remain"},
		{"empty frame", jb{}, "RequestHeader", "xid", "need 4 bytes, 0 remain"},
		{"path length beyond input", jb{}.reqHdr(1, 4).i32(100).raw('/'), "GetDataRequest", "path", "length 100 needs at least 100 bytes, 1 remain"},
		{"null path", jb{}.reqHdr(1, 4).null().boolean(false), "GetDataRequest", "path", "null ustring"},
		{"negative length", jb{}.reqHdr(1, 5).str("/a").i32(-2).i32(0), "SetDataRequest", "data", "negative length -2"},
		{"missing watch flag", jb{}.reqHdr(1, 3).str("/a"), "ExistsRequest", "watch", "need 1 bytes, 0 remain"},
		{"acl count beyond input", jb{}.reqHdr(1, 1).str("/a").null().i32(0x7fffffff).i32(0),
			"CreateRequest", "acl", "length 2147483647 needs at least 25769803764 bytes, 4 remain"},
		{"bad scheme in second acl", jb{}.reqHdr(1, 1).str("/a").null().i32(2).
			i32(31).str("world").str("anyone").i32(31).i32(50).raw('x'),
			"CreateRequest", "acl[1].id.scheme", "length 50 needs at least 50 bytes, 1 remain"},
		{"null watch name", jb{}.reqHdr(-8, 101).i64(0).i32(2).str("/a").null().i32(0).i32(0),
			"SetWatches", "dataWatches[1]", "null ustring"},
		{"watch count beyond input", jb{}.reqHdr(-8, 101).i64(0).i32(0).i32(1000).str("/a"),
			"SetWatches", "existWatches", "length 1000 needs at least 4000 bytes, 6 remain"},
		{"op type not allowed in multi", jb{}.reqHdr(1, 14).multiHdr(2, false, -1).str("/a").i32(0).
			multiHdr(OpSync, false, -1).str("/a").end(),
			"MultiRequest", "ops[1].type", "op type sync not allowed in multi"},
		{"multi op truncated", jb{}.reqHdr(1, 14).multiHdr(2, false, -1).str("/a"),
			"MultiRequest", "ops[0].version", "need 4 bytes, 0 remain"},
		{"multi without END", jb{}.reqHdr(1, 14).multiHdr(2, false, -1).str("/a").i32(0),
			"MultiRequest", "ops[1].type", "need 4 bytes, 0 remain"},
		{"multiRead op truncated", jb{}.reqHdr(1, 22).multiHdr(4, false, -1).str("/a"),
			"MultiReadRequest", "ops[0].watch", "need 1 bytes, 0 remain"},
		{"createTTL without ttl", jb{}.reqHdr(1, 21).str("/t").null().worldACL().i32(5),
			"CreateTTLRequest", "ttl", "need 8 bytes, 0 remain"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, r, err := DecodeRequest(tc.frame)
			require.Nil(t, r)
			require.ErrorIs(t, err, ErrMalformed)
			var de *DecodeError
			require.True(t, errors.As(err, &de))
			require.Equal(t, tc.record, de.Record)
			require.Equal(t, tc.field, de.Field)
			require.Equal(t, tc.reason, de.Reason)
		})
	}
}

func TestDecodeRequestKeepsHeaderOnBodyError(t *testing.T) {
	h, _, err := DecodeRequest(jb{}.reqHdr(41, OpSetData).str("/a"))
	require.ErrorIs(t, err, ErrMalformed)
	require.Equal(t, RequestHeader{Xid: 41, Opcode: OpSetData}, h)
	require.Equal(t, "wire: SetDataRequest.data at offset 14: need 4 bytes, 0 remain", err.Error())
}

func TestDecodeRequestUnknownOpcode(t *testing.T) {
	for _, op := range []Opcode{99, OpNotification, OpError, 10, 23, 108, -12} {
		t.Run(op.String(), func(t *testing.T) {
			h, r, err := DecodeRequest(jb{}.reqHdr(5, op).str("/whatever"))
			require.Nil(t, r)
			require.ErrorIs(t, err, ErrUnknownOpcode)
			var ue *UnknownOpcodeError
			require.True(t, errors.As(err, &ue))
			require.Equal(t, RequestHeader{Xid: 5, Opcode: op}, ue.Header)
			require.Equal(t, ue.Header, h)
		})
	}
}

// Like ZooKeeper's record reader, bytes after the record are not an error.
func TestDecodeRequestIgnoresTrailingBytes(t *testing.T) {
	_, r, err := DecodeRequest(jb{}.reqHdr(1, OpPing).raw(1, 2, 3))
	require.NoError(t, err)
	require.Equal(t, &PingRequest{}, r)
	_, r, err = DecodeRequest(jb{}.reqHdr(1, OpSync).str("/a").raw(9))
	require.NoError(t, err)
	require.Equal(t, &SyncRequest{Path: "/a"}, r)
}

func TestDecodeBoolLikeJava(t *testing.T) {
	_, r, err := DecodeRequest(jb{}.reqHdr(1, OpExists).str("/a").raw(7))
	require.NoError(t, err)
	require.Equal(t, &ExistsRequest{Path: "/a", Watch: true}, r)
}

func TestDecodeNullVectorsStayNull(t *testing.T) {
	_, r, err := DecodeRequest(jb{}.reqHdr(1, OpSetWatches).i64(3).null().i32(0).null())
	require.NoError(t, err)
	sw := r.(*SetWatchesRequest)
	require.Nil(t, sw.DataWatches)
	require.NotNil(t, sw.ExistWatches)
	require.Empty(t, sw.ExistWatches)
	require.Nil(t, sw.ChildWatches)

	_, r, err = DecodeRequest(jb{}.reqHdr(1, OpCreate).str("/a").null().null().i32(0))
	require.NoError(t, err)
	require.Nil(t, r.(*CreateRequest).ACL)
	require.Nil(t, r.(*CreateRequest).Data)
}

// Every strict prefix of a valid request body is an error, never a panic or
// a shorter request. deleteContainer is excluded: its body is bare bytes.
func TestDecodeRequestTruncated(t *testing.T) {
	for _, req := range sampleRequests() {
		if req.Opcode() == OpDeleteContainer {
			continue
		}
		frame := EncodeRequest(3, req)
		for n := RequestHeaderSize; n < len(frame); n++ {
			_, r, err := DecodeRequest(frame[:n])
			require.ErrorIs(t, err, ErrMalformed, "%s cut to %d of %d bytes", req, n, len(frame))
			require.Nil(t, r)
		}
	}
}

// A frame of a few bytes that claims a huge vector must be refused before
// anything of that size is allocated.
func TestDecodeLyingCountsAllocateLittle(t *testing.T) {
	frames := []jb{
		jb{}.reqHdr(1, OpSetWatches).i64(0).i32(0x7fffffff).str("/a"),
		jb{}.reqHdr(1, OpCreate).str("/a").i32(0x7ffffff0).raw(1, 2),
		jb{}.reqHdr(1, OpSetACL).str("/a").i32(0x7fffffff).worldACL(),
		jb{}.reqHdr(1, OpMulti).multiHdr(OpCreate, false, -1).str("/a").null().i32(0x40000000),
	}
	for _, f := range frames {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _, err := DecodeRequest(f)
		runtime.ReadMemStats(&after)
		require.ErrorIs(t, err, ErrMalformed)
		require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64<<10))
	}
}

func TestDecodeBuffersDoNotAliasTheFrame(t *testing.T) {
	frame := EncodeRequest(1, &SetDataRequest{Path: "/a", Data: []byte("abc")})
	_, r, err := DecodeRequest(frame)
	require.NoError(t, err)
	for i := range frame {
		frame[i] = 0
	}
	require.Equal(t, []byte("abc"), r.(*SetDataRequest).Data)
}

func TestDecodeConnectErrors(t *testing.T) {
	cases := []struct {
		name  string
		body  jb
		field string
	}{
		{"empty", jb{}, "protocolVersion"},
		{"short", jb{}.i32(0).i64(0).i32(30000), "sessionId"},
		{"passwd beyond input", jb{}.i32(0).i64(0).i32(30000).i64(0).i32(16).raw(1, 2), "passwd"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeConnectRequest(tc.body)
			var de *DecodeError
			require.True(t, errors.As(err, &de))
			require.Equal(t, "ConnectRequest", de.Record)
			require.Equal(t, tc.field, de.Field)
		})
	}
}

func TestDecodeConnectResponseErrors(t *testing.T) {
	_, err := DecodeConnectResponse(jb{}.i32(0).i32(4000).i64(1).i32(16).raw(1, 2))
	var de *DecodeError
	require.True(t, errors.As(err, &de))
	require.Equal(t, "ConnectResponse", de.Record)
	require.Equal(t, "passwd", de.Field)
	require.Equal(t, 16, de.Offset)
}

// A null passwd and extra trailing bytes are accepted, as ZooKeeper does.
func TestDecodeConnectLenient(t *testing.T) {
	c, err := DecodeConnectRequest(jb{}.i32(0).i64(0).i32(1).i64(0).null().raw(1, 0xee, 0xee))
	require.NoError(t, err)
	require.Equal(t, &ConnectRequest{TimeOut: 1, ReadOnly: true, HasReadOnly: true}, c)
}

func TestDecodeReplyErrors(t *testing.T) {
	_, _, err := DecodeReply(OpGetData, jb{}.replyHdr(1, 2, 0).i32(5).raw('a'))
	var de *DecodeError
	require.True(t, errors.As(err, &de))
	require.Equal(t, "GetDataResponse", de.Record)
	require.Equal(t, "data", de.Field)

	_, _, err = DecodeReply(OpGetData, jb{}.replyHdr(1, 2, 0).buf([]byte("a")).i64(1))
	require.True(t, errors.As(err, &de))
	require.Equal(t, "stat.mzxid", de.Field)

	_, _, err = DecodeReply(OpMulti, jb{}.replyHdr(1, 2, 0).multiHdr(OpSync, false, 0).end())
	require.True(t, errors.As(err, &de))
	require.Equal(t, "results[0].type", de.Field)

	_, _, err = DecodeReply(OpMulti, jb{}.replyHdr(1, 2, 0).multiHdr(OpCreate, false, 0).str("/a"))
	require.True(t, errors.As(err, &de))
	require.Equal(t, "results[1].type", de.Field)

	_, _, err = DecodeReply(OpSASL, jb{}.replyHdr(1, 2, 0).buf([]byte("t")))
	require.ErrorIs(t, err, ErrUnknownOpcode)

	_, _, err = DecodeReply(OpGetData, jb{}.replyHdr(-1, -1, 0).i32(3).i32(3))
	require.True(t, errors.As(err, &de))
	require.Equal(t, "WatcherEvent", de.Record)
	require.Equal(t, "path", de.Field)

	_, _, err = DecodeReply(OpGetData, jb{}.i32(1))
	require.True(t, errors.As(err, &de))
	require.Equal(t, "ReplyHeader", de.Record)
}
