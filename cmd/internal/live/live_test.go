package live

import (
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zabsim/zabsim/cmd/internal/wire"
	"github.com/zabsim/zabsim/protocol"
)

func TestOperations(t *testing.T) {
	t.Parallel()
	e := startTestEnsemble(t, 3)
	c, _ := connect(t, e.ClientAddrs(), 2*time.Second)
	acl := zk.WorldACL(zk.PermAll)

	p, err := c.Create("/a", []byte("one"), 0, acl)
	mustf(t, err, "create /a")
	if p != "/a" {
		t.Fatalf("create returned %q", p)
	}
	if _, err := c.Create("/a", nil, 0, acl); !errors.Is(err, zk.ErrNodeExists) {
		t.Fatalf("create existing: %v", err)
	}
	if _, err := c.Create("/missing/child", nil, 0, acl); !errors.Is(err, zk.ErrNoNode) {
		t.Fatalf("create under missing parent: %v", err)
	}
	data, st, err := c.Get("/a")
	mustf(t, err, "get /a")
	if string(data) != "one" || st.Version != 0 || st.Czxid == 0 || st.Czxid != st.Mzxid {
		t.Fatalf("get /a = %q %+v", data, st)
	}
	st, err = c.Set("/a", []byte("two"), 0)
	mustf(t, err, "set /a")
	if st.Version != 1 {
		t.Fatalf("set /a: version %d", st.Version)
	}
	if _, err := c.Set("/a", []byte("x"), 0); !errors.Is(err, zk.ErrBadVersion) {
		t.Fatalf("set with wrong version: %v", err)
	}
	for _, name := range []string{"c3", "a1", "b2"} {
		_, err := c.Create("/a/"+name, nil, 0, acl)
		mustf(t, err, "create /a/%s", name)
	}
	seq, err := c.Create("/a/s-", nil, zk.FlagSequence, acl)
	mustf(t, err, "create sequential")
	if seq != "/a/s-0000000003" {
		t.Fatalf("sequential name %q", seq)
	}
	kids, st, err := c.Children("/a")
	mustf(t, err, "children /a")
	if !slices.Equal(kids, []string{"c3", "a1", "b2", "s-0000000003"}) || st.NumChildren != 4 {
		t.Fatalf("children /a = %v, %+v", kids, st)
	}
	ok, _, err := c.Exists("/a/c3")
	mustf(t, err, "exists")
	if !ok {
		t.Fatal("exists /a/c3 = false")
	}
	ok, _, err = c.Exists("/nope")
	mustf(t, err, "exists /nope")
	if ok {
		t.Fatal("exists /nope = true")
	}
	if err := c.Delete("/a", -1); !errors.Is(err, zk.ErrNotEmpty) {
		t.Fatalf("delete non-empty: %v", err)
	}
	mustf(t, c.Delete("/a/c3", 0), "delete /a/c3")
	if err := c.Delete("/a/c3", -1); !errors.Is(err, zk.ErrNoNode) {
		t.Fatalf("delete missing: %v", err)
	}

	// multi: success, then a failure that applies nothing.
	res, err := c.Multi(
		&zk.CreateRequest{Path: "/m", Data: []byte("m"), Acl: acl},
		&zk.CreateRequest{Path: "/m/x-", Acl: acl, Flags: zk.FlagSequence},
		&zk.SetDataRequest{Path: "/m", Data: []byte("m1"), Version: 0},
		&zk.CheckVersionRequest{Path: "/m", Version: 1},
		&zk.DeleteRequest{Path: "/a/a1", Version: -1},
	)
	mustf(t, err, "multi")
	if len(res) != 5 || res[0].String != "/m" || res[1].String != "/m/x-0000000000" || res[2].Stat == nil || res[2].Stat.Version != 1 {
		t.Fatalf("multi results %+v", res)
	}
	res, err = c.Multi(
		&zk.CreateRequest{Path: "/m/y", Acl: acl},
		&zk.SetDataRequest{Path: "/nope", Version: -1},
	)
	if !errors.Is(err, zk.ErrNoNode) || len(res) != 2 || res[0].Error != nil || !errors.Is(res[1].Error, zk.ErrNoNode) {
		t.Fatalf("failed multi: %v %+v", err, res)
	}
	if ok, _, _ := c.Exists("/m/y"); ok {
		t.Fatal("a failed multi created /m/y")
	}

	// sync, then a read through another server sees the write.
	_, err = c.Sync("/m")
	mustf(t, err, "sync")
	other, _ := connect(t, e.ClientAddrs(), 2*time.Second)
	_, err = other.Sync("/m")
	mustf(t, err, "sync on the second session")
	data, _, err = other.Get("/m")
	mustf(t, err, "get /m")
	if string(data) != "m1" {
		t.Fatalf("get /m after sync = %q", data)
	}

	// Watches: data, child, exists on a missing node; one-shot.
	_, _, dataW, err := c.GetW("/m")
	mustf(t, err, "getw")
	_, _, childW, err := c.ChildrenW("/m")
	mustf(t, err, "childrenw")
	_, _, existW, err := c.ExistsW("/m/new")
	mustf(t, err, "existsw")
	_, err = other.Set("/m", []byte("m2"), -1)
	mustf(t, err, "set from the other session")
	if ev := waitEvent(t, dataW, 5*time.Second); ev.Type != zk.EventNodeDataChanged || ev.Path != "/m" {
		t.Fatalf("data watch: %+v", ev)
	}
	_, err = other.Create("/m/new", nil, 0, acl)
	mustf(t, err, "create /m/new")
	if ev := waitEvent(t, existW, 5*time.Second); ev.Type != zk.EventNodeCreated || ev.Path != "/m/new" {
		t.Fatalf("exists watch: %+v", ev)
	}
	if ev := waitEvent(t, childW, 5*time.Second); ev.Type != zk.EventNodeChildrenChanged || ev.Path != "/m" {
		t.Fatalf("child watch: %+v", ev)
	}

	// An ephemeral goes with its session's close.
	eph, _ := connect(t, e.ClientAddrs(), 2*time.Second)
	_, err = eph.Create("/m/eph", []byte("e"), zk.FlagEphemeral, acl)
	mustf(t, err, "create ephemeral")
	_, err = c.Sync("/m/eph") // c may be on another server
	mustf(t, err, "sync")
	_, _, gone, err := c.ExistsW("/m/eph")
	mustf(t, err, "existsw /m/eph")
	eph.Close()
	if ev := waitEvent(t, gone, 5*time.Second); ev.Type != zk.EventNodeDeleted {
		t.Fatalf("ephemeral after close: %+v", ev)
	}
}

func TestEphemeralGoneAfterExpiry(t *testing.T) {
	t.Parallel()
	e := startTestEnsemble(t, 3)
	watcher, _ := connect(t, e.ClientAddrs(), 2*time.Second)
	// A client that dies without closeSession: its ephemeral lives until
	// the session expires, between the timeout and one tickTime after.
	raw := dialRaw(t, e.ClientAddrs()[0], 0, nil, 400)
	if raw.session == 0 {
		t.Fatal("no session")
	}
	h, _ := raw.call(&wire.CreateRequest{Path: "/eph", Data: []byte("x"), ACL: wire.WorldACL, Flags: 1})
	if h.Err != wire.ErrOK {
		t.Fatalf("create ephemeral: %v", h.Err)
	}
	_, err := watcher.Sync("/eph") // the watcher may be on another server
	mustf(t, err, "sync")
	ok, st, gone, err := watcher.ExistsW("/eph")
	mustf(t, err, "existsw")
	if !ok || st.EphemeralOwner != raw.session {
		t.Fatalf("exists /eph = %v owner %#x, want owner %#x", ok, st.EphemeralOwner, raw.session)
	}
	start := time.Now()
	raw.nc.Close()
	if ev := waitEvent(t, gone, 10*time.Second); ev.Type != zk.EventNodeDeleted {
		t.Fatalf("ephemeral after expiry: %+v", ev)
	}
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Fatalf("ephemeral deleted %v after the client left, before its 400ms timeout", d)
	}
	// Resuming the expired session is refused as ZooKeeper refuses it.
	again := dialRaw(t, e.ClientAddrs()[1], raw.session, raw.passwd, 400)
	if again.session != 0 || !again.closed() {
		t.Fatalf("resume of an expired session got session %#x", again.session)
	}
}

// TestFailover stops the server a client is on: the client moves to
// another with its session, its ephemeral and its watches.
func TestFailover(t *testing.T) {
	t.Parallel()
	e := startTestEnsemble(t, 3)
	c, events := connect(t, e.ClientAddrs(), 4*time.Second)
	session := c.SessionID()
	_, err := c.Create("/f", []byte("v"), zk.FlagEphemeral, zk.WorldACL(zk.PermAll))
	mustf(t, err, "create ephemeral")
	_, _, w, err := c.GetW("/f")
	mustf(t, err, "getw")
	sid := sidOf(t, e, c.Server())
	e.Stop(sid)
	waitState(t, events, zk.StateHasSession, 20*time.Second)
	if c.SessionID() != session || sidOf(t, e, c.Server()) == sid {
		t.Fatalf("after failover: session %#x on %s, want %#x elsewhere than server %d", c.SessionID(), c.Server(), session, sid)
	}
	if err := e.WaitServing(20 * time.Second); err != nil {
		t.Fatal(err)
	}
	// The session's ephemeral is still there, and the re-armed watch fires.
	other, _ := connect(t, e.ClientAddrs(), 4*time.Second)
	_, err = other.Set("/f", []byte("w"), -1)
	mustf(t, err, "set /f after failover")
	if ev := waitEvent(t, w, 10*time.Second); ev.Type != zk.EventNodeDataChanged {
		t.Fatalf("watch after failover: %+v", ev)
	}
}

func sidOf(t *testing.T, e *Ensemble, addr string) uint64 {
	t.Helper()
	for i, a := range e.ClientAddrs() {
		if a == addr {
			return uint64(i + 1)
		}
	}
	t.Fatalf("%s is not a server of the ensemble", addr)
	return 0
}

// TestRestartRejoins stops a follower, writes without it, restarts it
// from its disk and reads the writes through it alone.
func TestRestartRejoins(t *testing.T) {
	t.Parallel()
	e := startTestEnsemble(t, 3)
	follower := e.Leader()%3 + 1
	others := slices.Delete(e.ClientAddrs(), int(follower-1), int(follower))
	c, _ := connect(t, others, 4*time.Second)
	_, err := c.Create("/r", []byte("before"), 0, zk.WorldACL(zk.PermAll))
	mustf(t, err, "create /r")
	e.Stop(follower)
	for i := range 50 {
		_, err := c.Create(fmt.Sprintf("/r/k%02d", i), nil, 0, zk.WorldACL(zk.PermAll))
		mustf(t, err, "create while server %d is down", follower)
	}
	mustf(t, e.Restart(follower), "restart server %d", follower)
	mustf(t, e.WaitServing(20*time.Second), "rejoin")
	only, _ := connect(t, []string{e.Config(follower).ClientAddr}, 4*time.Second)
	_, err = only.Sync("/r")
	mustf(t, err, "sync through the restarted server")
	kids, _, err := only.Children("/r")
	mustf(t, err, "children through the restarted server")
	if len(kids) != 50 {
		t.Fatalf("restarted server %d sees %d children, want 50", follower, len(kids))
	}
}

// TestRestartAll restarts every server: everything acknowledged is
// still there, and the ensemble serves again. Snapshots every 10
// transactions make recovery read a snapshot and the log after it.
func TestRestartAll(t *testing.T) {
	t.Parallel()
	e := startTestEnsembleWith(t, EnsembleConfig{Servers: 3, SnapCount: 10})
	c, _ := connect(t, e.ClientAddrs(), 4*time.Second)
	want := map[string]string{}
	for i := range 30 {
		p := fmt.Sprintf("/all%02d", i)
		_, err := c.Create(p, []byte(p), 0, zk.WorldACL(zk.PermAll))
		mustf(t, err, "create %s", p)
		want[p] = p
	}
	_, err := c.Set("/all00", []byte("changed"), 0)
	mustf(t, err, "set")
	want["/all00"] = "changed"
	c.Close()
	e.Close()
	for sid := uint64(1); sid <= 3; sid++ {
		snaps, _ := filepath.Glob(filepath.Join(e.Config(sid).Dir, "snapshot.*"))
		if len(snaps) == 0 {
			t.Fatalf("server %d wrote no snapshot in %s", sid, e.Config(sid).Dir)
		}
	}
	for sid := uint64(1); sid <= 3; sid++ {
		mustf(t, e.Restart(sid), "restart server %d", sid)
	}
	mustf(t, e.WaitServing(20*time.Second), "serving after restarting every server")
	c2, _ := connect(t, e.ClientAddrs(), 4*time.Second)
	for p, v := range want {
		data, _, err := c2.Get(p)
		mustf(t, err, "get %s", p)
		if string(data) != v {
			t.Fatalf("%s = %q after restart, want %q", p, data, v)
		}
	}
	_, err = c2.Create("/after", nil, 0, zk.WorldACL(zk.PermAll))
	mustf(t, err, "write after restart")
}

// TestBadFrames: garbage and oversized frames close only their own
// connection; the session of an oversized frame survives.
func TestBadFrames(t *testing.T) {
	t.Parallel()
	e := startTestEnsemble(t, 1)
	addr := e.ClientAddrs()[0]
	bystander := dialRaw(t, addr, 0, nil, 4000)

	garbage := dialRaw(t, addr, 0, nil, 4000)
	garbage.write([]byte{0, 0, 0, 1, 0, 0, 0, 3, 0xff}) // exists with a truncated path
	if !garbage.closed() {
		t.Fatal("a garbage frame did not close the connection")
	}

	big := dialRaw(t, addr, 0, nil, 4000)
	h, _ := big.call(&wire.CreateRequest{Path: "/big", Data: []byte{}, ACL: wire.WorldACL})
	if h.Err != wire.ErrOK {
		t.Fatalf("create /big: %v", h.Err)
	}
	limit := wire.DefaultMaxRequestFrame
	ok := wire.EncodeRequest(1, &wire.SetDataRequest{Path: "/big", Data: make([]byte, limit-20-len("/big")), Version: -1})
	if len(ok) != limit {
		t.Fatalf("largest setData frame is %d bytes, want %d", len(ok), limit)
	}
	big.write(ok)
	if h, _, err := wire.DecodeReply(wire.OpSetData, big.read()); err != nil || h.Err != wire.ErrOK {
		t.Fatalf("setData of the largest frame: %v %v", h, err)
	}
	// The server may close the connection while the body is still on its
	// way: the write can fail.
	_ = wire.WriteFrame(big.nc, wire.EncodeRequest(2, &wire.SetDataRequest{Path: "/big", Data: make([]byte, limit-20-len("/big")+1), Version: -1}))
	if !big.closed() {
		t.Fatal("an oversized frame did not close the connection")
	}
	resumed := dialRaw(t, addr, big.session, big.passwd, 4000)
	if resumed.session != big.session {
		t.Fatalf("resume after an oversized frame: session %#x, want %#x", resumed.session, big.session)
	}

	unknown := dialRaw(t, addr, 0, nil, 4000)
	unknown.write([]byte{0, 0, 3, 9, 0, 0, 0, 99})
	h, _, err := wire.DecodeReply(wire.OpPing, unknown.read())
	if err != nil || h.Xid != 777 || h.Zxid != -1 || h.Err != wire.ErrUnimplemented || !unknown.closed() {
		t.Fatalf("unknown opcode: %v %v", h, err)
	}

	check := dialRaw(t, addr, 0, nil, 4000)
	if h, _ := check.call(&wire.CheckVersionRequest{Path: "/big", Version: 0}); h.Err != wire.ErrUnimplemented {
		t.Fatalf("stand-alone check: %v", h.Err)
	}

	if h, _ := bystander.call(&wire.ExistsRequest{Path: "/big"}); h.Err != wire.ErrOK {
		t.Fatalf("the bystander's connection: %v", h.Err)
	}
}

// TestACLsAndOtherOps covers digest auth and ACLs, containers, TTL nodes
// (refused as 3.8 refuses them by default), and the ops go-zookeeper
// never sends, through the raw client.
func TestACLsAndOtherOps(t *testing.T) {
	t.Parallel()
	e := startTestEnsemble(t, 3)
	c, _ := connect(t, e.ClientAddrs(), 2*time.Second)
	mustf(t, c.AddAuth("digest", []byte("alice:secret")), "addAuth")
	_, err := c.Create("/secret", []byte("s"), 0, zk.DigestACL(zk.PermAll, "alice", "secret"))
	mustf(t, err, "create with a digest ACL")
	acl, st, err := c.GetACL("/secret")
	mustf(t, err, "getACL")
	if len(acl) != 1 || acl[0].Scheme != "digest" || st.Aversion != 0 {
		t.Fatalf("getACL = %+v %+v", acl, st)
	}
	stranger, _ := connect(t, e.ClientAddrs(), 2*time.Second)
	if _, _, err := stranger.Get("/secret"); !errors.Is(err, zk.ErrNoAuth) {
		t.Fatalf("get without auth: %v", err)
	}
	st, err = c.SetACL("/secret", zk.WorldACL(zk.PermRead), 0)
	mustf(t, err, "setACL")
	if st.Aversion != 1 {
		t.Fatalf("aversion after setACL = %d", st.Aversion)
	}
	_, err = stranger.Sync("/secret")
	mustf(t, err, "sync")
	if _, _, err := stranger.Get("/secret"); err != nil {
		t.Fatalf("get after opening the ACL: %v", err)
	}

	p, err := c.CreateContainer("/box", nil, zk.FlagContainer, zk.WorldACL(zk.PermAll))
	mustf(t, err, "createContainer")
	if p != "/box" {
		t.Fatalf("createContainer = %q", p)
	}
	if _, err := c.CreateTTL("/ttl", nil, zk.FlagTTL, zk.WorldACL(zk.PermAll), time.Minute); err == nil || err.Error() != "unknown error: -6" {
		t.Fatalf("createTTL: %v, want UNIMPLEMENTED as ZooKeeper 3.8 answers by default", err)
	}

	raw := dialRaw(t, e.ClientAddrs()[0], 0, nil, 4000)
	h, body := raw.call(&wire.Create2Request{Path: "/box/e", Data: []byte("x"), ACL: wire.WorldACL, Flags: 1})
	if h.Err != wire.ErrOK || body.(*wire.Create2Response).Stat.EphemeralOwner != raw.session {
		t.Fatalf("create2: %v %v", h, body)
	}
	if h, body := raw.call(&wire.GetEphemeralsRequest{PrefixPath: "/box"}); h.Err != wire.ErrOK ||
		!slices.Equal(body.(*wire.GetEphemeralsResponse).Ephemerals, []string{"/box/e"}) {
		t.Fatalf("getEphemerals: %v %v", h, body)
	}
	if h, body := raw.call(&wire.GetAllChildrenNumberRequest{Path: "/box"}); h.Err != wire.ErrOK ||
		body.(*wire.GetAllChildrenNumberResponse).TotalNumber != 1 {
		t.Fatalf("getAllChildrenNumber: %v %v", h, body)
	}
	h, body = raw.call(&wire.MultiReadRequest{Ops: []wire.MultiOp{
		&wire.GetDataRequest{Path: "/box/e"}, &wire.GetDataRequest{Path: "/nope"}, &wire.GetChildrenRequest{Path: "/box"},
	}})
	if got := body.(*wire.MultiResponse); h.Err != wire.ErrOK || len(got.Results) != 3 ||
		got.Results[1].Err != wire.ErrNoNode || got.Results[2].Type != wire.OpGetChildren {
		t.Fatalf("multiRead: %v %v", h, body)
	}
	if h, _ := raw.call(&wire.AddWatchRequest{Path: "/box", Mode: 1}); h.Err != wire.ErrOK {
		t.Fatalf("addWatch: %v", h)
	}
	if h, _ := raw.call(&wire.CloseSessionRequest{}); h.Err != wire.ErrOK || !raw.closed() {
		t.Fatalf("closeSession: %v", h)
	}
}

// TestIPACLs: a connection's address is its "ip" identity, as in
// ZooKeeper. An ACL for 127.0.0.1 lets a loopback client read and write
// through every server (a follower forwards the identity with the write),
// one for 10.0.0.1 refuses it, and an IPv6 subject is invalid in 3.8.
func TestIPACLs(t *testing.T) {
	t.Parallel()
	e := startTestEnsemble(t, 3)
	c, _ := connect(t, e.ClientAddrs(), 2*time.Second)
	ipACL := func(id string) []zk.ACL { return []zk.ACL{{Perms: zk.PermAll, Scheme: "ip", ID: id}} }
	_, err := c.Create("/near", []byte("0"), 0, ipACL("127.0.0.1"))
	mustf(t, err, "create /near")
	_, err = c.Create("/far", []byte("0"), 0, ipACL("10.0.0.1"))
	mustf(t, err, "create /far")
	if _, err := c.Create("/v6", nil, 0, ipACL("0:0:0:0:0:0:0:1")); !errors.Is(err, zk.ErrInvalidACL) {
		t.Fatalf("create with an IPv6 ip ACL: %v, want InvalidACL", err)
	}
	for i, addr := range e.ClientAddrs() {
		one, _ := connect(t, []string{addr}, 2*time.Second)
		_, err := one.Set("/near", []byte(fmt.Sprint(i+1)), int32(i))
		mustf(t, err, "set /near through %s", addr)
		_, err = one.Sync("/near")
		mustf(t, err, "sync through %s", addr)
		data, _, err := one.Get("/near")
		mustf(t, err, "get /near through %s", addr)
		if string(data) != fmt.Sprint(i+1) {
			t.Fatalf("get /near through %s = %q", addr, data)
		}
		if _, _, err := one.Get("/far"); !errors.Is(err, zk.ErrNoAuth) {
			t.Fatalf("get /far through %s: %v, want NoAuth", addr, err)
		}
		if _, err := one.Set("/far", nil, -1); !errors.Is(err, zk.ErrNoAuth) {
			t.Fatalf("set /far through %s: %v, want NoAuth", addr, err)
		}
	}
}

// TestWatchFrameOrder: a session's own write that fires its watch gets
// the notification before the reply; setWatches with an old zxid fires
// what changed since at once, before its reply (ZK-SEMANTICS.md §1).
func TestWatchFrameOrder(t *testing.T) {
	t.Parallel()
	e := startTestEnsemble(t, 1)
	raw := dialRaw(t, e.ClientAddrs()[0], 0, nil, 4000)
	h, _ := raw.call(&wire.CreateRequest{Path: "/o", Data: []byte("a"), ACL: wire.WorldACL})
	created := h.Zxid
	raw.call(&wire.GetDataRequest{Path: "/o", Watch: true})
	raw.xid++
	raw.write(wire.EncodeRequest(raw.xid, &wire.SetDataRequest{Path: "/o", Data: []byte("b"), Version: -1}))
	first, _, err := wire.DecodeReply(wire.OpSetData, raw.read())
	mustf(t, err, "first frame")
	second, _, err := wire.DecodeReply(wire.OpSetData, raw.read())
	mustf(t, err, "second frame")
	if first.Xid != wire.XidNotification || second.Xid != raw.xid {
		t.Fatalf("frames %v then %v; want the notification first", first, second)
	}

	fresh := dialRaw(t, e.ClientAddrs()[0], 0, nil, 4000)
	fresh.xid++
	fresh.write(wire.EncodeRequest(wire.XidSetWatches, &wire.SetWatchesRequest{RelativeZxid: created,
		DataWatches: []string{"/o"}, ExistWatches: []string{"/later"}, ChildWatches: []string{}}))
	_, ev, err := wire.DecodeReply(wire.OpSetWatches, fresh.read())
	mustf(t, err, "event")
	if we, ok := ev.(*wire.WatcherEvent); !ok || we.Type != wire.EventNodeDataChanged || we.Path != "/o" {
		t.Fatalf("setWatches fired %v, want NodeDataChanged /o", ev)
	}
	reply, _, err := wire.DecodeReply(wire.OpSetWatches, fresh.read())
	if err != nil || reply.Xid != wire.XidSetWatches || reply.Err != wire.ErrOK {
		t.Fatalf("setWatches reply %v %v", reply, err)
	}
	raw.call(&wire.CreateRequest{Path: "/later", ACL: wire.WorldACL})
	_, ev, err = wire.DecodeReply(wire.OpSetWatches, fresh.read())
	if we, ok := ev.(*wire.WatcherEvent); err != nil || !ok || we.Type != wire.EventNodeCreated || we.Path != "/later" {
		t.Fatalf("the exist watch setWatches registered: %v %v", ev, err)
	}
}

// TestObserver: a client of an observer writes through it and reads its
// own writes; the observer follows the voters' commits.
func TestObserver(t *testing.T) {
	t.Parallel()
	e := startTestEnsembleWith(t, EnsembleConfig{Servers: 4, Observers: 1})
	if st := e.Server(4).Status(); st.State != protocol.Observing {
		t.Fatalf("server 4 is %s, want an observer", st)
	}
	c, _ := connect(t, []string{e.Config(4).ClientAddr}, 2*time.Second)
	_, err := c.Create("/obs", []byte("o"), 0, zk.WorldACL(zk.PermAll))
	mustf(t, err, "create through the observer")
	data, _, err := c.Get("/obs")
	mustf(t, err, "get through the observer")
	if string(data) != "o" {
		t.Fatalf("get /obs = %q", data)
	}
	if got := fourLetter(t, e.Config(4).ClientAddr, "srvr"); !strings.Contains(got, "Mode: observer\n") {
		t.Fatalf("srvr on the observer = %q", got)
	}
}

// TestNotServing: a server without a quorum answers ruok and conf, says
// it is not serving to srvr, and closes client connections at once.
func TestNotServing(t *testing.T) {
	t.Parallel()
	ports, err := FreePorts(6)
	mustf(t, err, "ports")
	peers := map[uint64]Peer{}
	for i := range 3 {
		peers[uint64(i+1)] = Peer{Quorum: loopback(ports[2*i]), Election: loopback(ports[2*i+1])}
	}
	s, err := Start(Config{ID: 1, Peers: peers, ClientAddr: "127.0.0.1:0", Dir: t.TempDir(), TickTime: testTickTime,
		FourLetterWords: []string{"*"}, Logf: testLogf(t)})
	mustf(t, err, "start")
	defer s.Stop()
	if got := fourLetter(t, s.ClientAddr(), "ruok"); got != "imok" {
		t.Errorf("ruok = %q", got)
	}
	if got := fourLetter(t, s.ClientAddr(), "srvr"); got != notServing {
		t.Errorf("srvr = %q", got)
	}
	if got := fourLetter(t, s.ClientAddr(), "conf"); !strings.Contains(got, "serverId=1\n") {
		t.Errorf("conf = %q", got)
	}
	nc, err := net.Dial("tcp", s.ClientAddr())
	mustf(t, err, "dial")
	defer nc.Close()
	mustf(t, wire.WriteFrame(nc, wire.EncodeConnectRequest(&wire.ConnectRequest{TimeOut: 4000, Passwd: make([]byte, 16)})), "connect")
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := wire.ReadFrame(nc, 0); !errors.Is(err, io.EOF) {
		t.Errorf("a connect to a server that does not serve: %v, want the connection closed", err)
	}
}
