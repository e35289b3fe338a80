package wire

import (
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/stretchr/testify/require"
)

// cannedServer speaks the client protocol with this package's codec only,
// answering from a fixed script, so a real go-zookeeper client can show that
// it parses every reply this codec writes. It listens on loopback and serves
// at most maxConns connections.
type cannedServer struct {
	t  *testing.T
	ln net.Listener
	wg sync.WaitGroup

	mu          sync.Mutex
	refuseFirst bool
	connects    []*ConnectRequest
	requests    []Request
	pings       chan struct{}
}

const (
	cannedSession = int64(0x1000050413300aa)
	cannedTimeout = 1500 // ms: a ping every 500 ms
	maxConns      = 4
)

func startCannedServer(t *testing.T, refuseFirst bool) *cannedServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &cannedServer{t: t, ln: ln, refuseFirst: refuseFirst, pings: make(chan struct{}, 1)}
	s.wg.Add(1)
	go s.acceptLoop()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

func (s *cannedServer) acceptLoop() {
	defer s.wg.Done()
	for range maxConns {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			s.serve(c)
		}()
	}
}

func (s *cannedServer) serve(c net.Conn) {
	// A dead client must not hang the test: nothing here waits longer.
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	body, err := ReadFrame(c, DefaultMaxRequestFrame)
	if err != nil {
		return
	}
	creq, err := DecodeConnectRequest(body)
	if err != nil {
		s.t.Errorf("connect request: %v", err)
		return
	}
	s.mu.Lock()
	s.connects = append(s.connects, creq)
	refuse := s.refuseFirst && len(s.connects) == 1
	s.mu.Unlock()
	if refuse {
		_ = WriteFrame(c, EncodeConnectResponse(creq.Refuse()))
		return
	}
	passwd := []byte("0123456789abcdef")
	if WriteFrame(c, EncodeConnectResponse(creq.Accept(cannedTimeout, cannedSession, passwd))) != nil {
		return
	}
	zxid := int64(0x100)
	for {
		body, err := ReadFrame(c, DefaultMaxRequestFrame)
		if err != nil {
			return
		}
		h, req, err := DecodeRequest(body)
		if err != nil {
			s.t.Errorf("request %v: %v", h, err)
			return
		}
		if sync, ok := req.(*SyncRequest); ok && sync.Path == "/drop" {
			return
		}
		zxid++
		if req.Opcode() == OpPing {
			select {
			case s.pings <- struct{}{}:
			default:
			}
		} else {
			s.mu.Lock()
			s.requests = append(s.requests, req)
			s.mu.Unlock()
		}
		hdr, reply, event := cannedAnswer(h, req, zxid)
		if WriteFrame(c, EncodeReply(hdr, reply)) != nil {
			return
		}
		if event != nil && WriteFrame(c, EncodeNotification(event)) != nil {
			return
		}
		if req.Opcode() == OpCloseSession {
			return
		}
	}
}

var cannedStat = Stat{
	Czxid: 0x10, Mzxid: 0x11, Ctime: 1700000000001, Mtime: 1700000000002, Version: 2,
	Cversion: 3, Aversion: 1, EphemeralOwner: cannedSession, DataLength: 5, NumChildren: 2, Pzxid: 0x12,
}

// cannedAnswer is the script: paths under /missing fail with NONODE, the
// rest succeed with fixed bodies, and getData on /watched is followed by a
// NodeDataChanged notification. (sync /drop, handled in serve, drops the
// connection without a reply.)
func cannedAnswer(h RequestHeader, req Request, zxid int64) (ReplyHeader, Response, *WatcherEvent) {
	ok := ReplyHeader{Xid: h.Xid, Zxid: zxid}
	fail := func(code ErrCode) (ReplyHeader, Response, *WatcherEvent) {
		return ReplyHeader{Xid: h.Xid, Zxid: zxid, Err: code}, nil, nil
	}
	switch r := req.(type) {
	case *PingRequest:
		return ReplyHeader{Xid: XidPing, Zxid: zxid}, nil, nil
	case *CreateRequest:
		if r.Path == "/exists" {
			return fail(ErrNodeExists)
		}
		return ok, &CreateResponse{Path: r.Path + "0000000007"}, nil
	case *CreateContainerRequest:
		return ok, &Create2Response{Path: r.Path, Stat: cannedStat}, nil
	case *CreateTTLRequest:
		return ok, &Create2Response{Path: r.Path, Stat: cannedStat}, nil
	case *GetDataRequest:
		if r.Path == "/missing" {
			return fail(ErrNoNode)
		}
		var ev *WatcherEvent
		if r.Path == "/watched" {
			ev = &WatcherEvent{Type: EventNodeDataChanged, State: StateSyncConnected, Path: r.Path}
		}
		return ok, &GetDataResponse{Data: []byte("hello"), Stat: cannedStat}, ev
	case *ExistsRequest:
		if r.Path == "/missing" {
			return fail(ErrNoNode)
		}
		return ok, &StatResponse{Stat: cannedStat}, nil
	case *GetChildren2Request:
		if r.Path == "/leaf" {
			return ok, &GetChildren2Response{Stat: cannedStat}, nil
		}
		return ok, &GetChildren2Response{Children: []string{"b", "a"}, Stat: cannedStat}, nil
	case *SetDataRequest:
		return ok, &StatResponse{Stat: cannedStat}, nil
	case *DeleteRequest:
		if r.Path == "/missing" {
			return fail(ErrNoNode)
		}
		return ok, nil, nil
	case *SyncRequest:
		return ok, &SyncResponse{Path: r.Path}, nil
	case *GetACLRequest:
		return ok, &GetACLResponse{ACL: WorldACL, Stat: cannedStat}, nil
	case *SetACLRequest:
		return ok, &StatResponse{Stat: cannedStat}, nil
	case *MultiRequest:
		return ok, cannedMulti(r), nil
	case *AuthRequest, *CloseSessionRequest, *SetWatchesRequest:
		return ok, nil, nil
	}
	return fail(ErrUnimplemented)
}

// cannedMulti succeeds unless an op touches /missing; then, like ZooKeeper,
// the header err stays 0 and each op gets an error result.
func cannedMulti(r *MultiRequest) *MultiResponse {
	failed := -1
	for i, op := range r.Ops {
		if d, isDelete := op.(*DeleteRequest); isDelete && d.Path == "/missing" {
			failed = i
			break
		}
	}
	resp := &MultiResponse{}
	for i, op := range r.Ops {
		switch {
		case failed >= 0 && i < failed:
			resp.Results = append(resp.Results, MultiError(ErrOK))
		case i == failed:
			resp.Results = append(resp.Results, MultiError(ErrNoNode))
		case failed >= 0:
			resp.Results = append(resp.Results, MultiError(ErrRuntimeInconsistency))
		default:
			switch o := op.(type) {
			case *CreateRequest:
				resp.Results = append(resp.Results, MultiResult{Type: OpCreate, Body: &CreateResponse{Path: o.Path}})
			case *SetDataRequest:
				resp.Results = append(resp.Results, MultiResult{Type: OpSetData, Body: &StatResponse{Stat: cannedStat}})
			default:
				resp.Results = append(resp.Results, MultiResult{Type: op.Opcode()})
			}
		}
	}
	return resp
}

type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}

func zkStat() *zk.Stat {
	s := cannedStat
	return &zk.Stat{Czxid: s.Czxid, Mzxid: s.Mzxid, Ctime: s.Ctime, Mtime: s.Mtime, Version: s.Version,
		Cversion: s.Cversion, Aversion: s.Aversion, EphemeralOwner: s.EphemeralOwner,
		DataLength: s.DataLength, NumChildren: s.NumChildren, Pzxid: s.Pzxid}
}

// TestGoZookeeperParsesOurBytes drives a real go-zookeeper v1.0.4 client
// against cannedServer: every call below only succeeds if go-zookeeper
// accepts the frames this codec wrote, and the server side only records
// requests if this codec decoded go-zookeeper's frames.
func TestGoZookeeperParsesOurBytes(t *testing.T) {
	s := startCannedServer(t, false)
	conn, events, err := zk.Connect([]string{s.ln.Addr().String()}, 10*time.Second,
		zk.WithLogger(quietLogger{}), zk.WithLogInfo(false))
	require.NoError(t, err)
	defer conn.Close()
	waitForSession(t, events)
	require.Equal(t, cannedSession, conn.SessionID())

	path, err := conn.Create("/seq-", []byte("v"), zk.FlagSequence, zk.WorldACL(zk.PermAll))
	require.NoError(t, err)
	require.Equal(t, "/seq-0000000007", path)

	_, err = conn.Create("/exists", nil, 0, zk.WorldACL(zk.PermAll))
	require.ErrorIs(t, err, zk.ErrNodeExists)

	data, stat, err := conn.Get("/a")
	require.NoError(t, err)
	require.Equal(t, []byte("hello"), data)
	require.Equal(t, zkStat(), stat)

	_, _, err = conn.Get("/missing")
	require.ErrorIs(t, err, zk.ErrNoNode)

	_, _, watch, err := conn.GetW("/watched")
	require.NoError(t, err)
	select {
	case ev := <-watch:
		require.Equal(t, zk.EventNodeDataChanged, ev.Type)
		require.Equal(t, "/watched", ev.Path)
	case <-time.After(5 * time.Second):
		t.Fatal("no watch event")
	}

	exists, stat, err := conn.Exists("/a")
	require.NoError(t, err)
	require.True(t, exists)
	require.Equal(t, zkStat(), stat)
	exists, _, err = conn.Exists("/missing")
	require.NoError(t, err)
	require.False(t, exists)

	children, stat, err := conn.Children("/")
	require.NoError(t, err)
	require.Equal(t, []string{"b", "a"}, children)
	require.Equal(t, zkStat(), stat)
	children, _, err = conn.Children("/leaf")
	require.NoError(t, err)
	require.Empty(t, children)

	stat, err = conn.Set("/a", []byte("new"), 2)
	require.NoError(t, err)
	require.Equal(t, zkStat(), stat)

	require.NoError(t, conn.Delete("/a", -1))
	require.ErrorIs(t, conn.Delete("/missing", 0), zk.ErrNoNode)

	synced, err := conn.Sync("/a")
	require.NoError(t, err)
	require.Equal(t, "/a", synced)

	acl, stat, err := conn.GetACL("/a")
	require.NoError(t, err)
	require.Equal(t, zk.WorldACL(zk.PermAll), acl)
	require.Equal(t, zkStat(), stat)
	_, err = conn.SetACL("/a", zk.DigestACL(zk.PermRead, "u", "p"), 1)
	require.NoError(t, err)

	path, err = conn.CreateContainer("/cont", []byte{}, zk.FlagContainer, zk.WorldACL(zk.PermAll))
	require.NoError(t, err)
	require.Equal(t, "/cont", path)
	path, err = conn.CreateTTL("/ttl", []byte{}, zk.FlagTTL, zk.WorldACL(zk.PermAll), 10*time.Second)
	require.NoError(t, err)
	require.Equal(t, "/ttl", path)

	require.NoError(t, conn.AddAuth("digest", []byte("u:p")))

	results, err := conn.Multi(
		&zk.CreateRequest{Path: "/m", Data: []byte("x"), Acl: zk.WorldACL(zk.PermAll)},
		&zk.SetDataRequest{Path: "/m", Data: []byte("y"), Version: -1},
		&zk.CheckVersionRequest{Path: "/m", Version: 1},
		&zk.DeleteRequest{Path: "/m", Version: -1},
	)
	require.NoError(t, err)
	require.Len(t, results, 4)
	require.Equal(t, "/m", results[0].String)
	require.Equal(t, zkStat(), results[1].Stat)
	for _, r := range results {
		require.NoError(t, r.Error)
	}

	results, err = conn.Multi(
		&zk.CreateRequest{Path: "/x", Acl: zk.WorldACL(zk.PermAll)},
		&zk.DeleteRequest{Path: "/missing", Version: -1},
		&zk.CreateRequest{Path: "/y", Acl: zk.WorldACL(zk.PermAll)},
	)
	require.ErrorIs(t, err, zk.ErrNoNode)
	require.Len(t, results, 3)
	require.NoError(t, results[0].Error)
	require.ErrorIs(t, results[1].Error, zk.ErrNoNode)
	require.Error(t, results[2].Error)

	select {
	case <-s.pings:
	case <-time.After(5 * time.Second):
		t.Fatal("no ping within 5 s")
	}
	require.Equal(t, zk.StateHasSession, conn.State())

	conn.Close()
	s.ln.Close()
	s.wg.Wait()

	s.mu.Lock()
	defer s.mu.Unlock()
	require.NotEmpty(t, s.connects)
	require.False(t, s.connects[0].HasReadOnly, "go-zookeeper sends the 44-byte ConnectRequest")
	require.Equal(t, int32(10000), s.connects[0].TimeOut)
	require.Len(t, s.connects[0].Passwd, 16)
	require.Equal(t, &CreateRequest{Path: "/seq-", Data: []byte("v"), ACL: WorldACL, Flags: 2}, s.requests[0])
	require.Equal(t, &CreateRequest{Path: "/exists", Data: nil, ACL: WorldACL, Flags: 0}, s.requests[1])
	require.Contains(t, s.requests, Request(&GetChildren2Request{Path: "/leaf"}))
	require.Contains(t, s.requests, Request(&GetDataRequest{Path: "/watched", Watch: true}))
	require.Contains(t, s.requests, Request(&CreateContainerRequest{Path: "/cont", Data: []byte{}, ACL: WorldACL, Flags: 4}))
	require.Contains(t, s.requests, Request(&CreateTTLRequest{Path: "/ttl", Data: []byte{}, ACL: WorldACL, Flags: 5, TTL: 10000}))
	require.Contains(t, s.requests, Request(&AuthRequest{Type: 0, Scheme: "digest", Auth: []byte("u:p")}))
	require.Contains(t, s.requests, Request(&MultiRequest{Ops: []MultiOp{
		&CreateRequest{Path: "/m", Data: []byte("x"), ACL: WorldACL},
		&SetDataRequest{Path: "/m", Data: []byte("y"), Version: -1},
		&CheckVersionRequest{Path: "/m", Version: 1},
		&DeleteRequest{Path: "/m", Version: -1},
	}}))
	require.Equal(t, &CloseSessionRequest{}, s.requests[len(s.requests)-1])
}

func waitForSession(t *testing.T, events <-chan zk.Event) {
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.State == zk.StateHasSession {
				return
			}
		case <-deadline:
			t.Fatal(errors.New("no session within 10 s"))
		}
	}
}

// TestGoZookeeperResumesWithSetWatches drops the connection under a client
// with pending watches: go-zookeeper must resume the session with a
// ConnectRequest this codec decodes, then re-arm its watches with a
// setWatches request carrying the last zxid it saw.
func TestGoZookeeperResumesWithSetWatches(t *testing.T) {
	s := startCannedServer(t, false)
	conn, events, err := zk.Connect([]string{s.ln.Addr().String()}, 10*time.Second,
		zk.WithLogger(quietLogger{}), zk.WithLogInfo(false))
	require.NoError(t, err)
	defer conn.Close()
	waitForSession(t, events)

	_, _, _, err = conn.ExistsW("/missing")
	require.NoError(t, err)
	_, _, _, err = conn.GetW("/a")
	require.NoError(t, err)
	_, _, _, err = conn.ChildrenW("/")
	require.NoError(t, err)
	// Replies 0x101..0x103 on the first connection: the last zxid seen.
	const lastZxid = 0x103

	_, err = conn.Sync("/drop")
	require.Error(t, err)
	waitForSession(t, events)

	deadline := time.Now().Add(10 * time.Second)
	var setWatches *SetWatchesRequest
	for setWatches == nil && time.Now().Before(deadline) {
		s.mu.Lock()
		for _, r := range s.requests {
			if sw, ok := r.(*SetWatchesRequest); ok {
				setWatches = sw
			}
		}
		s.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	require.NotNil(t, setWatches, "no setWatches after the reconnect")
	require.Equal(t, &SetWatchesRequest{
		RelativeZxid: lastZxid,
		DataWatches:  []string{"/a"},
		ExistWatches: []string{"/missing"},
		ChildWatches: []string{"/"},
	}, setWatches)

	s.mu.Lock()
	defer s.mu.Unlock()
	require.Len(t, s.connects, 2)
	resume := s.connects[1]
	require.Equal(t, cannedSession, resume.SessionID)
	require.Equal(t, []byte("0123456789abcdef"), resume.Passwd)
	require.Equal(t, int64(lastZxid), resume.LastZxidSeen)
	require.Equal(t, int32(cannedTimeout), resume.TimeOut)
}

// TestGoZookeeperSeesRefusalAsExpired answers the first ConnectRequest with
// Refuse(): go-zookeeper must read it as an expired session and then start
// a new one.
func TestGoZookeeperSeesRefusalAsExpired(t *testing.T) {
	s := startCannedServer(t, true)
	conn, events, err := zk.Connect([]string{s.ln.Addr().String()}, 10*time.Second,
		zk.WithLogger(quietLogger{}), zk.WithLogInfo(false))
	require.NoError(t, err)
	defer conn.Close()

	deadline := time.After(10 * time.Second)
	var states []zk.State
	for len(states) == 0 || states[len(states)-1] != zk.StateHasSession {
		select {
		case ev := <-events:
			states = append(states, ev.State)
		case <-deadline:
			t.Fatalf("no session within 10 s; states %v", states)
		}
	}
	require.Contains(t, states, zk.StateExpired)
	require.Equal(t, cannedSession, conn.SessionID())
	s.mu.Lock()
	defer s.mu.Unlock()
	require.Len(t, s.connects, 2)
	require.Equal(t, int64(0), s.connects[1].SessionID)
}
