package transport

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/zabsim/zabsim/protocol"
)

// Errors, reported through Config.ErrorLog wrapped in a *ConnError.
var (
	ErrClosed        = errors.New("transport: closed")
	ErrUnknownPeer   = errors.New("transport: unknown peer")
	ErrHandshake     = errors.New("transport: bad handshake")
	ErrRefused       = errors.New("transport: connection refused by the peer")
	ErrFrameTooLarge = errors.New("transport: frame too large")
	ErrBadFrame      = errors.New("transport: bad frame")
	ErrQueueFull     = errors.New("transport: quorum send queue full")

	errCalledOff = errors.New("transport: dial called off")
)

// Defaults for Config.
const (
	DefaultDialTimeout = 3 * time.Second
	DefaultQueueLimit  = 100_000
	DefaultMinBackoff  = 50 * time.Millisecond
	DefaultMaxBackoff  = time.Second
	inboundBuffer      = 4096
	maxLoses           = 8
)

// Addrs are a server's two listening addresses.
type Addrs struct {
	Quorum, Election string
}

// Config describes one server of the ensemble.
type Config struct {
	// ID is this server's sid; Peers must hold its addresses, where it
	// listens ("127.0.0.1:0" picks free ports; see Transport.Addrs).
	ID    uint64
	Peers map[uint64]Addrs
	// DialTimeout bounds connecting and the handshake, both ways.
	// 0 means DefaultDialTimeout.
	DialTimeout time.Duration
	// MaxFrame bounds a frame's body; 0 means DefaultMaxFrame.
	MaxFrame int
	// QueueLimit bounds the quorum messages waiting for one peer's
	// connection; 0 means DefaultQueueLimit.
	QueueLimit int
	// MinBackoff and MaxBackoff bound the wait before redialling a peer
	// whose dial failed; 0 means DefaultMinBackoff and DefaultMaxBackoff.
	MinBackoff, MaxBackoff time.Duration
	// ErrorLog, if set, is told about every connection that failed for a
	// reason other than a clean close: refused dials, bad handshakes,
	// bad frames. Each error is a *ConnError. It may be called with the
	// transport's lock held: it must not block or call the Transport.
	ErrorLog func(error)
	// HostFlushes: SendSince only queues a quorum message, and the host
	// calls Flush once it has sent a batch; Flush writes the batch itself
	// where the socket takes it at once (see Flush). Otherwise each
	// SendSince wakes the connection's writer.
	HostFlushes bool
}

// ConnError is a failed connection: with whom, on which channel, why.
type ConnError struct {
	Peer    uint64 // 0 when the peer did not say who it is
	Channel protocol.Channel
	Remote  string
	Err     error
}

func (e *ConnError) Error() string {
	who := "unidentified peer"
	if e.Peer != 0 {
		who = fmt.Sprintf("peer %d", e.Peer)
	}
	return fmt.Sprintf("transport: %s connection with %s (%s): %v", chanName(e.Channel), who, e.Remote, e.Err)
}

func (e *ConnError) Unwrap() error { return e.Err }

// Inbound is what the host steps into its peer: a message, or the notice
// that the quorum connection with Peer broke. For a reset, Msg is the
// protocol.MsgReset the core expects, so a host can step Msg either way.
type Inbound struct {
	Msg   protocol.Message
	Peer  uint64
	Reset bool
}

// Transport connects one server with its peers. Its methods are safe for
// concurrent use.
type Transport struct {
	id         uint64
	boot       uint64
	dialTO     time.Duration
	maxFrame   int
	queueLimit int
	minBackoff time.Duration
	maxBackoff time.Duration
	errorLog   func(error)
	flushes    bool
	tryWrite   func(syscall.RawConn, []byte) int // TryWrite; tests pause it

	inbound chan Inbound
	done    chan struct{}
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	// mu guards everything below and every peer's state. It is never
	// held across network I/O or a blocking channel operation.
	mu        sync.Mutex
	started   bool
	closed    bool
	self      Addrs
	peers     map[uint64]*peer
	listeners []net.Listener
	conns     map[net.Conn]struct{}
	// resets counts quorum connections that broke (not by the core's own
	// MsgReset); each peer's slot keeps the count at its last break.
	resets uint64
	// dirty lists the peers given quorum messages since the last Flush;
	// flushing is Flush's own list, kept for reuse.
	dirty    []*peer
	flushing []flushJob
}

// peer is the state kept for one other server.
type peer struct {
	sid   uint64
	addrs Addrs
	el    electionState
	q     quorumSlot
}

// New checks cfg; nothing is bound until Start.
func New(cfg Config) (*Transport, error) {
	self, ok := cfg.Peers[cfg.ID]
	if !ok {
		return nil, fmt.Errorf("transport: server %d is not among its peers", cfg.ID)
	}
	if cfg.ID == 0 {
		return nil, errors.New("transport: sid 0 is reserved")
	}
	if cfg.DialTimeout == 0 {
		cfg.DialTimeout = DefaultDialTimeout
	}
	if cfg.MaxFrame == 0 {
		cfg.MaxFrame = DefaultMaxFrame
	}
	if cfg.QueueLimit == 0 {
		cfg.QueueLimit = DefaultQueueLimit
	}
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff = DefaultMinBackoff
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = max(DefaultMaxBackoff, cfg.MinBackoff)
	}
	switch {
	case cfg.DialTimeout < 0 || cfg.QueueLimit < 0 || cfg.MinBackoff < 0:
		return nil, errors.New("transport: negative limit")
	case cfg.MaxFrame < messageHeader || cfg.MaxFrame > DefaultMaxFrame:
		return nil, fmt.Errorf("transport: max frame %d outside [%d, %d]", cfg.MaxFrame, messageHeader, DefaultMaxFrame)
	case cfg.MaxBackoff < cfg.MinBackoff:
		return nil, fmt.Errorf("transport: max backoff %v below min backoff %v", cfg.MaxBackoff, cfg.MinBackoff)
	}
	t := &Transport{
		id:         cfg.ID,
		boot:       newID(),
		dialTO:     cfg.DialTimeout,
		maxFrame:   cfg.MaxFrame,
		queueLimit: cfg.QueueLimit,
		minBackoff: cfg.MinBackoff,
		maxBackoff: cfg.MaxBackoff,
		errorLog:   cfg.ErrorLog,
		flushes:    cfg.HostFlushes,
		tryWrite:   TryWrite,
		inbound:    make(chan Inbound, inboundBuffer),
		done:       make(chan struct{}),
		self:       self,
		peers:      map[uint64]*peer{},
		conns:      map[net.Conn]struct{}{},
	}
	t.ctx, t.cancel = context.WithCancel(context.Background())
	for sid, a := range cfg.Peers {
		if sid != cfg.ID {
			t.peers[sid] = t.newPeer(sid, a)
		}
	}
	return t, nil
}

func (t *Transport) newPeer(sid uint64, a Addrs) *peer {
	p := &peer{sid: sid, addrs: a}
	p.el.wake = make(chan struct{}, 1)
	p.q.backoff = t.minBackoff
	return p
}

// newID is a random non-zero id for a boot or a connection.
func newID() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand panics instead)
	return binary.BigEndian.Uint64(b[:]) | 1
}

// ID is this server's sid.
func (t *Transport) ID() uint64 { return t.id }

// Start binds the election and quorum listeners and starts accepting.
func (t *Transport) Start() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return ErrClosed
	}
	if t.started {
		return errors.New("transport: already started")
	}
	el, err := net.Listen("tcp", t.self.Election)
	if err != nil {
		return fmt.Errorf("transport: election listener: %w", err)
	}
	q, err := net.Listen("tcp", t.self.Quorum)
	if err != nil {
		el.Close()
		return fmt.Errorf("transport: quorum listener: %w", err)
	}
	t.started = true
	t.listeners = []net.Listener{el, q}
	t.self = Addrs{Quorum: q.Addr().String(), Election: el.Addr().String()}
	t.spawnLocked(func() { t.acceptLoop(el, protocol.ChanElection) })
	t.spawnLocked(func() { t.acceptLoop(q, protocol.ChanQuorum) })
	return nil
}

// Addrs are the addresses this server listens on: after Start, the bound
// ones (with the ports chosen for ":0").
func (t *Transport) Addrs() Addrs {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.self
}

// SetPeer adds a peer or changes where it is dialled. Connections already
// open are kept.
func (t *Transport) SetPeer(sid uint64, a Addrs) error {
	if sid == t.id || sid == 0 {
		return fmt.Errorf("transport: cannot set peer %d", sid)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if p := t.peers[sid]; p != nil {
		p.addrs = a
	} else {
		t.peers[sid] = t.newPeer(sid, a)
	}
	return nil
}

// Inbound delivers what peers sent, in order per connection, and the
// quorum resets. It is closed when Close returns.
func (t *Transport) Inbound() <-chan Inbound { return t.inbound }

// Send queues m for m.To and returns at once; m.From is set to this
// server. A notification replaces one still waiting for the same peer. A
// protocol.MsgReset closes the quorum connection to m.To. Messages for
// unknown peers, or too large for MaxFrame, are reported to ErrorLog and
// dropped; a dropped quorum message also resets that connection.
func (t *Transport) Send(m protocol.Message) { t.SendSince(m, math.MaxUint64) }

// Resets counts the quorum connections broken so far, other than by the
// core's own MsgReset. A host reads it when it takes a Ready from the core
// and hands it to SendSince with that Ready's messages.
func (t *Transport) Resets() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.resets
}

// SendSince is Send for a message the core made when Resets was since. A
// quorum message to a peer whose connection broke after that is dropped:
// it was meant for that connection, as a LearnerHandler's packets are
// meant for its socket, and on the next one it would arrive out of place
// (a second LEADERINFO after a reconnect makes a follower exit).
func (t *Transport) SendSince(m protocol.Message, since uint64) {
	m.From = t.id
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	p := t.peers[m.To]
	if p == nil {
		t.logf(m.To, m.Channel(), "", fmt.Errorf("%w: cannot send %s", ErrUnknownPeer, m))
		return
	}
	if size := messageHeader + len(m.Data); size > t.maxFrame {
		err := fmt.Errorf("%w: %s is %d bytes, limit %d", ErrFrameTooLarge, m, size, t.maxFrame)
		t.logf(m.To, m.Channel(), "", err)
		if m.Channel() == protocol.ChanQuorum {
			t.failQuorumLocked(p)
		}
		return
	}
	if m.Type == protocol.MsgReset {
		t.resetQuorumLocked(p)
		return
	}
	if m.Channel() == protocol.ChanElection {
		t.sendElectionLocked(p, encodeFrame(m))
		return
	}
	if p.q.resetAt > since {
		return
	}
	t.sendQuorumLocked(p, m)
}

// Close closes every listener and connection and waits for every
// goroutine; then it closes Inbound. No reset is reported for the
// connections it closes.
func (t *Transport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	close(t.done)
	t.cancel()
	var errs []error
	for _, ln := range t.listeners {
		if err := ln.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	for nc := range t.conns {
		nc.Close()
	}
	clear(t.conns)
	t.mu.Unlock()
	t.wg.Wait()
	close(t.inbound)
	return errors.Join(errs...)
}

// spawnLocked runs f on a goroutine Close waits for, unless Close began.
func (t *Transport) spawnLocked(f func()) bool {
	if t.closed {
		return false
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		f()
	}()
	return true
}

// track registers a connection for Close; it fails once Close began.
func (t *Transport) track(nc net.Conn) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		nc.Close()
		return false
	}
	t.conns[nc] = struct{}{}
	return true
}

func (t *Transport) closeConn(nc net.Conn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closeConnLocked(nc)
}

func (t *Transport) closeConnLocked(nc net.Conn) {
	delete(t.conns, nc)
	nc.Close()
}

func (t *Transport) logf(sid uint64, ch protocol.Channel, remote string, err error) {
	if t.errorLog != nil {
		t.errorLog(&ConnError{Peer: sid, Channel: ch, Remote: remote, Err: err})
	}
}

// deliver hands in to the host, unless Close began.
func (t *Transport) deliver(in Inbound) bool {
	select {
	case <-t.done:
		return false
	default:
	}
	select {
	case t.inbound <- in:
		return true
	case <-t.done:
		return false
	}
}

func (t *Transport) resetNotice(sid uint64) Inbound {
	return Inbound{
		Msg:   protocol.Message{Type: protocol.MsgReset, From: sid, To: t.id},
		Peer:  sid,
		Reset: true,
	}
}

// sleep waits d, or less if Close begins; it reports whether to go on.
func (t *Transport) sleep(d time.Duration) bool {
	if d <= 0 {
		select {
		case <-t.done:
			return false
		default:
			return true
		}
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-t.done:
		return false
	}
}

func (t *Transport) acceptLoop(ln net.Listener, ch protocol.Channel) {
	for {
		nc, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			t.logf(0, ch, ln.Addr().String(), fmt.Errorf("accept: %w", err))
			if !t.sleep(t.minBackoff) {
				return
			}
			continue
		}
		if !t.track(nc) {
			return
		}
		t.mu.Lock()
		ok := t.spawnLocked(func() { t.serveIncoming(nc, ch) })
		t.mu.Unlock()
		if !ok {
			return
		}
	}
}

// serveIncoming reads an accepted connection's handshake and hands it to
// its channel.
func (t *Transport) serveIncoming(nc net.Conn, ch protocol.Channel) {
	remote := nc.RemoteAddr().String()
	_ = nc.SetDeadline(time.Now().Add(t.dialTO))
	br := bufio.NewReader(nc)
	h, err := readHandshake(br, ch)
	if err == nil && (h.sid == t.id || !t.known(h.sid)) {
		err = fmt.Errorf("%w: handshake from sid %d", ErrUnknownPeer, h.sid)
	}
	if err != nil {
		// A dialer that gave up before saying anything (its dial was
		// called off) closes with no byte sent: not worth a report.
		if !errors.Is(err, io.EOF) {
			t.logf(h.sid, ch, remote, err)
		}
		t.closeConn(nc)
		return
	}
	_ = nc.SetDeadline(time.Time{})
	if ch == protocol.ChanElection {
		t.serveElection(nc, br, h.sid)
		return
	}
	t.acceptQuorum(nc, br, h)
}

func (t *Transport) known(sid uint64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.peers[sid] != nil
}

// dial connects to sid's listener for h.ch and shakes hands. The
// connection is tracked; the caller closes it with closeConn. If set,
// connected is told of the connection before the handshake and may call
// the dial off.
func (t *Transport) dial(sid uint64, h handshake, connected func(net.Conn) bool) (net.Conn, *bufio.Reader, byte, uint64, error) {
	t.mu.Lock()
	p := t.peers[sid]
	addr := p.addrs.Election
	if h.ch == protocol.ChanQuorum {
		addr = p.addrs.Quorum
	}
	t.mu.Unlock()
	d := net.Dialer{Timeout: t.dialTO}
	nc, err := d.DialContext(t.ctx, "tcp", addr)
	if err != nil {
		return nil, nil, 0, 0, err
	}
	if !t.track(nc) {
		return nil, nil, 0, 0, ErrClosed
	}
	if connected != nil && !connected(nc) {
		t.closeConn(nc)
		return nil, nil, 0, 0, errCalledOff
	}
	_ = nc.SetDeadline(time.Now().Add(t.dialTO))
	if _, err := nc.Write(h.encode()); err != nil {
		t.closeConn(nc)
		return nil, nil, 0, 0, fmt.Errorf("%w: %w", ErrHandshake, err)
	}
	br := bufio.NewReader(nc)
	code, boot, err := readVerdict(br)
	if err != nil {
		t.closeConn(nc)
		return nil, nil, 0, 0, err
	}
	_ = nc.SetDeadline(time.Time{})
	return nc, br, code, boot, nil
}

// isClosedErr tells a connection this side closed from one that failed.
func isClosedErr(err error) bool {
	return errors.Is(err, net.ErrClosed) || errors.Is(err, io.EOF)
}
