package wire

import (
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/zabsim/zabsim/internal/zkserver"
)

// rawClient talks to a real ZooKeeper with this codec alone. Every reply it
// reads must decode, and must re-encode to exactly the bytes ZooKeeper sent.
type rawClient struct {
	t      *testing.T
	c      net.Conn
	xid    int32
	events []*WatcherEvent
}

func dialRaw(t *testing.T, addr string, creq *ConnectRequest) (*rawClient, *ConnectResponse) {
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.SetDeadline(time.Now().Add(60*time.Second)))
	require.NoError(t, WriteFrame(c, EncodeConnectRequest(creq)))
	body, err := ReadFrame(c, 0)
	require.NoError(t, err)
	resp, err := DecodeConnectResponse(body)
	require.NoError(t, err)
	require.Equal(t, body, EncodeConnectResponse(resp))
	return &rawClient{t: t, c: c}, resp
}

// call sends req and returns its reply, collecting notifications that
// arrive first.
func (r *rawClient) call(xid int32, req Request) (ReplyHeader, Response) {
	r.t.Helper()
	require.NoError(r.t, WriteFrame(r.c, EncodeRequest(xid, req)))
	for range 100 {
		body, err := ReadFrame(r.c, 0)
		require.NoError(r.t, err, "reply to %s", req)
		h, resp, err := DecodeReply(req.Opcode(), body)
		require.NoError(r.t, err, "reply to %s", req)
		require.Equal(r.t, body, EncodeReply(h, resp), "reply to %s re-encodes differently", req)
		if h.Xid == XidNotification {
			r.events = append(r.events, resp.(*WatcherEvent))
			continue
		}
		require.Equal(r.t, xid, h.Xid)
		return h, resp
	}
	r.t.Fatalf("no reply to %s among 100 frames", req)
	return ReplyHeader{}, nil
}

func (r *rawClient) ok(req Request) Response {
	r.t.Helper()
	r.xid++
	h, resp := r.call(r.xid, req)
	require.Equal(r.t, ErrOK, h.Err, "%s", req)
	return resp
}

func (r *rawClient) fails(req Request, code ErrCode) {
	r.t.Helper()
	r.xid++
	h, resp := r.call(r.xid, req)
	require.Equal(r.t, code, h.Err, "%s", req)
	require.Nil(r.t, resp)
}

func (r *rawClient) closed() {
	r.t.Helper()
	_, err := ReadFrame(r.c, 0)
	require.True(r.t, errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || isReset(err), "%v", err)
}

func isReset(err error) bool { return errors.Is(err, syscall.ECONNRESET) }

// TestAgainstRealZooKeeper runs every opcode a client may send through a
// real ZooKeeper 3.8: ZooKeeper must accept the requests this codec writes,
// and this codec must read back, byte for byte, what ZooKeeper answers.
func TestAgainstRealZooKeeper(t *testing.T) {
	zk := zkserver.StartT(t)
	java, resp := dialRaw(t, zk.Addr, &ConnectRequest{TimeOut: 30000, Passwd: make([]byte, PasswdSize), HasReadOnly: true})
	require.True(t, resp.HasReadOnly)
	require.NotZero(t, resp.SessionID)
	require.Len(t, resp.Passwd, PasswdSize)
	c, resp44 := dialRaw(t, zk.Addr, &ConnectRequest{TimeOut: 4000, Passwd: make([]byte, PasswdSize)})
	require.False(t, resp44.HasReadOnly)
	require.Equal(t, int32(4000), resp44.TimeOut)

	acl := WorldACL
	cr := c.ok(&Create2Request{Path: "/w", Data: []byte("d"), ACL: acl}).(*Create2Response)
	require.Equal(t, "/w", cr.Path)
	require.Equal(t, int32(1), cr.Stat.DataLength)
	require.Equal(t, &CreateResponse{Path: "/w/c"}, c.ok(&CreateRequest{Path: "/w/c", Data: []byte{}, ACL: acl}))
	require.Equal(t, &CreateResponse{Path: "/w/e"}, c.ok(&CreateRequest{Path: "/w/e", ACL: acl, Flags: 1}))
	require.Equal(t, "/w/k", c.ok(&CreateContainerRequest{Path: "/w/k", Data: []byte{}, ACL: acl, Flags: 4}).(*Create2Response).Path)
	c.fails(&CreateTTLRequest{Path: "/w/t", Data: []byte{}, ACL: acl, Flags: 5, TTL: 1000}, ErrUnimplemented)
	c.fails(&CreateRequest{Path: "/w", ACL: acl}, ErrNodeExists)

	// ZooKeeper keeps children in a HashSet: this order is its hash order
	// ("c" and "k" share a bucket), not the order of creation.
	require.Equal(t, &GetChildrenResponse{Children: []string{"c", "k", "e"}}, c.ok(&GetChildrenRequest{Path: "/w"}))
	children2 := c.ok(&GetChildren2Request{Path: "/w"}).(*GetChildren2Response)
	require.Equal(t, int32(3), children2.Stat.NumChildren)
	require.Equal(t, &GetChildrenResponse{Children: []string{}}, c.ok(&GetChildrenRequest{Path: "/w/c"}))
	data := c.ok(&GetDataRequest{Path: "/w", Watch: true}).(*GetDataResponse)
	require.Equal(t, []byte("d"), data.Data)
	require.Equal(t, []byte{}, c.ok(&GetDataRequest{Path: "/w/c"}).(*GetDataResponse).Data)
	require.Nil(t, c.ok(&GetDataRequest{Path: "/w/e"}).(*GetDataResponse).Data)
	c.fails(&ExistsRequest{Path: "/w/nope"}, ErrNoNode)
	require.Equal(t, data.Stat, c.ok(&ExistsRequest{Path: "/w"}).(*StatResponse).Stat)

	c.ok(&CheckWatchesRequest{Path: "/w", Type: 2})
	c.ok(&RemoveWatchesRequest{Path: "/w", Type: 2})
	c.fails(&CheckWatchesRequest{Path: "/w", Type: 2}, ErrNoWatcher)

	require.Equal(t, &ErrorResponse{Err: ErrOK}, c.ok(&AddWatchRequest{Path: "/w", Mode: 0}))
	set := c.ok(&SetDataRequest{Path: "/w", Data: []byte("dd"), Version: 0}).(*StatResponse)
	require.Equal(t, int32(1), set.Stat.Version)
	require.Equal(t, []*WatcherEvent{{Type: EventNodeDataChanged, State: StateSyncConnected, Path: "/w"}}, c.events)

	require.Equal(t, &GetACLResponse{ACL: acl, Stat: set.Stat}, c.ok(&GetACLRequest{Path: "/w"}))
	require.Equal(t, int32(1), c.ok(&SetACLRequest{Path: "/w", ACL: acl, Version: 0}).(*StatResponse).Stat.Aversion)
	require.Equal(t, &SyncResponse{Path: "/w"}, c.ok(&SyncRequest{Path: "/w"}))
	require.Equal(t, &GetEphemeralsResponse{Ephemerals: []string{"/w/e"}}, c.ok(&GetEphemeralsRequest{PrefixPath: "/w"}))
	require.Equal(t, &GetAllChildrenNumberResponse{TotalNumber: 3}, c.ok(&GetAllChildrenNumberRequest{Path: "/w"}))
	require.Equal(t, &WhoAmIResponse{ClientInfo: []ClientInfo{{AuthScheme: "ip", User: "127.0.0.1"}}}, c.ok(&WhoAmIRequest{}))

	multi := c.ok(&MultiRequest{Ops: []MultiOp{
		&CreateRequest{Path: "/w/m", Data: []byte{}, ACL: acl},
		&Create2Request{Path: "/w/s-", Data: []byte{}, ACL: acl, Flags: 2},
		&SetDataRequest{Path: "/w", Data: []byte("m"), Version: 1},
		&CheckVersionRequest{Path: "/w", Version: 2},
		&DeleteRequest{Path: "/w/m", Version: 0},
	}}).(*MultiResponse)
	require.Len(t, multi.Results, 5)
	require.Equal(t, MultiResult{Type: OpCreate, Body: &CreateResponse{Path: "/w/m"}}, multi.Results[0])
	require.Equal(t, OpCreate, multi.Results[1].Type, "a create2 inside multi is answered as create")
	require.Equal(t, MultiResult{Type: OpCheck}, multi.Results[3])
	require.Equal(t, MultiResult{Type: OpDelete}, multi.Results[4])
	containerInMulti := c.ok(&MultiRequest{Ops: []MultiOp{
		&CreateContainerRequest{Path: "/w/mc", Data: []byte{}, ACL: acl, Flags: 4},
		&CreateRequest{Path: "/w/mc2", Data: []byte{}, ACL: acl, Flags: 4},
		&Create2Request{Path: "/w/mc3", Data: []byte{}, ACL: acl, Flags: 0},
	}}).(*MultiResponse)
	// Inside multi the flags, not the opcode, pick the result: container
	// flags give create2 with a Stat, a create2 op without them gives create.
	require.Equal(t, []Opcode{OpCreate2, OpCreate2, OpCreate}, []Opcode{
		containerInMulti.Results[0].Type, containerInMulti.Results[1].Type, containerInMulti.Results[2].Type,
	})
	require.Equal(t, "/w/mc2", containerInMulti.Results[1].Body.(*Create2Response).Path)
	require.Equal(t, &CreateResponse{Path: "/w/mc3"}, containerInMulti.Results[2].Body)
	failed := c.ok(&MultiRequest{Ops: []MultiOp{
		&CreateRequest{Path: "/w/x", Data: []byte{}, ACL: acl},
		&SetDataRequest{Path: "/w/nope", Version: -1},
	}}).(*MultiResponse)
	require.Equal(t, []MultiResult{MultiError(ErrOK), MultiError(ErrNoNode)}, failed.Results)
	require.Equal(t, &MultiResponse{Results: []MultiResult{}}, c.ok(&MultiRequest{Ops: []MultiOp{}}))

	read := c.ok(&MultiReadRequest{Ops: []MultiOp{
		&GetDataRequest{Path: "/w"}, &GetDataRequest{Path: "/w/nope"}, &GetChildrenRequest{Path: "/w/c"},
	}}).(*MultiResponse)
	require.Equal(t, OpGetData, read.Results[0].Type)
	require.Equal(t, MultiError(ErrNoNode), read.Results[1])
	require.Equal(t, MultiResult{Type: OpGetChildren, Body: &GetChildrenResponse{Children: []string{}}}, read.Results[2])

	c.ok(&SetWatchesRequest{RelativeZxid: set.Stat.Mzxid, DataWatches: []string{"/w"}, ExistWatches: []string{}, ChildWatches: []string{}})
	c.ok(&SetWatches2Request{RelativeZxid: set.Stat.Mzxid, DataWatches: []string{}, ExistWatches: []string{},
		ChildWatches: []string{}, PersistentWatches: []string{"/w/c"}, PersistentRecursiveWatches: []string{}})
	c.ok(&AuthRequest{Scheme: "digest", Auth: []byte("u:p")})
	c.fails(&ReconfigRequest{CurConfigID: -1}, ErrReconfigDisabled)
	c.fails(&DeleteContainerRequest{Path: "/w/k"}, ErrBadArguments)
	c.fails(&DeleteRequest{Path: "/w/c", Version: 5}, ErrBadVersion)
	c.ok(&DeleteRequest{Path: "/w/c", Version: -1})

	h, body := c.call(XidPing, &PingRequest{})
	require.Equal(t, ReplyHeader{Xid: XidPing, Zxid: h.Zxid}, h)
	require.Nil(t, body)

	// An unknown opcode: UNIMPLEMENTED with zxid -1, then the connection closes.
	require.NoError(t, WriteFrame(c.c, append(jb{}.reqHdr(55, 99), "/w"...)))
	frame, err := ReadFrame(c.c, 0)
	require.NoError(t, err)
	h, body, err = DecodeReply(OpPing, frame)
	require.NoError(t, err)
	require.Equal(t, ReplyHeader{Xid: 55, Zxid: -1, Err: ErrUnimplemented}, h)
	require.Nil(t, body)
	c.closed()

	java.ok(&CloseSessionRequest{})
	java.closed()
}

// TestRealZooKeeperFrameLimit checks DefaultMaxRequestFrame against the real
// server: a request frame of exactly that length is served, its getData
// reply (longer than the limit) is read back, and one more byte closes the
// connection without a reply.
func TestRealZooKeeperFrameLimit(t *testing.T) {
	zk := zkserver.StartT(t)
	c, _ := dialRaw(t, zk.Addr, &ConnectRequest{TimeOut: 4000, Passwd: make([]byte, PasswdSize)})
	c.ok(&CreateRequest{Path: "/big", Data: []byte{}, ACL: WorldACL})
	largest := &SetDataRequest{Path: "/big", Data: make([]byte, DefaultMaxRequestFrame-20-len("/big")), Version: -1}
	require.Len(t, EncodeRequest(1, largest), DefaultMaxRequestFrame)
	c.ok(largest)
	got := c.ok(&GetDataRequest{Path: "/big"}).(*GetDataResponse)
	require.Len(t, got.Data, len(largest.Data))

	over := &SetDataRequest{Path: "/big", Data: make([]byte, len(largest.Data)+1), Version: -1}
	require.NoError(t, WriteFrame(c.c, EncodeRequest(99, over)))
	c.closed()
}
