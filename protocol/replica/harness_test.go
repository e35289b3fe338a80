package replica

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/zabsim/zabsim/protocol"
	"github.com/zabsim/zabsim/tree"
)

// memStorage completes every operation at once.
type memStorage struct {
	records [][]byte
	files   map[string][]byte
}

func (s *memStorage) Append(r []byte) error { s.records = append(s.records, r); return nil }
func (s *memStorage) Truncate(keep int) error {
	if keep > len(s.records) {
		return fmt.Errorf("truncate to %d of %d", keep, len(s.records))
	}
	s.records = s.records[:keep]
	return nil
}
func (s *memStorage) Sync(done func()) { done() }
func (s *memStorage) WriteFile(name string, data []byte, done func()) {
	s.files[name] = append([]byte(nil), data...)
	done()
}
func (s *memStorage) RemoveFile(name string, done func()) { delete(s.files, name); done() }

func (s *memStorage) recovered() protocol.Recovered {
	return protocol.Recovered{Records: slices.Clone(s.records), Files: maps.Clone(s.files)}
}

type node struct {
	srv   *Server
	store *memStorage
	up    bool
}

// client is the harness's view of one ZooKeeper client.
type client struct {
	name     string
	server   uint64
	conn     ConnID
	session  int64
	timeout  int32
	lastZxid int64
	xid      int32
}

// harness is a deterministic world for server-layer tests: servers with
// storage that completes at once, one FIFO queue of peer messages, and
// clients whose frames are printed as they arrive.
type harness struct {
	t        testing.TB
	cfg      Config
	ids      []uint64
	nodes    map[uint64]*node
	inflight []protocol.Message
	clients  map[string]*client
	byConn   map[ConnID]*client
	nextConn ConnID
	out      strings.Builder
	ticks    int
}

func testConfig() Config {
	c := DefaultConfig()
	c.Peer.Tick = 50 * time.Millisecond
	c.Peer.TickTime = 200 * time.Millisecond
	c.StartMs = 1_700_000_000_000
	return c
}

func newHarness(t testing.TB, voters int) *harness {
	var ids []uint64
	for i := 1; i <= voters; i++ {
		ids = append(ids, uint64(i))
	}
	q, err := protocol.NewMajority(ids)
	require.NoError(t, err)
	cfg := testConfig()
	cfg.Peer.Quorum = q
	h := &harness{t: t, cfg: cfg, ids: ids, nodes: map[uint64]*node{}, clients: map[string]*client{}, byConn: map[ConnID]*client{}}
	for _, id := range ids {
		h.nodes[id] = &node{store: &memStorage{files: map[string][]byte{}}}
	}
	return h
}

func (h *harness) printf(format string, args ...any) { fmt.Fprintf(&h.out, format+"\n", args...) }

func (h *harness) start(id uint64) {
	n := h.nodes[id]
	cfg := h.cfg
	cfg.Peer.ID = id
	cfg.StartMs += int64(h.ticks) * cfg.Peer.Tick.Milliseconds()
	srv, err := New(cfg, n.store.recovered())
	require.NoError(h.t, err)
	n.srv, n.up = srv, true
	h.process(id)
}

func (h *harness) crash(id uint64) {
	n := h.nodes[id]
	if !n.up {
		return
	}
	n.up = false
	h.printf("server %d CRASH", id)
	kept := h.inflight[:0]
	for _, m := range h.inflight {
		if m.From != id && m.To != id {
			kept = append(kept, m)
		}
	}
	h.inflight = kept
	for _, other := range h.ids {
		if other != id {
			h.inflight = append(h.inflight, protocol.Message{Type: protocol.MsgReset, From: id, To: other})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(h.clients)) {
		if c := h.clients[name]; c.server == id && c.conn != 0 {
			h.printf("%s: connection lost", c.name)
			h.lost(c)
		}
	}
}

func (h *harness) lost(c *client) {
	delete(h.byConn, c.conn)
	c.conn = 0
}

func (h *harness) process(id uint64) {
	n := h.nodes[id]
	for n.up && n.srv.HasReady() {
		rd := n.srv.Ready()
		for _, e := range rd.Events {
			if e.Kind == protocol.EvState {
				h.printf("server %d %s", id, e.Text)
			}
		}
		if rd.Fatal != nil {
			h.printf("server %d FATAL %v", id, rd.Fatal)
			h.crash(id)
			return
		}
		protocol.Carry(rd, n.store, h.send, func() {}, func(err error) { h.t.Fatalf("storage: %v", err) })
		for _, r := range n.srv.Responses() {
			h.deliver(id, r)
		}
		n.srv.Advance()
	}
}

func (h *harness) deliver(id uint64, r Response) {
	c := h.byConn[r.Conn]
	if c == nil {
		return
	}
	switch r.Kind {
	case KindConnected:
		if r.Session == 0 {
			h.printf("%s@%d: session expired", c.name, id)
			c.session = 0
			return
		}
		c.session, c.timeout = r.Session, r.Timeout
		h.printf("%s@%d: connected timeout=%d", c.name, id, r.Timeout)
	case KindReply:
		if r.Zxid > c.lastZxid {
			c.lastZxid = r.Zxid
		}
		h.printf("%s@%d: %s", c.name, id, strings.TrimPrefix(r.String(), fmt.Sprintf("conn %d: ", r.Conn)))
	case KindWatch:
		h.printf("%s@%d: watch %s %s", c.name, id, r.Event.Type, r.Event.Path)
	case KindClose:
		h.printf("%s@%d: closed (%s)", c.name, id, r.Reason)
		h.lost(c)
	}
}

func (h *harness) send(m protocol.Message) {
	if m.Type == protocol.MsgReset {
		kept := h.inflight[:0]
		for _, x := range h.inflight {
			if x.Channel() == protocol.ChanQuorum && ((x.From == m.From && x.To == m.To) || (x.From == m.To && x.To == m.From)) {
				continue
			}
			kept = append(kept, x)
		}
		h.inflight = append(kept, m)
		return
	}
	h.inflight = append(h.inflight, m)
}

func (h *harness) stabilize() {
	for steps := 0; len(h.inflight) > 0; steps++ {
		require.Less(h.t, steps, 1_000_000, "no quiescence")
		m := h.inflight[0]
		h.inflight = h.inflight[1:]
		if n := h.nodes[m.To]; n != nil && n.up {
			n.srv.Step(m)
			h.process(m.To)
		}
	}
}

func (h *harness) tick(n int) {
	for ; n > 0; n-- {
		h.ticks++
		for _, id := range h.ids {
			if node := h.nodes[id]; node.up {
				node.srv.Tick()
				h.process(id)
			}
		}
		h.stabilize()
	}
}

// untilServing ticks until a leader and every live learner serve.
func (h *harness) untilServing(maxTicks int) {
	for i := 0; i < maxTicks; i++ {
		all, leaders := true, 0
		for _, id := range h.ids {
			n := h.nodes[id]
			if !n.up {
				continue
			}
			st := n.srv.Peer().Status()
			all = all && st.Serving
			if st.Serving && st.State == protocol.Leading {
				leaders++
			}
		}
		if all && leaders == 1 {
			return
		}
		h.tick(1)
	}
	h.t.Fatalf("no serving ensemble after %d ticks", maxTicks)
}

func (h *harness) connect(name string, server uint64, resume bool, lastZxid int64, addr string) {
	c := h.clients[name]
	if c == nil {
		c = &client{name: name}
		h.clients[name] = c
	}
	if c.conn != 0 {
		h.nodes[c.server].srv.Disconnect(c.conn)
		h.lost(c)
	}
	h.nextConn++
	c.conn, c.server = h.nextConn, server
	h.byConn[c.conn] = c
	req := Connect{Timeout: 1000, LastZxidSeen: max(c.lastZxid, lastZxid), Addr: addr}
	if resume {
		req.Session, req.Passwd = c.session, Passwd(c.session)
	}
	n := h.nodes[server]
	require.True(h.t, n.up, "server %d is down", server)
	require.NoError(h.t, n.srv.Connect(c.conn, req))
	h.process(server)
	h.stabilize()
}

func (h *harness) submit(name string, r Request) {
	c := h.clients[name]
	require.NotNil(h.t, c, "no client %s", name)
	if c.conn == 0 {
		h.printf("%s: not connected", name)
		return
	}
	c.xid++
	r.Xid = c.xid
	require.NoError(h.t, h.nodes[c.server].srv.Submit(c.conn, r))
	h.process(c.server)
	h.stabilize()
}

// check asserts what must hold whenever the ensemble is quiet: servers
// at the same applied zxid have the same tree.
func (h *harness) check() {
	digests := map[int64]uint64{}
	for _, id := range h.ids {
		n := h.nodes[id]
		if !n.up {
			continue
		}
		z, d := n.srv.Tree().Zxid(), n.srv.StateDigest()
		if prev, ok := digests[z]; ok {
			require.Equal(h.t, prev, d, "server %d differs at zxid %#x", id, z)
		}
		digests[z] = d
	}
}

func (h *harness) status() {
	for _, id := range h.ids {
		n := h.nodes[id]
		if !n.up {
			h.printf("server %d down", id)
			continue
		}
		sessions := len(n.srv.Tree().Sessions())
		h.printf("server %d %s zxid=%#x sessions=%d nodes=%d conns=%d", id, n.srv.Peer().Status(), n.srv.Tree().Zxid(),
			sessions, n.srv.Tree().NodeCount(), n.srv.Conns())
	}
}

func createReq(path, data string, flags int32, acl []tree.ACL) Request {
	if acl == nil {
		acl = tree.WorldACL(tree.PermAll)
	}
	return Request{Req: tree.Request{Op: tree.OpCreate, Path: path, Data: []byte(data), ACL: acl, Flags: flags}}
}
