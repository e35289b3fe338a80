package zk

import (
	"errors"
	"fmt"
	"time"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/protocol/replica"
	"github.com/zabsim/zabsim/sim"
	"github.com/zabsim/zabsim/sim/ensemble"
	"github.com/zabsim/zabsim/tree"
)

// ClientConfig describes one simulated client.
type ClientConfig struct {
	// Index names the client in the history.
	Index   int
	Servers []sim.NodeID
	// SessionTimeout is what the client asks for; the server negotiates.
	SessionTimeout time.Duration
	// Ops is how many operations the client issues in all; Think is the
	// longest pause between two (drawn uniformly).
	Ops   int
	Think time.Duration
	Keys  int
}

type clientState uint8

const (
	stateDisconnected clientState = iota
	stateConnecting
	stateConnected
)

// call is the client's one outstanding operation.
type call struct {
	id    linearize.OpID
	xid   int32
	req   linearize.Request
	watch bool
}

// Client is a ZooKeeper client inside the simulator, written to behave
// like the Java and Go clients: it connects to a server picked from a
// shuffled list, keeps its session alive with pings, declares the
// connection lost when the server is silent for two thirds of the session
// timeout, fails over to the next server with its session id, password
// and last seen zxid, and starts a new session when told its session
// expired. Watches are not re-registered after a reconnect (as with
// ZooKeeper's disableAutoWatchReset), so each connection's watch stream
// is judged on its own.
type Client struct {
	ctx *sim.NodeContext
	cfg ClientConfig
	w   *World
	gen *generator

	state    clientState
	order    []sim.NodeID // server order, shuffled once
	next     int
	conn     uint32
	server   sim.NodeID
	session  int64
	timeout  time.Duration
	lastZxid int64
	xid      int32
	deadline sim.Time // connect deadline or read timeout
	lastSent sim.Time
	nextOpAt sim.Time
	retryAt  sim.Time
	out      *call // the outstanding operation (&cur), or nil
	cur      call
	issued   int
	stream   *linearize.SessionStream
	// prog, when set, is the program that issues this client's calls
	// instead of the workload generator; its calls are not in the
	// history the linearizability checker reads.
	prog *Conn
}

func newClient(ctx *sim.NodeContext, cfg ClientConfig, w *World) *Client {
	c := &Client{ctx: ctx, cfg: cfg, w: w, gen: newGenerator(ctx.Rand(), cfg.Index, cfg.Keys)}
	c.order = append([]sim.NodeID(nil), cfg.Servers...)
	ctx.Rand().Shuffle(len(c.order), func(i, j int) { c.order[i], c.order[j] = c.order[j], c.order[i] })
	return c
}

// Done reports whether the client has issued and finished every op.
func (c *Client) Done() bool {
	if c.prog != nil {
		return c.prog.Done()
	}
	return c.issued >= c.cfg.Ops && c.out == nil
}

// Session is the client's current session, 0 if it has none.
func (c *Client) Session() int64 { return c.session }

func (c *Client) now() sim.Time { return c.ctx.Now() }

// Tick drives the client's timers.
func (c *Client) Tick() {
	if c.prog != nil {
		if c.prog.Done() {
			return
		}
		defer c.prog.tick()
	}
	now := c.now()
	switch c.state {
	case stateDisconnected:
		if now >= c.retryAt {
			c.connect()
		}
	case stateConnecting:
		if now >= c.deadline {
			c.lose("connect timeout")
		}
	case stateConnected:
		readTimeout := c.timeout * 2 / 3
		switch {
		case now >= c.deadline:
			c.lose("read timeout")
		case now.Sub(c.lastSent) >= readTimeout/2:
			c.send(replica.Request{Xid: -2, Req: tree.Request{Op: replica.OpPing}})
		case c.prog == nil && c.out == nil && c.issued < c.cfg.Ops && now >= c.nextOpAt:
			c.issue()
		}
	}
}

func (c *Client) connect() {
	c.server = c.order[c.next%len(c.order)]
	c.next++
	c.conn++
	c.state = stateConnecting
	// The Java client's connect timeout: the session timeout shared by
	// the servers it may have to try.
	c.deadline = c.now().Add(c.cfg.SessionTimeout / time.Duration(len(c.order)))
	req := &replica.Connect{LastZxidSeen: c.lastZxid, Timeout: int32(c.cfg.SessionTimeout.Milliseconds()), Session: c.session,
		Addr: clientAddr(c.cfg.Index)}
	if c.session != 0 {
		req.Passwd = replica.Passwd(c.session)
	}
	c.ctx.SendOn(ensemble.ChanClient, c.server, &ensemble.ClientFrame{Conn: c.conn, Connect: req})
	c.lastSent = c.now()
}

// clientAddr is the address a simulated client connects from, its "ip"
// identity: client i is the (i+1)th address of 10.0.0.0/8, whatever the
// server.
func clientAddr(index int) string {
	n := uint32(index) + 1
	return fmt.Sprintf("10.%d.%d.%d", byte(n>>16), byte(n>>8), byte(n))
}

// requestFrame is a request frame and its request in one allocation.
type requestFrame struct {
	f ensemble.ClientFrame
	r replica.Request
}

func (c *Client) send(r replica.Request) {
	fr := &requestFrame{f: ensemble.ClientFrame{Conn: c.conn}, r: r}
	fr.f.Request = &fr.r
	c.ctx.SendOn(ensemble.ChanClient, c.server, &fr.f)
	c.lastSent = c.now()
}

// lose is ConnectionLoss: the outstanding op's fate is unknown, the
// connection is closed, and the client tries the next server at once.
func (c *Client) lose(why string) {
	if c.state == stateDisconnected {
		return
	}
	wasConnected := c.state == stateConnected
	c.ctx.Note(fmt.Sprintf("client %d: connection to %s lost: %s", c.cfg.Index, c.server, why))
	c.ctx.Disconnect(c.server, ensemble.ChanClient)
	c.state = stateDisconnected
	c.stream = nil
	if c.out != nil {
		c.w.ambiguous(c.out.id, int64(c.now()))
		c.out = nil
	}
	c.retryAt = c.now()
	if c.prog != nil {
		c.prog.lost(wasConnected)
	}
}

// ConnReset is the server side closing or crashing.
func (c *Client) ConnReset(peer sim.NodeID, ch sim.Channel) {
	if ch == ensemble.ChanClient && peer == c.server {
		c.lose("connection reset")
	}
}

// Receive handles a server's frame.
func (c *Client) Receive(from sim.NodeID, msg any) {
	r, ok := msg.(*replica.Response)
	if !ok || from != c.server || c.state == stateDisconnected || uint32(r.Conn) != c.conn {
		return // a frame of a connection the client gave up on
	}
	if c.state == stateConnected {
		c.deadline = c.now().Add(c.timeout * 2 / 3)
	}
	switch r.Kind {
	case replica.KindConnected:
		if r.Session == 0 {
			c.ctx.Note(fmt.Sprintf("client %d: session %#x expired", c.cfg.Index, c.session))
			c.expire()
			return
		}
		c.session, c.timeout = r.Session, time.Duration(r.Timeout)*time.Millisecond
		c.state = stateConnected
		c.deadline = c.now().Add(c.timeout * 2 / 3)
		if c.prog != nil {
			c.prog.connected()
			return
		}
		c.stream = c.w.stream(r.Session)
	case replica.KindClose:
		c.lose("closed by server: " + r.Reason)
	case replica.KindWatch:
		if c.prog != nil {
			c.prog.notified(r.Event)
			return
		}
		c.stream.Items = append(c.stream.Items, linearize.StreamItem{Kind: linearize.ItemNotified, Path: r.Event.Path,
			Event: linearize.EventType(r.Event.Type), Zxid: linearize.Zxid(r.Zxid), Time: int64(c.now())})
	case replica.KindReply:
		c.reply(r)
	}
}

func (c *Client) reply(r *replica.Response) {
	if r.Zxid > c.lastZxid {
		c.lastZxid = r.Zxid
	}
	if c.prog != nil && r.Xid != -2 {
		c.prog.replied(r)
		if errors.Is(r.Err, tree.ErrSessionExpired) {
			c.expire()
		}
		return
	}
	if r.Xid == -2 || c.out == nil || r.Xid != c.out.xid {
		return
	}
	out := *c.out // a copy: the next issue reuses cur
	c.out = nil
	res := toResult(r)
	now := int64(c.now())
	if out.watch && (res.Err == linearize.CodeOK || (out.req.Kind == linearize.KindExists && res.Err == linearize.CodeNoNode)) {
		c.stream.Items = append(c.stream.Items, linearize.StreamItem{Kind: linearize.ItemRegistered, Path: out.req.Path,
			Watch: watchType(out.req.Kind), Zxid: linearize.Zxid(r.Zxid), Time: now})
	}
	c.stream.Items = append(c.stream.Items, linearize.StreamItem{Kind: linearize.ItemReplied, Zxid: linearize.Zxid(r.Zxid), Time: now})
	c.w.returned(out.id, res, r.Zxid, now)
	if res.Err == linearize.CodeOK && (out.req.Kind == linearize.KindGetData || out.req.Kind == linearize.KindSetData) {
		c.gen.saw(out.req.Path, res.Stat.Version)
	}
	if res.Err == linearize.CodeSessionExpired {
		c.expire()
		return
	}
	if out.req.Kind == linearize.KindSync {
		c.issueNow(c.gen.afterSync(out.req.Path))
		return
	}
	c.nextOpAt = c.now().Add(c.ctx.Rand().Between(0, c.cfg.Think))
}

// expire: the server said the session is gone; the client starts over
// with a new one.
func (c *Client) expire() {
	c.session = 0
	c.lose("session expired")
	if c.prog != nil {
		c.prog.expired()
	}
}

func watchType(k linearize.Kind) linearize.WatchType {
	switch k {
	case linearize.KindExists:
		return linearize.WatchExist
	case linearize.KindGetChildren:
		return linearize.WatchChild
	}
	return linearize.WatchData
}

func (c *Client) issue() { c.issueNow(c.gen.next()) }

func (c *Client) issueNow(op genOp) {
	c.xid++
	id, err := c.w.invoke(c.cfg.Index, c.session, c.xid, op.req, int64(c.now()))
	if err != nil {
		c.w.fail(err)
		return
	}
	c.issued++
	c.cur = call{id: id, xid: c.xid, req: op.req, watch: op.watch}
	c.out = &c.cur
	c.send(replica.Request{Xid: c.xid, Req: toTreeRequest(op.req), Watch: op.watch})
}

// toResult turns a reply into the history's Result.
func toResult(r *replica.Response) linearize.Result {
	res := linearize.Result{Err: linearize.ErrCode(tree.CodeOf(r.Err))}
	stat := func(s tree.Stat) linearize.Stat {
		return linearize.Stat{Version: s.Version, Czxid: uint64(s.Czxid), Mzxid: uint64(s.Mzxid), Pzxid: uint64(s.Pzxid)}
	}
	switch r.Op {
	case tree.OpGetData:
		res.Data, res.Stat = string(r.Data), stat(r.Stat)
	case tree.OpExists:
		res.Exists, res.Stat = r.Exists, stat(r.Stat)
	case tree.OpGetChildren, tree.OpGetChildren2:
		res.Children, res.Stat = r.Children, stat(r.Stat)
	case tree.OpCreate, tree.OpCreate2:
		res.Created, res.Stat = r.Result.Path, stat(r.Result.Stat)
	case tree.OpSetData:
		res.Stat = stat(r.Result.Stat)
	case tree.OpMulti:
		for _, m := range r.Result.Multi {
			res.Ops = append(res.Ops, linearize.Result{Err: linearize.ErrCode(tree.CodeOf(m.Err)), Created: m.Path, Stat: stat(m.Stat)})
		}
	}
	return res
}

func toTreeRequest(r linearize.Request) tree.Request {
	out := tree.Request{Path: r.Path, Version: r.Version}
	switch r.Kind {
	case linearize.KindCreate:
		out.Op, out.Data, out.ACL = tree.OpCreate, []byte(r.Data), tree.WorldACL(tree.PermAll)
		if r.Ephemeral {
			out.Flags |= tree.FlagEphemeral
		}
		if r.Sequential {
			out.Flags |= tree.FlagSequential
		}
	case linearize.KindDelete:
		out.Op = tree.OpDelete
	case linearize.KindSetData:
		out.Op, out.Data = tree.OpSetData, []byte(r.Data)
	case linearize.KindCheck:
		out.Op = tree.OpCheck
	case linearize.KindGetData:
		out.Op = tree.OpGetData
	case linearize.KindExists:
		out.Op = tree.OpExists
	case linearize.KindGetChildren:
		out.Op = tree.OpGetChildren
	case linearize.KindSync:
		out.Op = tree.OpSync
	case linearize.KindCloseSession:
		out.Op = tree.OpCloseSession
	case linearize.KindMulti:
		out.Op = tree.OpMulti
		for _, o := range r.Ops {
			out.Ops = append(out.Ops, toTreeRequest(o))
		}
	}
	return out
}
