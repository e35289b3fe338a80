package wire

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzDecodeRequest feeds arbitrary frame bodies to DecodeRequest. It must
// never panic, every failure must be one of the documented error kinds, and
// a request that decodes must re-encode to bytes that decode to the same
// header and value.
func FuzzDecodeRequest(f *testing.F) {
	for i, r := range sampleRequests() {
		f.Add(EncodeRequest(int32(i), r))
	}
	f.Add([]byte(jb{}.reqHdr(1, 99).str("/x")))
	f.Add([]byte(jb{}.reqHdr(1, OpMulti).multiHdr(OpCreate, false, -1).str("/a").null().i32(0x7fffffff)))
	f.Add([]byte(jb{}.reqHdr(1, OpMulti).multiHdr(OpGetData, false, 7).str("/a").raw(2).multiHdr(5, true, 0)))
	f.Fuzz(func(t *testing.T, body []byte) {
		h, r, err := DecodeRequest(body)
		if err != nil {
			require.Nil(t, r)
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnknownOpcode) {
				t.Fatalf("undocumented error %T: %v", err, err)
			}
			return
		}
		require.Equal(t, h.Opcode, r.Opcode())
		again := EncodeRequest(h.Xid, r)
		h2, r2, err := DecodeRequest(again)
		require.NoError(t, err, "re-encoded %s", r)
		require.Equal(t, h, h2)
		require.Equal(t, r, r2)
		require.Equal(t, again, EncodeRequest(h2.Xid, r2))
		require.NotContains(t, r.String(), "\n")
	})
}

// FuzzDecodeConnect does the same for the handshake record, including the
// optional readOnly byte.
func FuzzDecodeConnect(f *testing.F) {
	f.Add([]byte(EncodeConnectRequest(&ConnectRequest{TimeOut: 30000, Passwd: make([]byte, 16)})))
	f.Add([]byte(EncodeConnectRequest(&ConnectRequest{TimeOut: 30000, Passwd: make([]byte, 16), HasReadOnly: true})))
	f.Add([]byte(jb{}.i32(0).i64(1).i32(2).i64(3).null()))
	f.Add([]byte(jb{}.i32(0).i64(1).i32(2).i64(3).i32(0x7fffffff)))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := DecodeConnectRequest(body)
		if err != nil {
			require.Nil(t, c)
			require.ErrorIs(t, err, ErrMalformed)
			return
		}
		again := EncodeConnectRequest(c)
		c2, err := DecodeConnectRequest(again)
		require.NoError(t, err)
		require.Equal(t, c, c2)
		require.NotContains(t, c.String(), "\n")

		resp := &ConnectResponse{TimeOut: c.TimeOut, SessionID: c.SessionID, Passwd: c.Passwd,
			ReadOnly: c.ReadOnly, HasReadOnly: c.HasReadOnly}
		r2, err := DecodeConnectResponse(EncodeConnectResponse(resp))
		require.NoError(t, err)
		require.Equal(t, resp, r2)
	})
}

// FuzzDecodeReply feeds arbitrary reply frames to DecodeReply for every
// opcode it knows. Replies are written without null vectors, so the first
// re-encoding may normalise one; from then on encoding must be a fixpoint.
func FuzzDecodeReply(f *testing.F) {
	for _, r := range sampleResponses() {
		f.Add(int32(r.op), EncodeReply(ReplyHeader{Xid: 1, Zxid: 2}, r.body))
	}
	f.Add(int32(OpGetData), EncodeNotification(&WatcherEvent{Type: EventNodeDeleted, State: StateSyncConnected, Path: "/a"}))
	f.Add(int32(OpGetChildren), []byte(jb{}.replyHdr(1, 2, 0).null()))
	f.Fuzz(func(t *testing.T, op int32, body []byte) {
		h, r, err := DecodeReply(Opcode(op), body)
		if err != nil {
			require.Nil(t, r)
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnknownOpcode) {
				t.Fatalf("undocumented error %T: %v", err, err)
			}
			return
		}
		once := EncodeReply(h, r)
		h2, r2, err := DecodeReply(Opcode(op), once)
		require.NoError(t, err)
		require.Equal(t, h, h2)
		require.Equal(t, once, EncodeReply(h2, r2))
		if r != nil {
			require.NotContains(t, r.String(), "\n")
		}
	})
}
