package replica

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/zabsim/zabsim/protocol"
	"github.com/zabsim/zabsim/tree"
)

// Config fixes a server: its Zab peer, its tree and its client limits.
type Config struct {
	// Peer is the Zab peer's configuration; New sets its App.
	Peer protocol.Config
	Tree tree.Config
	// StartMs is the wall-clock time (ms since the epoch) at which this
	// incarnation starts; the server's clock is StartMs plus its ticks. It
	// seeds session ids and stamps ctime/mtime.
	StartMs int64
	// MinSessionTimeout and MaxSessionTimeout bound negotiated timeouts;
	// zero means ZooKeeper's 2 and 20 tickTimes.
	MinSessionTimeout time.Duration
	MaxSessionTimeout time.Duration
	// ConnsMax bounds client connections; PendingMax bounds the requests
	// a connection may have outstanding (the connection is closed beyond
	// it, as ZooKeeper throttles a client by closing it).
	ConnsMax   int
	PendingMax int
	// RecordExpiries keeps the leader's expiry decisions for Expiries; a
	// host that never calls Expiries leaves it off.
	RecordExpiries bool
}

// DefaultConfig returns ZooKeeper's defaults around protocol.DefaultConfig.
func DefaultConfig() Config {
	return Config{Peer: protocol.DefaultConfig(), ConnsMax: 60_000, PendingMax: 1000}
}

// Errors a caller can test for.
var (
	ErrConfig = errors.New("replica: invalid configuration")
	// ErrNoConn: Submit or Disconnect on a connection the server does not
	// know (never connected, or already closed by the server).
	ErrNoConn = errors.New("replica: unknown connection")
	// ErrNotConnected: a request before the connection's session was
	// established.
	ErrNotConnected = errors.New("replica: session not established on this connection")
)

// syncsMax bounds learner syncs waiting at the leader.
const syncsMax = 100_000

// Server is one ZooKeeper server: a Zab peer whose state machine is a
// znode tree, plus sessions, client connections and the request pipeline.
// It is pure: the host feeds Step, Tick, Connect, Submit and Disconnect and
// carries out Ready (persist, send) and then Responses, before Advance.
type Server struct {
	cfg   Config
	peer  *protocol.Peer
	tree  *tree.Tree
	prep  *tree.Preparer
	ticks int64
	tickMs, tickTimeMs,
	minTimeout, maxTimeout int32
	status      protocol.Status
	nextSession int64

	conns     map[ConnID]*conn
	bySession map[int64]*conn

	// Leader only: the session tracker, syncs waiting for a commit.
	sessions map[int64]*tracked
	// expiries are the leader's expiry decisions since Expiries was last
	// called (Config.RecordExpiries); a host drains them after each Ready.
	expiries []Expiry
	syncs    []waitingSync
	// Learner only: sessions touched since the last ping.
	touched map[int64]int32

	out, handed []Response
	// inflight are the Readies handed out and not yet advanced, oldest
	// first: whether each carries the peer's.
	inflight []bool
	// spare holds answered requests for reuse: one per request otherwise.
	spare []*pending
}

type connState uint8

const (
	connConnecting connState = iota + 1
	connConnected
)

type conn struct {
	id      ConnID
	state   connState
	session int64
	timeout int32
	auth    []tree.ID
	queue   []*pending
}

type pendKind uint8

const (
	pendLocal pendKind = iota + 1 // answered from this server when it is first in line
	pendWrite                     // answered when its transaction applies here
	pendSync                      // answered when the leader says everything before it is applied
)

type pending struct {
	kind pendKind
	req  Request
	done bool
	resp Response
}

// waitingSync is a sync the leader answers once zxid is applied.
type waitingSync struct {
	from    uint64
	session int64
	cxid    int32
	zxid    protocol.Zxid
}

// New builds a server from its configuration and what its disk holds.
func New(cfg Config, rec protocol.Recovered) (*Server, error) {
	if cfg.Peer.Tick <= 0 || cfg.Peer.TickTime < cfg.Peer.Tick {
		return nil, fmt.Errorf("%w: tick %v, tickTime %v", ErrConfig, cfg.Peer.Tick, cfg.Peer.TickTime)
	}
	if cfg.MinSessionTimeout == 0 {
		cfg.MinSessionTimeout = 2 * cfg.Peer.TickTime
	}
	if cfg.MaxSessionTimeout == 0 {
		cfg.MaxSessionTimeout = 20 * cfg.Peer.TickTime
	}
	if cfg.MinSessionTimeout > cfg.MaxSessionTimeout || cfg.MaxSessionTimeout > time.Duration(1<<31-1)*time.Millisecond {
		return nil, fmt.Errorf("%w: session timeouts [%v, %v]", ErrConfig, cfg.MinSessionTimeout, cfg.MaxSessionTimeout)
	}
	if cfg.ConnsMax <= 0 || cfg.PendingMax <= 0 {
		return nil, fmt.Errorf("%w: ConnsMax %d, PendingMax %d", ErrConfig, cfg.ConnsMax, cfg.PendingMax)
	}
	s := &Server{
		cfg:        cfg,
		tree:       tree.New(cfg.Tree),
		tickMs:     int32(cfg.Peer.Tick.Milliseconds()),
		tickTimeMs: int32(cfg.Peer.TickTime.Milliseconds()),
		minTimeout: int32(cfg.MinSessionTimeout.Milliseconds()),
		maxTimeout: int32(cfg.MaxSessionTimeout.Milliseconds()),
		conns:      map[ConnID]*conn{},
		bySession:  map[int64]*conn{},
	}
	if s.tickMs <= 0 {
		return nil, fmt.Errorf("%w: tick %v is under a millisecond", ErrConfig, cfg.Peer.Tick)
	}
	s.prep = tree.NewPreparer(s.tree)
	s.nextSession = firstSessionID(cfg.Peer.ID, cfg.StartMs)
	pc := cfg.Peer
	pc.App = (*app)(s)
	p, err := protocol.New(pc, rec)
	if err != nil {
		return nil, err
	}
	s.peer = p
	return s, nil
}

// Peer is the Zab peer inside, for hosts and checkers to inspect.
func (s *Server) Peer() *protocol.Peer { return s.peer }

// Tree is the applied tree, for checkers to inspect; do not modify it.
func (s *Server) Tree() *tree.Tree { return s.tree }

// StateDigest is the tree's digest: equal at equal applied zxids.
func (s *Server) StateDigest() uint64 { return s.tree.Digest() }

// Conns counts open client connections.
func (s *Server) Conns() int { return len(s.conns) }

// nowMs is the server's clock.
func (s *Server) nowMs() int64 { return s.cfg.StartMs + s.ticks*int64(s.tickMs) }

// Step feeds a message from another server.
func (s *Server) Step(m protocol.Message) { s.peer.Step(m) }

// Tick advances the server's clock by one peer tick; the leader expires
// sessions at tickTime boundaries, as ZooKeeper's expirer does.
func (s *Server) Tick() {
	before := s.nowMs()
	s.ticks++
	s.peer.Tick()
	if s.sessions != nil && before/int64(s.tickTimeMs) != s.nowMs()/int64(s.tickTimeMs) {
		s.expire()
	}
}

// HasReady reports whether Ready has work and may be called: up to
// protocol.MaxInflightReadies may be outstanding, each until its Advance.
func (s *Server) HasReady() bool {
	return len(s.inflight) < protocol.MaxInflightReadies && (s.peer.HasReady() || len(s.out) > 0)
}

// Ready hands out the peer's storage work and messages; Responses returns
// the client frames that go with it. The responses may leave at once: an
// answer reveals only committed state, which a quorum of servers has on
// disk, so it need not wait for this server's own fsync (ZooKeeper's
// FinalRequestProcessor does not either). Carry out the rest as the
// protocol.Ready contract says, then Advance.
func (s *Server) Ready() protocol.Ready {
	if len(s.inflight) >= protocol.MaxInflightReadies {
		panic("replica: Ready called with MaxInflightReadies outstanding")
	}
	// The host is done with the previous responses: reuse their array.
	clear(s.handed)
	s.handed, s.out = s.out, s.handed[:0]
	peer := s.peer.HasReady()
	s.inflight = append(s.inflight, peer)
	if peer {
		return s.peer.Ready()
	}
	return protocol.Ready{}
}

// Responses are the client frames of the last Ready, in order, valid
// until the next Ready.
func (s *Server) Responses() []Response { return s.handed }

// Advance tells the server the oldest outstanding Ready was carried out.
func (s *Server) Advance() {
	if len(s.inflight) == 0 {
		panic("replica: Advance without an outstanding Ready")
	}
	peer := s.inflight[0]
	n := copy(s.inflight, s.inflight[1:])
	s.inflight = s.inflight[:n]
	if peer {
		s.peer.Advance()
	}
}

func (s *Server) respond(r Response) { s.out = append(s.out, r) }

func (s *Server) closeConn(c *conn, reason string) {
	s.respond(Response{Conn: c.id, Kind: KindClose, Reason: reason})
	s.forget(c)
}

func (s *Server) forget(c *conn) {
	delete(s.conns, c.id)
	if s.bySession[c.session] == c {
		delete(s.bySession, c.session)
		s.tree.DropWatches(c.session)
	}
}

// Connect handles a client's ConnectRequest on a new connection.
func (s *Server) Connect(id ConnID, req Connect) error {
	if s.conns[id] != nil {
		return fmt.Errorf("replica: connection %d connects twice", id)
	}
	c := &conn{id: id, state: connConnecting}
	switch {
	case !s.status.Serving:
		s.respond(Response{Conn: id, Kind: KindClose, Reason: "server is not serving"})
		return nil
	case len(s.conns) >= s.cfg.ConnsMax:
		s.respond(Response{Conn: id, Kind: KindClose, Reason: "too many connections"})
		return nil
	case req.LastZxidSeen > s.tree.Zxid():
		s.respond(Response{Conn: id, Kind: KindClose, Reason: fmt.Sprintf(
			"client has seen zxid %#x, our last zxid is %#x", req.LastZxidSeen, s.tree.Zxid())})
		return nil
	}
	c.timeout = negotiate(req.Timeout, s.minTimeout, s.maxTimeout)
	if req.Addr != "" {
		// ZooKeeper's server connection starts with this identity; it
		// travels with every forwarded request, so the leader's ACL
		// checks see it too.
		c.auth = []tree.ID{{Scheme: "ip", ID: req.Addr}}
	}
	s.conns[id] = c
	if req.Session == 0 {
		c.session = s.nextSession
		s.nextSession++
		s.bind(c)
		s.write(c, 0, tree.Request{Op: tree.OpCreateSession, Timeout: c.timeout})
		return nil
	}
	c.session = req.Session
	if !bytes.Equal(req.Passwd, Passwd(req.Session)) {
		s.invalid(c)
		return nil
	}
	if _, ok := s.tree.Sessions()[req.Session]; !ok {
		s.invalid(c)
		return nil
	}
	s.bind(c)
	if s.sessions != nil {
		s.revalidated(c, s.revalidate(s.peer.ID(), req.Session))
		return nil
	}
	s.touch(c)
	if !s.peer.SendApp(s.status.Leader, appMsg{kind: appRevalidate, session: c.session, timeout: c.timeout}.marshal()) {
		s.closeConn(c, "leader unreachable")
	}
	return nil
}

// bind makes c the session's connection here, closing an older one: a
// client that reconnects to the same server replaces its connection.
func (s *Server) bind(c *conn) {
	if old := s.bySession[c.session]; old != nil && old != c {
		s.respond(Response{Conn: old.id, Kind: KindClose, Reason: "session reconnected on another connection"})
		delete(s.conns, old.id)
		s.tree.DropWatches(c.session) // they belonged to the old connection
	}
	s.bySession[c.session] = c
}

// invalid answers a connect whose session cannot be resumed.
func (s *Server) invalid(c *conn) {
	s.respond(Response{Conn: c.id, Kind: KindConnected})
	s.respond(Response{Conn: c.id, Kind: KindClose, Reason: "session expired or wrong password"})
	delete(s.conns, c.id)
	if s.bySession[c.session] == c {
		delete(s.bySession, c.session)
	}
}

// revalidated finishes a resume once the leader has answered.
func (s *Server) revalidated(c *conn, valid bool) {
	if !valid {
		s.invalid(c)
		return
	}
	c.state = connConnected
	s.respond(Response{Conn: c.id, Kind: KindConnected, Session: c.session, Timeout: c.timeout, Passwd: Passwd(c.session)})
}

// Disconnect tells the server the client's connection closed. The session
// lives on until it expires or the client resumes it.
func (s *Server) Disconnect(id ConnID) error {
	c := s.conns[id]
	if c == nil {
		return ErrNoConn
	}
	s.forget(c)
	return nil
}

// Submit hands the server one request from a connected client.
func (s *Server) Submit(id ConnID, r Request) error {
	c := s.conns[id]
	if c == nil {
		return ErrNoConn
	}
	if c.state != connConnected {
		return ErrNotConnected
	}
	if len(c.queue) >= s.cfg.PendingMax {
		s.closeConn(c, "too many outstanding requests")
		return nil
	}
	s.touch(c)
	switch op := r.Req.Op; {
	case isWrite(op):
		if err := s.admissible(r.Req); err != nil {
			p := s.newPending(pendLocal, r)
			p.done, p.resp = true, s.reply(c, r, err)
			c.queue = append(c.queue, p)
			break
		}
		c.queue = append(c.queue, s.newPending(pendWrite, r))
		s.write(c, r.Xid, r.Req)
	case op == tree.OpSync:
		p := s.newPending(pendSync, r)
		c.queue = append(c.queue, p)
		s.sync(c, p)
	default:
		c.queue = append(c.queue, s.newPending(pendLocal, r))
	}
	if _, ok := s.conns[id]; ok {
		s.flush(c)
	}
	return nil
}

func isWrite(op tree.OpCode) bool {
	switch op {
	case tree.OpCreate, tree.OpCreate2, tree.OpCreateContainer, tree.OpCreateTTL, tree.OpDelete,
		tree.OpSetData, tree.OpSetACL, tree.OpMulti, tree.OpCloseSession:
		return true
	}
	return false
}

// admissible refuses, before any transaction, what ZooKeeper refuses
// before its PrepRequestProcessor: payloads over the limit.
func (s *Server) admissible(req tree.Request) error {
	limit := s.cfg.Tree.DataLengthMax
	if limit == 0 {
		limit = tree.DataLengthMaxDefault
	}
	total := len(req.Data)
	for _, o := range req.Ops {
		total += len(o.Data)
	}
	if total > limit {
		return tree.ErrBadArguments
	}
	return nil
}

// write sends a transaction request on its way: prepared here when this
// server leads, forwarded to the leader otherwise.
func (s *Server) write(c *conn, cxid int32, req tree.Request) {
	if s.sessions != nil {
		s.leaderWrite(s.peer.ID(), c.session, cxid, c.auth, req)
		return
	}
	m := appMsg{kind: appRequest, session: c.session, cxid: cxid, auth: c.auth, req: req}
	if !s.peer.SendApp(s.status.Leader, m.marshal()) {
		s.closeConn(c, "leader unreachable")
	}
}

func (s *Server) sync(c *conn, p *pending) {
	if s.sessions == nil {
		m := appMsg{kind: appRequest, session: c.session, cxid: p.req.Xid, req: p.req.Req}
		if !s.peer.SendApp(s.status.Leader, m.marshal()) {
			s.closeConn(c, "leader unreachable")
		}
		return
	}
	s.leaderSync(s.peer.ID(), c.session, p.req.Xid)
}

// flush sends the replies at the head of c's queue that are complete,
// answering local requests as they reach the head: a read waits for every
// earlier request of its session, so it sees the session's own writes.
func (s *Server) flush(c *conn) {
	n := 0 // answered, at the head of the queue
	for n < len(c.queue) {
		p := c.queue[n]
		if p.kind == pendLocal && !p.done {
			p.resp = s.local(c, p.req)
			p.done = true
		}
		if !p.done {
			break
		}
		n++
		s.respond(p.resp)
		closing := p.kind == pendWrite && p.req.Req.Op == tree.OpCloseSession && p.resp.Err == nil
		*p = pending{}
		s.spare = append(s.spare, p)
		if closing {
			c.popAnswered(n)
			s.closeConn(c, "session closed by client")
			return
		}
	}
	c.popAnswered(n)
}

// popAnswered drops the first n requests of the queue, moving the rest to
// the front so the queue keeps its array (it is usually empty then).
func (c *conn) popAnswered(n int) {
	rest := copy(c.queue, c.queue[n:])
	clear(c.queue[rest:])
	c.queue = c.queue[:rest]
}

// newPending is a pending request, reusing an answered one if it can.
func (s *Server) newPending(kind pendKind, r Request) *pending {
	if n := len(s.spare); n > 0 {
		p := s.spare[n-1]
		s.spare = s.spare[:n-1]
		p.kind, p.req = kind, r
		return p
	}
	return &pending{kind: kind, req: r}
}

func (s *Server) reply(c *conn, r Request, err error) Response {
	return Response{Conn: c.id, Kind: KindReply, Xid: r.Xid, Zxid: s.tree.Zxid(), Op: r.Req.Op, Err: err}
}

// local answers a request from this server's tree.
func (s *Server) local(c *conn, r Request) Response {
	caller := tree.Caller{Session: c.session, Auth: c.auth}
	resp := s.reply(c, r, nil)
	path := r.Req.Path
	switch r.Req.Op {
	case OpPing:
	case tree.OpGetData:
		resp.Data, resp.Stat, resp.Err = s.tree.GetData(caller, path, r.Watch)
	case tree.OpExists:
		resp.Stat, resp.Err = s.tree.Exists(caller, path, r.Watch)
		resp.Exists = resp.Err == nil
	case tree.OpGetChildren, tree.OpGetChildren2:
		resp.Children, resp.Stat, resp.Err = s.tree.GetChildren(caller, path, r.Watch)
	case tree.OpGetACL:
		resp.ACL, resp.Stat, resp.Err = s.tree.GetACL(caller, path)
	case tree.OpGetEphemerals:
		resp.Paths = s.tree.GetEphemerals(caller, path)
	case tree.OpGetAllChildrenNumber:
		resp.Number, resp.Err = s.tree.GetAllChildrenNumber(caller, path)
	case tree.OpMultiRead:
		resp.Reads, resp.Err = s.tree.MultiRead(caller, r.Req.Ops)
	case OpSetAuth:
		id, err := authID(r.Auth)
		if err != nil {
			resp.Err = err
			break
		}
		if !slices.Contains(c.auth, id) {
			c.auth = append(c.auth, id)
		}
		s.tree.SetAuth(tree.Caller{Session: c.session, Auth: c.auth})
	case OpSetWatches, OpSetWatches2:
		for _, e := range s.tree.SetWatches(caller, r.SetWatches) {
			s.respond(Response{Conn: c.id, Kind: KindWatch, Event: e})
		}
	case OpAddWatch:
		resp.Err = s.tree.AddWatch(caller, path, r.WatchMode)
	case OpRemoveWatches:
		resp.Err = s.tree.RemoveWatches(caller, path, r.WatcherType)
	case OpCheckWatches:
		resp.Err = s.tree.CheckWatches(caller, path, r.WatcherType)
	case tree.OpCheck:
		resp.Err = tree.ErrUnimplemented // a stand-alone check never becomes a transaction
	default:
		resp.Err = tree.ErrUnimplemented
	}
	if resp.Err == nil && r.Req.Op == OpPing {
		resp.Xid = -2
	}
	return resp
}

// authID turns setAuth's credentials into an identity. ZooKeeper's
// built-in digest provider is the only one a client can use here.
func authID(a tree.ID) (tree.ID, error) {
	if a.Scheme != "digest" {
		return tree.ID{}, tree.ErrAuthFailed
	}
	return tree.DigestAuth(a.ID)
}

// touch records client activity: a learner reports it in its next ping
// reply, the leader moves the session's expiry.
func (s *Server) touch(c *conn) {
	if s.sessions != nil {
		s.touchTracked(c.session)
		return
	}
	if s.touched != nil {
		s.touched[c.session] = c.timeout
	}
}

// --- the leader's side ---

func (s *Server) expiryAt(timeout int32) int64 {
	t := s.nowMs() + int64(timeout)
	i := int64(s.tickTimeMs)
	return (t/i + 1) * i
}

func (s *Server) touchTracked(session int64) bool {
	t := s.sessions[session]
	if t == nil || t.closing {
		return false
	}
	t.heard = s.nowMs()
	if !slices.Contains(s.cfg.Peer.Bugs, protocol.BugExpiryIgnoresTouches) {
		t.expires = s.expiryAt(t.timeout)
	}
	return true
}

// Expiries returns the leader's expiry decisions since the last call, for
// a host that records them for the checkers.
func (s *Server) Expiries() []Expiry {
	out := s.expiries
	s.expiries = nil
	return out
}

// revalidate is the leader's answer to a resume through server from: the
// session must be alive; from becomes its owner.
func (s *Server) revalidate(from uint64, session int64) bool {
	if !s.touchTracked(session) {
		return false
	}
	s.sessions[session].owner = from
	return true
}

// expire closes every session whose time has come, lowest id first.
func (s *Server) expire() {
	now := s.nowMs()
	for _, id := range slices.Sorted(maps.Keys(s.sessions)) {
		if t := s.sessions[id]; !t.closing && t.expires <= now {
			if s.cfg.RecordExpiries {
				s.expiries = append(s.expiries, Expiry{Session: id, At: now, Heard: t.heard, TimeoutMs: t.timeout})
			}
			s.leaderWrite(s.peer.ID(), id, 0, nil, tree.Request{Op: tree.OpCloseSession})
			if s.sessions == nil {
				return // proposing made this server give up leadership
			}
		}
	}
}

// leaderWrite is ZooKeeper's PrepRequestProcessor and proposal: check the
// session, prepare the request against pending changes, propose it.
func (s *Server) leaderWrite(from uint64, session int64, cxid int32, auth []tree.ID, req tree.Request) {
	zxid, err := s.peer.NextZxid()
	if err != nil {
		return // no longer leading: the client's connection is closing
	}
	caller := tree.Caller{Session: session, Auth: auth}
	var txn tree.Txn
	t := s.sessions[session]
	switch {
	case req.Op == tree.OpCreateSession:
		s.sessions[session] = &tracked{timeout: req.Timeout, owner: from, expires: s.expiryAt(req.Timeout), heard: s.nowMs()}
	case req.Op == tree.OpCloseSession && t != nil:
		t.closing = true
	case t == nil || t.closing:
		txn = tree.Txn{Type: tree.OpError, Op: req.Op, Err: tree.CodeOf(tree.ErrSessionExpired)}
	case t.owner != 0 && t.owner != from:
		txn = tree.Txn{Type: tree.OpError, Op: req.Op, Err: tree.CodeOf(tree.ErrSessionMoved)}
	default:
		t.owner = from
		s.touchTracked(session)
	}
	if txn.Type == 0 {
		txn, err = s.prep.Prepare(int64(zxid), caller, s.nowMs(), req)
		if err != nil {
			// Submit filters what Prepare refuses outright; reaching here
			// means a learner forwarded something malformed.
			txn = tree.Txn{Type: tree.OpError, Op: req.Op, Err: tree.CodeOf(err)}
		}
	}
	txn.Session, txn.Time = session, s.nowMs()
	if err := s.peer.Propose(zxid, MarshalTxn(Txn{Cxid: cxid, Tree: txn})); err != nil {
		s.prep.Reset()
	}
}

// leaderSync answers a sync once everything proposed so far is applied.
func (s *Server) leaderSync(from uint64, session int64, cxid int32) {
	last := s.peer.LastProposed()
	if last <= protocol.Zxid(s.tree.Zxid()) {
		s.synced(from, session, cxid)
		return
	}
	if len(s.syncs) >= syncsMax {
		return // the client times out; a limit, not a silent loss of data
	}
	s.syncs = append(s.syncs, waitingSync{from: from, session: session, cxid: cxid, zxid: last})
}

func (s *Server) synced(from uint64, session int64, cxid int32) {
	if from != s.peer.ID() {
		s.peer.SendApp(from, appMsg{kind: appSynced, session: session, cxid: cxid}.marshal())
		return
	}
	s.syncDone(session, cxid)
}

// syncDone completes a sync of a session connected here.
func (s *Server) syncDone(session int64, cxid int32) {
	c := s.bySession[session]
	if c == nil {
		return
	}
	for _, p := range c.queue {
		if p.kind == pendSync && !p.done && p.req.Xid == cxid {
			p.done = true
			p.resp = s.reply(c, p.req, nil)
			p.resp.Result.Path = p.req.Req.Path
			s.flush(c)
			return
		}
	}
}

// --- protocol.App ---

// app is the Server as the peer's state machine; its methods run inside
// the peer's Step, Tick and Advance.
type app Server

func (a *app) Apply(zxid protocol.Zxid, data []byte) {
	s := (*Server)(a)
	txn, err := UnmarshalTxn(data)
	if err != nil {
		// The log's records are checksummed and only leaders write them:
		// a transaction that does not decode is a broken invariant.
		panic(fmt.Sprintf("replica: committed transaction %s does not decode: %v", zxid, err))
	}
	res, events := s.tree.Apply(int64(zxid), txn.Tree)
	s.prep.Applied(int64(zxid))
	for _, e := range events {
		if c := s.bySession[e.Session]; c != nil && c.state == connConnected {
			s.respond(Response{Conn: c.id, Kind: KindWatch, Zxid: int64(zxid), Event: e})
		}
	}
	session := txn.Tree.Session
	switch txn.Tree.Type {
	case tree.OpCreateSession:
		if c := s.bySession[session]; c != nil && c.state == connConnecting {
			c.state = connConnected
			s.respond(Response{Conn: c.id, Kind: KindConnected, Session: session, Timeout: c.timeout, Passwd: Passwd(session)})
		}
	case tree.OpCloseSession:
		if s.sessions != nil {
			delete(s.sessions, session)
		}
	}
	if c := s.bySession[session]; c != nil {
		s.complete(c, txn, zxid, res)
	}
	for len(s.syncs) > 0 && s.syncs[0].zxid <= zxid {
		w := s.syncs[0]
		s.syncs = s.syncs[1:]
		s.synced(w.from, w.session, w.cxid)
	}
}

// complete answers the write a committed transaction belongs to, if it
// came through this connection; a session ended by expiry loses its
// connection.
func (s *Server) complete(c *conn, txn Txn, zxid protocol.Zxid, res tree.Result) {
	if errors.Is(res.Err, tree.ErrSessionMoved) {
		// A connection-level error, as in ZooKeeper's
		// FinalRequestProcessor (ZOOKEEPER-710): the session was
		// revalidated through another server after this connection
		// (a client's abandoned connect reaching the leader late, say),
		// and only a reconnection, revalidating the session here, can
		// make this server its owner again. Answering the error instead
		// left a client retrying on this connection for ever.
		s.closeConn(c, "session moved to another server")
		return
	}
	for _, p := range c.queue {
		if p.kind == pendWrite && !p.done && p.req.Xid == txn.Cxid {
			p.done = true
			p.resp = Response{Conn: c.id, Kind: KindReply, Xid: p.req.Xid, Zxid: int64(zxid), Op: p.req.Req.Op, Err: res.Err, Result: res}
			s.flush(c)
			return
		}
	}
	if txn.Tree.Type == tree.OpCloseSession {
		if c.state == connConnecting {
			// A resume still waiting for the leader: refused as
			// ZooKeeper refuses it, not cut off without an answer.
			s.invalid(c)
			return
		}
		s.closeConn(c, "session expired")
	}
}

func (a *app) Snapshot() []byte { return a.tree.EncodeSnapshot() }

func (a *app) Restore(_ protocol.Zxid, data []byte) error {
	s := (*Server)(a)
	t := tree.New(s.cfg.Tree)
	if data != nil {
		var err error
		if t, err = tree.DecodeSnapshot(data); err != nil {
			return err
		}
	}
	s.tree = t
	s.prep = tree.NewPreparer(t)
	return nil
}

// PingData is the learner's touch table, sorted, then emptied.
func (a *app) PingData() []byte {
	s := (*Server)(a)
	if len(s.touched) == 0 {
		return nil
	}
	ts := make([]touch, 0, len(s.touched))
	for _, id := range slices.Sorted(maps.Keys(s.touched)) {
		ts = append(ts, touch{session: id, timeout: s.touched[id]})
	}
	clear(s.touched)
	return marshalTouches(ts)
}

func (a *app) Receive(from uint64, data []byte, ping bool) {
	s := (*Server)(a)
	if ping {
		if s.sessions == nil || len(data) == 0 {
			return
		}
		ts, err := unmarshalTouches(data)
		if err != nil {
			return // a garbled touch table only delays expiry decisions
		}
		for _, t := range ts {
			s.touchTracked(t.session)
		}
		return
	}
	m, err := unmarshalApp(data)
	if err != nil {
		return
	}
	if s.sessions != nil {
		switch m.kind {
		case appRequest:
			if m.req.Op == tree.OpSync {
				s.leaderSync(from, m.session, m.cxid)
			} else {
				s.leaderWrite(from, m.session, m.cxid, m.auth, m.req)
			}
		case appRevalidate:
			valid := s.revalidate(from, m.session)
			s.peer.SendApp(from, appMsg{kind: appRevalidated, session: m.session, valid: valid}.marshal())
		}
		return
	}
	switch m.kind {
	case appRevalidated:
		if c := s.bySession[m.session]; c != nil && c.state == connConnecting {
			s.revalidated(c, m.valid)
		}
	case appSynced:
		s.syncDone(m.session, m.cxid)
	}
}

// StatusChanged: ZooKeeper shuts its request pipeline down and closes
// every client connection whenever the server's role changes; clients
// reconnect and resume their sessions with the new configuration.
func (a *app) StatusChanged(st protocol.Status) {
	s := (*Server)(a)
	s.status = st
	for _, id := range slices.Sorted(maps.Keys(s.conns)) {
		s.closeConn(s.conns[id], "server left "+st.String())
	}
	s.prep.Reset()
	s.sessions, s.syncs, s.touched = nil, nil, nil
	if !st.Serving {
		return
	}
	if st.State == protocol.Leading {
		// A new leader tracks every session the tree knows, each with a
		// fresh timeout, as LeaderZooKeeperServer does.
		s.sessions = map[int64]*tracked{}
		for id, timeout := range s.tree.Sessions() {
			s.sessions[id] = &tracked{timeout: timeout, expires: s.expiryAt(timeout), heard: s.nowMs()}
		}
		return
	}
	s.touched = map[int64]int32{}
}
