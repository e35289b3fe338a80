package zk

import (
	"errors"
	"fmt"
	"runtime"
	"sort"
	"time"

	"github.com/zabsim/zabsim/protocol/replica"
	"github.com/zabsim/zabsim/recipes"
	"github.com/zabsim/zabsim/sim"
	"github.com/zabsim/zabsim/tree"
)

// Program is client code written in the blocking style of a ZooKeeper
// client library (a recipe, say), run by a simulated client. It runs on
// a goroutine of its own but in lockstep with the simulator: at any
// moment either the simulator or one program runs, never two, and a
// program runs only when the simulator hands it a reply, an event or the
// end of a wait. So a run with programs stays a function of its seed.
type Program func(c *Conn)

// ErrProgram wraps a program's panic, or its breaking a limit, which
// fails the run.
var ErrProgram = errors.New("zk: program failed")

// eventsMax bounds a program's undelivered events: a program that never
// calls Next would otherwise hold every notification of the run. Going
// past it fails the run rather than losing notifications unseen.
const eventsMax = 1 << 12

// waitKind is what a parked program waits for.
type waitKind uint8

const (
	waitNone  waitKind = iota
	waitStart          // not started yet
	waitReply          // its call's reply (sent, or to send once connected)
	waitEvent          // an event, until deadline (0: none)
	waitSleep          // deadline
	waitPause          // the end of a pause of its whole client
	waitDone           // returned: closing its session
	waitOver           // finished
)

// wakeup is what the simulator hands a parked program.
type wakeup struct {
	resp  *replica.Response
	err   error
	event recipes.Event
	ok    bool
	stop  bool
}

// Conn is a program's ZooKeeper connection: recipes.Conn over a simulated
// client, whose connection handling (server choice, pings, failover with
// the session, a new session after expiry) it shares with the workload
// clients.
type Conn struct {
	cl   *Client
	prog Program

	wake  chan wakeup
	yield chan struct{}

	wait     waitKind
	deadline sim.Time
	req      replica.Request // the call to send
	sent     bool            // req is on the wire (its xid is req.Xid)
	events   []recipes.Event
	closeXid int32
	returned bool // the program's function returned
	// down: the client lost its connection and has not had one since;
	// only such a reconnection is an EventConnected (not the first).
	down bool
}

var _ recipes.Conn = (*Conn)(nil)

func newConn(cl *Client, prog Program) *Conn {
	return &Conn{cl: cl, prog: prog, wake: make(chan wakeup), yield: make(chan struct{}), wait: waitStart}
}

// Index is the program's client index in the run.
func (c *Conn) Index() int { return c.cl.cfg.Index }

// Rand is the client's seeded random source, for programs that draw.
func (c *Conn) Rand() *sim.Rand { return c.cl.ctx.Rand() }

// Now is virtual time since the run began.
func (c *Conn) Now() time.Duration { return time.Duration(c.cl.now()) }

// Note adds a line about this client to the run's trace.
func (c *Conn) Note(text string) { c.cl.ctx.Note(text) }

// Session is the client's current session, 0 while it has none.
func (c *Conn) Session() int64 { return c.cl.session }

// start runs the program up to its first wait. Called on the simulator's
// goroutine.
func (c *Conn) start() {
	c.wait = waitNone
	go func() {
		defer func() {
			if r := recover(); r != nil {
				c.cl.w.fail(fmt.Errorf("%w: client %d: %v", ErrProgram, c.Index(), r))
			}
			c.returned = true
			if c.wait != waitOver {
				// A library's Close: the session ends now, so its
				// ephemerals go at once.
				c.wait = waitDone
			}
			c.yield <- struct{}{}
		}()
		<-c.wake
		c.prog(c)
	}()
	c.resume(wakeup{})
}

// resume hands control to the program until it parks again, then acts on
// what it parked for. Called on the simulator's goroutine.
func (c *Conn) resume(w wakeup) {
	c.wake <- w
	<-c.yield
	c.parked()
}

// park hands control back to the simulator and waits to be resumed.
// Called on the program's goroutine.
func (c *Conn) park() wakeup {
	c.yield <- struct{}{}
	w := <-c.wake
	if w.stop {
		c.wait = waitOver
		runtime.Goexit()
	}
	return w
}

// stop ends a parked program's goroutine: the run is over.
func (c *Conn) stop() {
	if c.returned || c.wait == waitStart {
		return
	}
	c.wake <- wakeup{stop: true}
	<-c.yield
}

// parked acts on what the program now waits for.
func (c *Conn) parked() {
	switch c.wait {
	case waitReply:
		c.sendCall()
	case waitEvent:
		if len(c.events) > 0 {
			c.deliver()
		}
	case waitDone:
		c.sendClose()
	}
}

var waitNames = [...]string{waitNone: "running", waitStart: "not started", waitReply: "waiting for a reply", waitEvent: "waiting for an event",
	waitSleep: "sleeping", waitPause: "paused", waitDone: "closing its session", waitOver: "finished"}

// describe says what the program waits for, for liveness reports.
func (c *Conn) describe() string {
	out := waitNames[c.wait]
	switch c.wait {
	case waitReply:
		out += fmt.Sprintf(" to %s %s (sent: %v)", c.req.Req.Op, c.req.Req.Path, c.sent)
	case waitEvent, waitSleep:
		if c.deadline != 0 {
			out += fmt.Sprintf(" until %v", c.deadline)
		}
	}
	states := [...]string{stateDisconnected: "disconnected", stateConnecting: "connecting", stateConnected: "connected"}
	return fmt.Sprintf("%s; client %s, session %#x, %d events queued", out, states[c.cl.state], c.cl.session, len(c.events))
}

// Done reports whether the program returned and its session is closed.
func (c *Conn) Done() bool { return c.returned && c.wait == waitOver }

func (c *Conn) sendCall() {
	if c.sent || c.cl.state != stateConnected {
		return // sent once the client is connected
	}
	c.cl.xid++
	c.req.Xid = c.cl.xid
	c.sent = true
	c.cl.send(c.req)
}

func (c *Conn) sendClose() {
	switch {
	case c.cl.session == 0:
		c.closed()
	case c.cl.state == stateConnected && c.closeXid == 0:
		c.cl.xid++
		c.closeXid = c.cl.xid
		c.cl.send(replica.Request{Xid: c.closeXid, Req: tree.Request{Op: tree.OpCloseSession}})
	}
}

// closed: the session is over, closed or expired. Unless the program has
// returned, the client connects again, with a new session.
func (c *Conn) closed() {
	c.closeXid = 0
	c.cl.session = 0
	c.cl.lose("session closed")
	if c.returned {
		c.wait = waitOver
		return
	}
	c.resume(wakeup{})
}

// tick ends waits whose time is up. Called on every tick of the client.
func (c *Conn) tick() {
	switch {
	case c.wait == waitStart:
		c.start()
	case (c.wait == waitEvent || c.wait == waitSleep) && c.deadline != 0 && c.cl.now() >= c.deadline:
		c.resume(wakeup{})
	}
}

// connected: the client has a session on a connection.
func (c *Conn) connected() {
	if c.down {
		c.down = false
		c.push(recipes.Event{Type: recipes.EventConnected})
	}
	switch c.wait {
	case waitReply:
		c.sendCall()
	case waitDone:
		c.sendClose()
	}
}

// lost: a connection attempt failed or a connection is gone; a sent call's fate is unknown.
func (c *Conn) lost(wasConnected bool) {
	if wasConnected && !c.down {
		c.down = true
		c.push(recipes.Event{Type: recipes.EventDisconnected})
	}
	switch {
	case c.wait == waitReply && c.sent:
		c.sent = false
		c.resume(wakeup{err: tree.ErrConnectionLoss})
	case c.wait == waitDone && c.closeXid != 0:
		// The close may or may not have happened; either way the
		// session ends, by the close or by expiry.
		c.closed()
	}
}

// replied handles a reply to one of the program's calls.
func (c *Conn) replied(r *replica.Response) {
	switch {
	case c.wait == waitReply && c.sent && r.Xid == c.req.Xid:
		c.sent = false
		c.resume(wakeup{resp: r, err: r.Err})
	case c.wait == waitDone && r.Xid == c.closeXid:
		c.closed()
	}
}

// notified queues a watch notification.
func (c *Conn) notified(ev tree.Event) {
	c.push(recipes.Event{Type: recipes.EventType(ev.Type), Path: ev.Path})
}

func (c *Conn) push(ev recipes.Event) {
	if len(c.events) >= eventsMax {
		c.cl.w.fail(fmt.Errorf("%w: client %d left more than %d events unread", ErrProgram, c.Index(), eventsMax))
		return
	}
	c.events = append(c.events, ev)
	if c.wait == waitEvent {
		c.deliver()
	}
}

func (c *Conn) deliver() {
	ev := c.events[0]
	c.events = c.events[1:]
	c.resume(wakeup{event: ev, ok: true})
}

// call sends req and waits for its reply. Called on the program's
// goroutine.
func (c *Conn) call(req tree.Request, watch bool) (*replica.Response, error) {
	c.req = replica.Request{Req: req, Watch: watch}
	c.cl.w.programCalls++
	c.wait = waitReply
	w := c.park()
	c.wait = waitNone
	return w.resp, w.err
}

// Create creates a znode and returns its path (with a sequential's
// suffix).
func (c *Conn) Create(path string, data []byte, flags int32) (string, error) {
	r, err := c.call(tree.Request{Op: tree.OpCreate, Path: path, Data: data, Flags: flags, ACL: tree.WorldACL(tree.PermAll)}, false)
	if err != nil {
		return "", err
	}
	return r.Result.Path, nil
}

// Delete deletes a znode if its version matches (-1: any).
func (c *Conn) Delete(path string, version int32) error {
	_, err := c.call(tree.Request{Op: tree.OpDelete, Path: path, Version: version}, false)
	return err
}

// Exists reports whether path exists, leaving a watch if asked.
func (c *Conn) Exists(path string, watch bool) (bool, tree.Stat, error) {
	r, err := c.call(tree.Request{Op: tree.OpExists, Path: path}, watch)
	if errors.Is(err, tree.ErrNoNode) {
		return false, tree.Stat{}, nil
	}
	if err != nil {
		return false, tree.Stat{}, err
	}
	return r.Exists, r.Stat, nil
}

// Get reads a znode's data.
func (c *Conn) Get(path string, watch bool) ([]byte, tree.Stat, error) {
	r, err := c.call(tree.Request{Op: tree.OpGetData, Path: path}, watch)
	if err != nil {
		return nil, tree.Stat{}, err
	}
	return r.Data, r.Stat, nil
}

// Children lists a znode's children, sorted.
func (c *Conn) Children(path string, watch bool) ([]string, tree.Stat, error) {
	r, err := c.call(tree.Request{Op: tree.OpGetChildren2, Path: path}, watch)
	if err != nil {
		return nil, tree.Stat{}, err
	}
	children := append([]string(nil), r.Children...)
	sort.Strings(children)
	return children, r.Stat, nil
}

// Set writes a znode's data if its version matches (-1: any).
func (c *Conn) Set(path string, data []byte, version int32) (tree.Stat, error) {
	r, err := c.call(tree.Request{Op: tree.OpSetData, Path: path, Data: data, Version: version}, false)
	if err != nil {
		return tree.Stat{}, err
	}
	return r.Result.Stat, nil
}

// Multi runs ops as one transaction.
func (c *Conn) Multi(ops ...recipes.Op) ([]recipes.OpResult, error) {
	req := tree.Request{Op: tree.OpMulti}
	for _, o := range ops {
		sub := tree.Request{Path: o.Path, Version: o.Version}
		switch o.Kind {
		case recipes.OpCreate:
			sub.Op, sub.Data, sub.Flags, sub.ACL = tree.OpCreate, o.Data, o.Flags, tree.WorldACL(tree.PermAll)
		case recipes.OpDelete:
			sub.Op = tree.OpDelete
		case recipes.OpSet:
			sub.Op, sub.Data = tree.OpSetData, o.Data
		case recipes.OpCheck:
			sub.Op = tree.OpCheck
		default:
			return nil, fmt.Errorf("%w: multi op kind %d", tree.ErrBadArguments, o.Kind)
		}
		req.Ops = append(req.Ops, sub)
	}
	r, err := c.call(req, false)
	if r == nil {
		return nil, err
	}
	out := make([]recipes.OpResult, len(r.Result.Multi))
	for i, m := range r.Result.Multi {
		out[i] = recipes.OpResult{Path: m.Path, Err: m.Err}
		// A failed multi's reply is OK with the failure in its results;
		// recipes.Conn returns the first failed op's error.
		if err == nil {
			err = m.Err
		}
	}
	return out, err
}

// Sync waits until the server the client is connected to has every
// transaction committed when the sync reached the leader.
func (c *Conn) Sync(path string) error {
	_, err := c.call(tree.Request{Op: tree.OpSync, Path: path}, false)
	return err
}

// Next waits up to d for the next event; d < 0 waits without bound and
// 0 only takes one already queued.
func (c *Conn) Next(d time.Duration) (recipes.Event, bool) {
	if len(c.events) > 0 {
		ev := c.events[0]
		c.events = c.events[1:]
		return ev, true
	}
	if d == 0 {
		return recipes.Event{}, false
	}
	c.wait, c.deadline = waitEvent, 0
	if d > 0 {
		c.deadline = c.cl.now().Add(d)
	}
	w := c.park()
	c.wait = waitNone
	return w.event, w.ok
}

// Sleep passes d of virtual time, the client's connection kept alive.
func (c *Conn) Sleep(d time.Duration) {
	if d <= 0 {
		return
	}
	c.wait, c.deadline = waitSleep, c.cl.now().Add(d)
	c.park()
	c.wait = waitNone
}

// Pause stops the whole client for d, like a stop-the-world garbage
// collection: no pings, no timers, nothing read. When it ends, the
// program carries on at once, before the client has handled whatever
// arrived meanwhile: just as code resuming from a long pause acts before
// its library notices that the session is gone.
func (c *Conn) Pause(d time.Duration) {
	node := c.cl.w.s.Node(c.cl.ctx.ID())
	c.wait = waitPause
	node.Pause()
	c.cl.w.s.After(d, func() {
		node.Resume()
		c.resume(wakeup{})
	})
	c.park()
	c.wait = waitNone
}

// Close ends the program's session and waits until it is over.
func (c *Conn) Close() {
	c.wait = waitDone
	c.park()
	c.wait = waitNone
}

// expired: the server said the session is gone.
func (c *Conn) expired() {
	c.down = true
	c.push(recipes.Event{Type: recipes.EventExpired})
}
