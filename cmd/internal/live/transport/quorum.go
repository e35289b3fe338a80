package transport

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"

	"github.com/zabsim/zabsim/protocol"
)

// quorumSlot is the quorum channel with one peer: at most one connection
// (dialled by either side) and the FIFO queue of frames it has not yet
// taken. The queue belongs to the slot, not to a connection, so frames
// queued while a dial is in flight go out on whichever connection wins.
// The frames are encoded back to back in one buffer, which the writer
// swaps for its spare and writes with one call.
type quorumSlot struct {
	queue  []byte
	queued int // frames in queue
	// unsent is the tail of a Flush the socket did not take at once: it
	// goes before the queue.
	unsent   []byte
	dirty    bool   // listed in Transport.dirty
	cur      *qconn // dialling or up; nil when there is none
	waiting  bool   // a dialer goroutine is sleeping before it dials
	nextDial time.Time
	backoff  time.Duration
	loses    int    // verdictLose answers in a row
	lastUp   uint64 // id of the last connection that was up, told to the acceptor of the next dial
	resetAt  uint64 // Transport.resets at this peer's last broken connection
	// lastDelivery is closed when everything reported so far for this
	// peer (messages of earlier connections, resets) reached Inbound:
	// what comes next waits for it, so a reset is seen before the
	// messages of the connection that follows.
	lastDelivery chan struct{}
}

// qconn is one quorum connection.
type qconn struct {
	id     uint64
	nc     net.Conn
	br     *bufio.Reader
	dialed bool // this side dialled it
	up     bool
	// held: the writer or a Flush is writing to the socket. An accepted
	// connection starts held, until its writer has sent the verdict.
	held     bool
	raw      syscall.RawConn // for Flush's writes; nil without a descriptor
	closed   bool
	report   bool // closing it is reported as a reset
	peerBoot uint64
	wake     chan struct{}
	done     chan struct{} // closed when the connection is closed
}

func newQconn(id uint64, dialed bool) *qconn {
	return &qconn{id: id, dialed: dialed, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

func (c *qconn) wakeWriter() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// flushJob is one peer's queue that Flush writes.
type flushJob struct {
	p     *peer
	c     *qconn
	batch []byte
	n     int
}

// Flush writes the quorum messages queued since the last Flush (with
// Config.HostFlushes). For each connection that is up and whose socket
// nothing else is writing to, it writes the queue itself, without
// blocking and outside the lock; what the socket does not take at once,
// and every other connection's queue, goes to the connection's writer.
// A queue waiting for a connection leaves with it, as without Flush.
//
// Writing here saves the hand-off to the writer goroutine, which under
// load waited half a millisecond for a CPU, on each of a write's four
// hops between servers.
func (t *Transport) Flush() {
	t.mu.Lock()
	jobs := t.flushing[:0]
	for _, p := range t.dirty {
		s := &p.q
		s.dirty = false
		c := s.cur
		switch {
		case s.queued == 0 || c == nil || !c.up || c.closed:
		case c.held || len(s.unsent) > 0 || c.raw == nil:
			c.wakeWriter()
		default:
			jobs = append(jobs, flushJob{p: p, c: c, batch: s.queue})
			s.queue, s.queued = nil, 0
			c.held = true
		}
	}
	clear(t.dirty)
	t.dirty = t.dirty[:0]
	t.mu.Unlock()

	for i := range jobs {
		jobs[i].n = t.tryWrite(jobs[i].c.raw, jobs[i].batch)
	}

	t.mu.Lock()
	for _, j := range jobs {
		s := &j.p.q
		j.c.held = false
		switch {
		case j.c.closed: // its teardown dropped the queue
		case j.n < len(j.batch):
			s.unsent = j.batch[j.n:]
			j.c.wakeWriter()
		case s.queued > 0: // queued meanwhile by another goroutine
			j.c.wakeWriter()
		case cap(j.batch) <= spareMax:
			s.queue = j.batch[:0]
		}
	}
	clear(jobs)
	t.flushing = jobs[:0]
	t.mu.Unlock()
}

// RawConn is nc's descriptor for TryWrite, or nil when it has none.
func RawConn(nc net.Conn) syscall.RawConn {
	if sc, ok := nc.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			return raw
		}
	}
	return nil
}

// TryWrite writes b to the socket behind raw with one non-blocking
// write and returns how much of b it took: 0 when the socket buffer is
// full, or on an error, which is left for a blocking write of the same
// bytes to meet and report.
func TryWrite(raw syscall.RawConn, b []byte) int {
	n := 0
	_ = raw.Write(func(fd uintptr) bool {
		n, _ = syscall.Write(int(fd), b)
		return true // one attempt: never wait for the socket
	})
	return max(n, 0)
}

func (t *Transport) sendQuorumLocked(p *peer, m protocol.Message) {
	s := &p.q
	if s.queued >= t.queueLimit {
		t.logf(p.sid, protocol.ChanQuorum, "", fmt.Errorf("%w: %d messages waiting", ErrQueueFull, s.queued))
		t.failQuorumLocked(p)
		return
	}
	s.queue = appendFrame(s.queue, m)
	s.queued++
	switch {
	case s.cur != nil && s.cur.up:
		if t.flushes {
			if !s.dirty {
				s.dirty = true
				t.dirty = append(t.dirty, p)
			}
			return
		}
		s.cur.wakeWriter()
	case s.cur != nil || s.waiting:
		// The dial in flight, or the one scheduled, carries the queue.
	default:
		s.waiting = t.spawnLocked(func() { t.quorumDialer(p) })
	}
}

// resetQuorumLocked carries out a MsgReset from the core: the connection
// closes, what was queued is dropped, and only the peer hears of it.
func (t *Transport) resetQuorumLocked(p *peer) {
	s := &p.q
	s.queue, s.queued, s.unsent = nil, 0, nil
	s.loses = 0
	if s.cur != nil {
		t.teardownLocked(p, s.cur, false)
	}
}

// failQuorumLocked drops the quorum connection with p and what was
// queued for it, and reports a reset.
func (t *Transport) failQuorumLocked(p *peer) {
	s := &p.q
	if s.cur != nil {
		t.teardownLocked(p, s.cur, true)
		return
	}
	s.queue, s.queued, s.unsent = nil, 0, nil
	t.brokenLocked(p)
	t.noticeLocked(p)
}

// brokenLocked marks p's quorum connection broken now, for SendSince.
func (t *Transport) brokenLocked(p *peer) {
	t.resets++
	p.q.resetAt = t.resets
}

// teardownLocked closes c. A reset for a connection that was up is
// reported by its reader, after the messages it read.
func (t *Transport) teardownLocked(p *peer, c *qconn, report bool) {
	if c.closed {
		return
	}
	c.closed = true
	c.report = report && !t.closed
	if c.report {
		t.brokenLocked(p)
	}
	close(c.done)
	if c.nc != nil {
		t.closeConnLocked(c.nc)
	}
	s := &p.q
	if s.cur == c {
		s.cur = nil
		s.queue, s.queued, s.unsent = nil, 0, nil
	}
	if !c.up && c.report {
		t.noticeLocked(p)
	}
}

// noticeLocked reports a reset for p in order with its other deliveries.
func (t *Transport) noticeLocked(p *peer) {
	if t.closed {
		return
	}
	s := &p.q
	prev, mine := s.lastDelivery, make(chan struct{})
	s.lastDelivery = mine
	ok := t.spawnLocked(func() {
		defer close(mine)
		if t.await(prev) {
			t.deliver(t.resetNotice(p.sid))
		}
	})
	if !ok {
		close(mine)
	}
}

// await waits for ch (nil: nothing to wait for) unless Close begins.
func (t *Transport) await(ch <-chan struct{}) bool {
	if ch == nil {
		return true
	}
	select {
	case <-ch:
		return true
	case <-t.done:
		return false
	}
}

// quorumDialer dials p once the backoff allows, while frames wait and no
// connection exists, and installs the connection the acceptor accepts.
func (t *Transport) quorumDialer(p *peer) {
	s := &p.q
	for {
		t.mu.Lock()
		wait := time.Until(s.nextDial)
		t.mu.Unlock()
		if !t.sleep(wait) {
			return
		}
		t.mu.Lock()
		if s.cur != nil || s.queued == 0 {
			s.waiting = false
			t.mu.Unlock()
			return
		}
		if time.Now().Before(s.nextDial) { // a failure moved it meanwhile
			t.mu.Unlock()
			continue
		}
		c := newQconn(newID(), true)
		s.cur, s.waiting = c, false
		h := handshake{sid: t.id, ch: protocol.ChanQuorum, id: c.id, boot: t.boot, prev: s.lastUp}
		t.mu.Unlock()

		nc, br, code, boot, err := t.dial(p.sid, h, func(nc net.Conn) bool {
			t.mu.Lock()
			defer t.mu.Unlock()
			if s.cur != c {
				return false
			}
			c.nc = nc // so that a teardown interrupts the handshake
			return true
		})

		t.mu.Lock()
		if s.cur != c { // reset, failed or given up for the peer's dial meanwhile
			if nc != nil {
				t.closeConnLocked(nc)
			}
			t.mu.Unlock()
			return
		}
		if err == nil && code == verdictLose {
			t.closeConnLocked(nc)
			s.loses++
			if s.loses <= maxLoses {
				// The peer's own dial, or a connection it holds, wins;
				// keep the queue for it and look again shortly.
				c.closed = true
				close(c.done)
				s.cur, s.waiting = nil, true
				s.nextDial = time.Now().Add(t.minBackoff)
				t.mu.Unlock()
				continue
			}
			err = fmt.Errorf("%w: %d simultaneous dials lost in a row", ErrRefused, s.loses)
		}
		if err != nil {
			if !errors.Is(err, ErrClosed) {
				t.logf(p.sid, protocol.ChanQuorum, "", fmt.Errorf("dial: %w", err))
			}
			s.loses = 0
			s.nextDial = time.Now().Add(s.backoff)
			s.backoff = min(2*s.backoff, t.maxBackoff)
			t.teardownLocked(p, c, true)
			t.mu.Unlock()
			return
		}
		c.br, c.peerBoot = br, boot
		t.upLocked(p, c)
		t.mu.Unlock()
		return
	}
}

// acceptQuorum decides what to do with a quorum connection p dialled.
//
// With no connection, it is accepted. A dialer that says it had our
// current connection (up, or our dial in flight that it accepted) up
// closed it and we have not yet noticed: the new one replaces it, and the
// old one is reported as a reset. So does a dialer that is a new
// incarnation. Otherwise, with a connection up, the dial predates it and
// loses; with our own dial in flight, the connection dialled by the
// larger sid wins, as in QuorumCnxManager.
func (t *Transport) acceptQuorum(nc net.Conn, br *bufio.Reader, h handshake) {
	t.mu.Lock()
	if t.closed {
		t.closeConnLocked(nc)
		t.mu.Unlock()
		return
	}
	p := t.peers[h.sid]
	s := &p.q
	lose := false
	switch cur := s.cur; {
	case cur == nil:
	case h.prev == cur.id || (cur.up && cur.peerBoot != h.boot):
		t.teardownLocked(p, cur, true)
	case cur.up:
		lose = true
	case t.id > h.sid:
		lose = true
	default:
		// Give our dial up; the queue stays for this connection. The
		// dialer closes the dialled connection when it sees it lost.
		cur.closed = true
		close(cur.done)
		s.cur = nil
	}
	if lose {
		t.mu.Unlock()
		_ = nc.SetWriteDeadline(time.Now().Add(t.dialTO))
		_, _ = nc.Write(encodeVerdict(verdictLose, t.boot))
		t.closeConn(nc)
		return
	}
	c := newQconn(h.id, false)
	c.nc, c.br, c.peerBoot = nc, br, h.boot
	t.upLocked(p, c)
	t.mu.Unlock()
}

// upLocked makes c p's quorum connection and starts its writer and reader.
func (t *Transport) upLocked(p *peer, c *qconn) {
	s := &p.q
	c.up = true
	c.held = !c.dialed
	c.raw = RawConn(c.nc)
	s.cur = c
	s.lastUp = c.id
	s.loses = 0
	s.backoff = t.minBackoff
	s.nextDial = time.Time{}
	prev, mine := s.lastDelivery, make(chan struct{})
	s.lastDelivery = mine
	if !t.spawnLocked(func() { t.quorumReader(p, c, prev, mine) }) {
		close(mine)
		t.teardownLocked(p, c, false)
		return
	}
	t.spawnLocked(func() { t.quorumWriter(p, c) })
}

// spareMax bounds the buffer a quorum writer keeps between batches, so
// that one large message (a snapshot) does not hold its size for good.
const spareMax = 1 << 20

// quorumWriter writes p's queue to c, everything queued at once, after
// what a Flush left unsent. On a connection it accepted it first sends
// the verdict, so nothing precedes it.
func (t *Transport) quorumWriter(p *peer, c *qconn) {
	s := &p.q
	if !c.dialed {
		if _, err := c.nc.Write(encodeVerdict(verdictAccept, t.boot)); err != nil {
			t.failConn(p, c, err)
			return
		}
	}
	var spare []byte
	mine := !c.dialed // upLocked made the socket ours for the verdict
	for {
		t.mu.Lock()
		if mine {
			c.held, mine = false, false
		}
		if c.closed {
			t.mu.Unlock()
			return
		}
		// A Flush writing to the socket wakes the writer again when it
		// leaves something behind.
		var unsent, batch []byte
		if !c.held && (len(s.unsent) > 0 || len(s.queue) > 0) {
			unsent, batch = s.unsent, s.queue
			s.unsent, s.queue, s.queued = nil, spare[:0], 0
			c.held, mine = true, true
		}
		t.mu.Unlock()
		if !mine {
			select {
			case <-c.wake:
			case <-c.done:
			case <-t.done:
				return
			}
			continue
		}
		bufs := net.Buffers{unsent, batch}
		if _, err := bufs.WriteTo(c.nc); err != nil {
			t.failConn(p, c, err)
			return
		}
		spare = nil
		if cap(batch) <= spareMax {
			spare = batch
		}
	}
}

// failConn closes c after an I/O error and reports the reset.
func (t *Transport) failConn(p *peer, c *qconn, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c.closed {
		return
	}
	if !isClosedErr(err) {
		t.logf(p.sid, protocol.ChanQuorum, c.nc.RemoteAddr().String(), err)
	}
	t.teardownLocked(p, c, true)
}

// quorumReader delivers c's messages after whatever p's earlier
// connections delivered, then c's reset if its closing is to be reported.
func (t *Transport) quorumReader(p *peer, c *qconn, prev <-chan struct{}, mine chan<- struct{}) {
	defer close(mine)
	if !t.await(prev) {
		return
	}
	var buf []byte
	for {
		body, err := readFrame(c.br, t.maxFrame, buf)
		buf = body
		var m protocol.Message
		if err == nil {
			m, err = decodeFrame(body, protocol.ChanQuorum, p.sid, t.id)
		}
		if err != nil {
			t.failConn(p, c, err)
			t.mu.Lock()
			report := c.report
			t.mu.Unlock()
			if report {
				t.deliver(t.resetNotice(p.sid))
			}
			return
		}
		if !t.deliver(Inbound{Msg: m, Peer: p.sid}) {
			return
		}
	}
}
