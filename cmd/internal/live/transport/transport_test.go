package transport

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/protocol"
)

const waitFor = 5 * time.Second

// errLog collects what a transport reports to Config.ErrorLog.
type errLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errLog) add(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

func (l *errLog) all() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

// find returns the first error that is target (nil: any), from peer sid on ch.
func (l *errLog) find(target error, sid uint64, ch protocol.Channel) *ConnError {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, err := range l.errs {
		var ce *ConnError
		if errors.As(err, &ce) && (target == nil || errors.Is(err, target)) && ce.Peer == sid && ce.Channel == ch {
			return ce
		}
	}
	return nil
}

type node struct {
	*Transport
	log *errLog
}

func testConfig(id uint64, addrs Addrs, log *errLog) Config {
	return Config{
		ID:          id,
		Peers:       map[uint64]Addrs{id: addrs},
		DialTimeout: 2 * time.Second,
		MinBackoff:  10 * time.Millisecond,
		MaxBackoff:  100 * time.Millisecond,
		ErrorLog:    log.add,
	}
}

var anyPort = Addrs{Quorum: "127.0.0.1:0", Election: "127.0.0.1:0"}

// start runs a transport for sid on addrs; Close is left to the test's
// cleanup (a second Close is harmless).
func start(t *testing.T, sid uint64, addrs Addrs, tweak func(*Config)) *node {
	t.Helper()
	log := &errLog{}
	cfg := testConfig(sid, addrs, log)
	if tweak != nil {
		tweak(&cfg)
	}
	tr, err := New(cfg)
	require.NoError(t, err)
	require.NoError(t, tr.Start())
	t.Cleanup(func() { require.NoError(t, tr.Close()) })
	return &node{Transport: tr, log: log}
}

// cluster starts servers 1..n on free ports and introduces them.
func cluster(t *testing.T, n int, tweak func(*Config)) []*node {
	t.Helper()
	nodes := make([]*node, n)
	for i := range nodes {
		nodes[i] = start(t, uint64(i+1), anyPort, tweak)
	}
	for _, a := range nodes {
		for _, b := range nodes {
			if a != b {
				require.NoError(t, a.SetPeer(b.ID(), b.Addrs()))
			}
		}
	}
	return nodes
}

func recv(t *testing.T, n *node) Inbound {
	t.Helper()
	select {
	case in, ok := <-n.Inbound():
		require.True(t, ok, "server %d: inbound closed", n.ID())
		return in
	case <-time.After(waitFor):
		require.FailNow(t, "timeout", "server %d received nothing", n.ID())
	}
	return Inbound{}
}

func requireQuiet(t *testing.T, n *node, d time.Duration) {
	t.Helper()
	select {
	case in := <-n.Inbound():
		require.FailNow(t, "unexpected delivery", "server %d got %+v", n.ID(), in)
	case <-time.After(d):
	}
}

func note(to uint64, round uint64) protocol.Message {
	return protocol.Message{Type: protocol.MsgNotification, To: to, State: protocol.Looking,
		Vote: protocol.Vote{Leader: to, PeerEpoch: 1}, Round: round}
}

func app(to uint64, seq uint32) protocol.Message {
	return protocol.Message{Type: protocol.MsgApp, To: to, Data: binary.BigEndian.AppendUint32(nil, seq)}
}

func seqOf(t *testing.T, m protocol.Message) uint32 {
	t.Helper()
	require.Equal(t, protocol.MsgApp, m.Type, "%s", m)
	require.Len(t, m.Data, 4)
	return binary.BigEndian.Uint32(m.Data)
}

func TestMessageHeaderSize(t *testing.T) {
	require.Len(t, protocol.Message{}.Marshal(), messageHeader)
}

// Every server sends each other a notification and quorum messages at the
// same time, so the quorum dials of every pair cross.
func TestExchange(t *testing.T) {
	nodes := cluster(t, 3, nil)
	const rounds, perRound = 3, 20
	for r := range uint32(rounds) {
		var wg sync.WaitGroup
		for _, a := range nodes {
			wg.Go(func() {
				for _, b := range nodes {
					if a != b {
						a.Send(note(b.ID(), uint64(r+1)))
						for i := range uint32(perRound) {
							a.Send(app(b.ID(), r*perRound+i))
						}
					}
				}
			})
		}
		wg.Wait()
		for _, b := range nodes {
			notes := map[uint64]uint64{}
			next := map[uint64]uint32{}
			for range 2 * (1 + perRound) {
				in := recv(t, b)
				require.False(t, in.Reset, "server %d: reset from %d", b.ID(), in.Peer)
				require.Equal(t, b.ID(), in.Msg.To)
				require.Equal(t, in.Peer, in.Msg.From)
				if in.Msg.Type == protocol.MsgNotification {
					notes[in.Peer] = in.Msg.Round
					continue
				}
				require.Equal(t, r*perRound+next[in.Peer], seqOf(t, in.Msg), "server %d from %d", b.ID(), in.Peer)
				next[in.Peer]++
			}
			require.Len(t, notes, 2)
			for from, round := range notes {
				require.Equal(t, uint64(r+1), round, "notification from %d", from)
			}
		}
	}
	for _, n := range nodes {
		requireQuiet(t, n, 50*time.Millisecond)
		require.Empty(t, n.log.all())
	}
}

// Two servers that start talking at the same moment end up on one quorum
// connection without losing a message or reporting a reset, whichever
// dial wins.
func TestSimultaneousQuorumDials(t *testing.T) {
	for iter := range 15 {
		nodes := cluster(t, 2, nil)
		const n = 50
		var wg sync.WaitGroup
		for _, a := range nodes {
			other := 3 - a.ID()
			wg.Go(func() {
				for i := range uint32(n) {
					a.Send(app(other, i))
				}
			})
		}
		wg.Wait()
		for _, b := range nodes {
			for i := range uint32(n) {
				in := recv(t, b)
				require.False(t, in.Reset, "iteration %d: server %d reset", iter, b.ID())
				require.Equal(t, i, seqOf(t, in.Msg), "iteration %d: server %d", iter, b.ID())
			}
		}
		for _, b := range nodes {
			require.NoError(t, b.Close())
		}
	}
}

func TestQuorumFIFO(t *testing.T) {
	nodes := cluster(t, 2, nil)
	a, b := nodes[0], nodes[1]
	const n = 10_000
	go func() {
		for i := range uint32(n) {
			a.Send(app(b.ID(), i))
		}
	}()
	for i := range uint32(n) {
		in := recv(t, b)
		require.False(t, in.Reset)
		if got := seqOf(t, in.Msg); got != i {
			require.Equal(t, i, got)
		}
	}
	requireQuiet(t, b, 20*time.Millisecond)
}

// Notifications for a peer that is down overwrite each other: when it
// comes up, it hears only the newest.
func TestElectionOverwrite(t *testing.T) {
	nodes := cluster(t, 2, nil)
	a, b := nodes[0], nodes[1]
	addrB := b.Addrs()
	require.NoError(t, b.Close())
	for round := uint64(1); round <= 5; round++ {
		a.Send(note(2, round))
	}
	b2 := start(t, 2, addrB, func(c *Config) { c.Peers[1] = a.Addrs() })
	in := recv(t, b2)
	require.Equal(t, protocol.MsgNotification, in.Msg.Type)
	require.Equal(t, uint64(5), in.Msg.Round)
	requireQuiet(t, b2, 100*time.Millisecond)
}

// A server that closes is seen as a reset on the quorum channel; once it
// is back on the same addresses, both channels work again and it hears
// the last notification once more.
func TestPeerRestart(t *testing.T) {
	nodes := cluster(t, 2, nil)
	a, b := nodes[0], nodes[1]
	a.Send(note(2, 7))
	require.Equal(t, uint64(7), recv(t, b).Msg.Round)
	a.Send(app(2, 1))
	require.Equal(t, uint32(1), seqOf(t, recv(t, b).Msg))
	b.Send(app(1, 2))
	require.Equal(t, uint32(2), seqOf(t, recv(t, a).Msg))

	addrB := b.Addrs()
	require.NoError(t, b.Close())
	_, ok := <-b.Inbound()
	require.False(t, ok, "Inbound is closed after Close")
	in := recv(t, a)
	require.True(t, in.Reset)
	require.Equal(t, uint64(2), in.Peer)
	require.Equal(t, protocol.Message{Type: protocol.MsgReset, From: 2, To: 1}, in.Msg)
	requireQuiet(t, a, 100*time.Millisecond) // one reset per connection

	b2 := start(t, 2, addrB, func(c *Config) { c.Peers[1] = a.Addrs() })
	in = recv(t, b2)
	require.Equal(t, protocol.MsgNotification, in.Msg.Type, "the last notification is resent")
	require.Equal(t, uint64(7), in.Msg.Round)
	a.Send(app(2, 3))
	require.Equal(t, uint32(3), seqOf(t, recv(t, b2).Msg))
	b2.Send(app(1, 4))
	require.Equal(t, uint32(4), seqOf(t, recv(t, a).Msg))
}

// A MsgReset closes the quorum connection: the peer hears a reset, the
// sender does not, and the next message opens a new connection that the
// peer sees after the reset. Either end of the connection may reset it.
func TestMsgReset(t *testing.T) {
	for _, tc := range []struct {
		name     string
		resetter int // index of the server sending MsgReset; server 0 dialled
	}{
		{"dialer resets", 0},
		{"acceptor resets", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nodes := cluster(t, 2, nil)
			nodes[0].Send(app(2, 1))
			require.Equal(t, uint32(1), seqOf(t, recv(t, nodes[1]).Msg))
			r, o := nodes[tc.resetter], nodes[1-tc.resetter]
			r.Send(protocol.Message{Type: protocol.MsgReset, To: o.ID()})
			r.Send(app(o.ID(), 2))
			in := recv(t, o)
			require.True(t, in.Reset, "got %+v", in)
			require.Equal(t, r.ID(), in.Peer)
			require.Equal(t, uint32(2), seqOf(t, recv(t, o).Msg))
			o.Send(app(r.ID(), 3))
			require.Equal(t, uint32(3), seqOf(t, recv(t, r).Msg), "no reset at the resetting side")
			requireQuiet(t, r, 50*time.Millisecond)
			requireQuiet(t, o, 50*time.Millisecond)
		})
	}
}

// rawDial shakes hands with n's listener for ch as sid and returns the
// connection and whether n accepted it.
func rawDial(t *testing.T, n *node, ch protocol.Channel, sid uint64) (net.Conn, bool) {
	t.Helper()
	addr := n.Addrs().Election
	if ch == protocol.ChanQuorum {
		addr = n.Addrs().Quorum
	}
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	require.NoError(t, nc.SetDeadline(time.Now().Add(waitFor)))
	_, err = nc.Write(handshake{sid: sid, ch: ch, id: newID(), boot: newID()}.encode())
	require.NoError(t, err)
	code, _, err := readVerdict(nc)
	if err != nil {
		require.ErrorIs(t, err, ErrRefused)
		return nc, false
	}
	require.Equal(t, verdictAccept, code)
	return nc, true
}

// requireClosed waits for the other side to close nc.
func requireClosed(t *testing.T, nc net.Conn) {
	t.Helper()
	_, err := io.ReadAll(nc)
	var ne net.Error
	if errors.As(err, &ne) {
		require.False(t, ne.Timeout(), "connection still open")
	}
}

func frameOf(body []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...)
}

// Garbage from a peer closes that connection with an error naming what was
// wrong; the server carries on.
func TestGarbageFrames(t *testing.T) {
	const maxFrame = 1024
	quorumMsg := protocol.Message{Type: protocol.MsgCommit, From: 1, To: 2, Zxid: 5}
	for _, tc := range []struct {
		name  string
		ch    protocol.Channel
		bytes []byte
		want  error
	}{
		{"quorum frame over the limit", protocol.ChanQuorum, binary.BigEndian.AppendUint32(nil, maxFrame+1), ErrFrameTooLarge},
		{"election frame of 4 GiB", protocol.ChanElection, []byte{0xff, 0xff, 0xff, 0xff}, ErrFrameTooLarge},
		{"quorum body not a message", protocol.ChanQuorum, frameOf([]byte("garbage")), protocol.ErrBadEncoding},
		{"election body not a message", protocol.ChanElection, frameOf(make([]byte, messageHeader)), protocol.ErrBadEncoding},
		{"quorum frame cut short", protocol.ChanQuorum, binary.BigEndian.AppendUint32(nil, 100), io.ErrUnexpectedEOF},
		{"quorum message on the election channel", protocol.ChanElection, frameOf(quorumMsg.Marshal()), ErrBadFrame},
		{"notification on the quorum channel", protocol.ChanQuorum, frameOf(note(2, 1).Marshal()), ErrBadFrame},
		{"RESET on the wire", protocol.ChanQuorum, frameOf(protocol.Message{Type: protocol.MsgReset, From: 1, To: 2}.Marshal()), ErrBadFrame},
		{"sender not the handshake's sid", protocol.ChanQuorum, frameOf(protocol.Message{Type: protocol.MsgCommit, From: 3, To: 2}.Marshal()), ErrBadFrame},
		{"message for another server", protocol.ChanQuorum, frameOf(protocol.Message{Type: protocol.MsgCommit, From: 1, To: 3}.Marshal()), ErrBadFrame},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nodes := cluster(t, 2, func(c *Config) { c.MaxFrame = maxFrame })
			a, b := nodes[0], nodes[1]
			nc, ok := rawDial(t, b, tc.ch, 1)
			require.True(t, ok)
			_, err := nc.Write(tc.bytes)
			require.NoError(t, err)
			if errors.Is(tc.want, io.ErrUnexpectedEOF) {
				require.NoError(t, nc.(*net.TCPConn).CloseWrite())
			}
			requireClosed(t, nc)
			require.Eventually(t, func() bool { return b.log.find(tc.want, 1, tc.ch) != nil }, waitFor, time.Millisecond)
			if tc.ch == protocol.ChanQuorum {
				in := recv(t, b)
				require.True(t, in.Reset, "a broken quorum connection is a reset")
				require.Equal(t, uint64(1), in.Peer)
			}
			// The server still talks to the real peer 1.
			a.Send(app(2, 9))
			require.Equal(t, uint32(9), seqOf(t, recv(t, b).Msg))
			a.Send(note(2, 9))
			require.Equal(t, uint64(9), recv(t, b).Msg.Round)
		})
	}
}

// A handshake from a sid that is not a peer (or is the server's own), or
// naming the wrong channel, is refused: the connection closes without a
// verdict.
func TestHandshakeRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		port protocol.Channel
		ch   protocol.Channel
		sid  uint64
		want error
	}{
		{"unknown sid on the quorum port", protocol.ChanQuorum, protocol.ChanQuorum, 99, ErrUnknownPeer},
		{"unknown sid on the election port", protocol.ChanElection, protocol.ChanElection, 99, ErrUnknownPeer},
		{"own sid", protocol.ChanQuorum, protocol.ChanQuorum, 2, ErrUnknownPeer},
		{"election handshake on the quorum port", protocol.ChanQuorum, protocol.ChanElection, 1, ErrHandshake},
		{"unknown channel", protocol.ChanElection, 7, 1, ErrHandshake},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nodes := cluster(t, 2, nil)
			b := nodes[1]
			addr := b.Addrs().Election
			if tc.port == protocol.ChanQuorum {
				addr = b.Addrs().Quorum
			}
			nc, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			defer nc.Close()
			require.NoError(t, nc.SetDeadline(time.Now().Add(waitFor)))
			_, err = nc.Write(handshake{sid: tc.sid, ch: tc.ch, id: 1, boot: 1}.encode())
			require.NoError(t, err)
			_, _, err = readVerdict(nc)
			require.ErrorIs(t, err, ErrRefused)
			require.Eventually(t, func() bool {
				return b.log.find(tc.want, 0, tc.port) != nil || b.log.find(tc.want, tc.sid, tc.port) != nil
			},
				waitFor, time.Millisecond)
			requireQuiet(t, b, 20*time.Millisecond)
		})
	}
}

// A peer nobody listens for: each dial failure drops what was queued and
// reports one reset; the next message dials again.
func TestQuorumDialFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := ln.Addr().String()
	require.NoError(t, ln.Close())
	a := start(t, 1, anyPort, nil)
	require.NoError(t, a.SetPeer(2, Addrs{Quorum: dead, Election: dead}))
	for attempt := range 3 {
		a.Send(app(2, uint32(attempt)))
		in := recv(t, a)
		require.True(t, in.Reset, "attempt %d", attempt)
		require.Equal(t, uint64(2), in.Peer)
		requireQuiet(t, a, 30*time.Millisecond)
	}
	ce := a.log.find(nil, 2, protocol.ChanQuorum)
	require.NotNil(t, ce)
	var oe *net.OpError
	require.ErrorAs(t, ce, &oe)
	require.Equal(t, "dial", oe.Op)
}

// Frames for a peer that does not answer pile up to QueueLimit; one more
// drops them and reports a reset.
func TestQuorumQueueOverflow(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	var held []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			nc, err := ln.Accept() // accepts and never answers the handshake
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, nc)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, nc := range held {
			nc.Close()
		}
	}()
	const limit = 10
	a := start(t, 1, anyPort, func(c *Config) { c.QueueLimit = limit; c.DialTimeout = 10 * time.Second })
	require.NoError(t, a.SetPeer(2, Addrs{Quorum: ln.Addr().String(), Election: ln.Addr().String()}))
	for i := range uint32(limit) {
		a.Send(app(2, i))
	}
	requireQuiet(t, a, 30*time.Millisecond)
	a.Send(app(2, limit))
	in := recv(t, a)
	require.True(t, in.Reset)
	require.Equal(t, uint64(2), in.Peer)
	require.NotNil(t, a.log.find(ErrQueueFull, 2, protocol.ChanQuorum))
	start := time.Now()
	require.NoError(t, a.Close(), "Close does not wait for the dial's timeout")
	require.Less(t, time.Since(start), time.Second)
}

func TestSendEdgeCases(t *testing.T) {
	nodes := cluster(t, 2, func(c *Config) { c.MaxFrame = 100 })
	a, b := nodes[0], nodes[1]
	a.Send(app(7, 1)) // unknown peer: logged, dropped
	require.NotNil(t, a.log.find(ErrUnknownPeer, 7, protocol.ChanQuorum))
	a.Send(protocol.Message{Type: protocol.MsgReset, To: 2}) // no connection: nothing happens
	big := protocol.Message{Type: protocol.MsgApp, To: 2, Data: make([]byte, 100)}
	a.Send(big) // too large for MaxFrame: logged, and the connection resets
	require.NotNil(t, a.log.find(ErrFrameTooLarge, 2, protocol.ChanQuorum))
	in := recv(t, a)
	require.True(t, in.Reset)
	a.Send(app(2, 5))
	require.Equal(t, uint32(5), seqOf(t, recv(t, b).Msg))
	requireQuiet(t, b, 20*time.Millisecond)

	require.NoError(t, a.Close())
	require.NoError(t, a.Close())
	require.True(t, recv(t, b).Reset, "b sees the connection close")
	a.Send(app(2, 6)) // after Close: ignored
	requireQuiet(t, b, 50*time.Millisecond)
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"self missing", Config{ID: 1, Peers: map[uint64]Addrs{2: anyPort}}},
		{"sid 0", Config{ID: 0, Peers: map[uint64]Addrs{0: anyPort}}},
		{"frame too small", Config{ID: 1, Peers: map[uint64]Addrs{1: anyPort}, MaxFrame: 10}},
		{"backoff inverted", Config{ID: 1, Peers: map[uint64]Addrs{1: anyPort}, MinBackoff: time.Second, MaxBackoff: time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			require.Error(t, err)
		})
	}
}

// Close leaves no goroutine behind, whatever was in flight.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		log := &errLog{}
		var trs []*Transport
		for i := uint64(1); i <= 3; i++ {
			tr, err := New(testConfig(i, anyPort, log))
			require.NoError(t, err)
			require.NoError(t, tr.Start())
			trs = append(trs, tr)
		}
		for _, a := range trs {
			for _, b := range trs {
				if a != b {
					require.NoError(t, a.SetPeer(b.ID(), b.Addrs()))
				}
			}
			require.NoError(t, a.SetPeer(9, Addrs{Quorum: "127.0.0.1:1", Election: "127.0.0.1:1"}))
		}
		for _, a := range trs {
			for _, b := range []uint64{1, 2, 3, 9} {
				if b != a.ID() {
					a.Send(note(b, 1))
					for i := range uint32(100) {
						a.Send(app(b, i))
					}
				}
			}
		}
		for _, tr := range trs {
			require.NoError(t, tr.Close())
		}
	}()
	// Polled here: require.Eventually runs its condition on a goroutine.
	for deadline := time.Now().Add(waitFor); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	require.LessOrEqual(t, runtime.NumGoroutine(), before, "goroutines left:\n%s", stacks())
}

func stacks() string {
	b := make([]byte, 1<<20)
	return string(b[:runtime.Stack(b, true)])
}

func ExampleTransport() {
	a, _ := New(Config{ID: 1, Peers: map[uint64]Addrs{1: anyPort}})
	b, _ := New(Config{ID: 2, Peers: map[uint64]Addrs{2: anyPort}})
	_ = a.Start()
	_ = b.Start()
	defer a.Close()
	defer b.Close()
	_ = a.SetPeer(2, b.Addrs())
	_ = b.SetPeer(1, a.Addrs())

	a.Send(protocol.Message{Type: protocol.MsgPing, To: 2, Zxid: 42})
	in := <-b.Inbound()
	fmt.Println(in.Msg)
	// Output: 1->2 PING 0x2a
}

// TestSendSinceDropsWhatABrokenConnectionWasFor: a message the core made
// before its quorum connection broke is not sent on the next connection;
// one made after is.
func TestSendSinceDropsWhatABrokenConnectionWasFor(t *testing.T) {
	nodes := cluster(t, 2, nil)
	a, b := nodes[0], nodes[1]
	a.Send(app(2, 1))
	require.Equal(t, uint32(1), seqOf(t, recv(t, b).Msg))
	before := a.Resets()
	b.Send(protocol.Message{Type: protocol.MsgReset, To: a.ID()})
	in := recv(t, a)
	require.True(t, in.Reset, "got %+v", in)
	require.Greater(t, a.Resets(), before)
	a.SendSince(app(2, 2), before)
	a.SendSince(app(2, 3), a.Resets())
	require.Equal(t, uint32(3), seqOf(t, recv(t, b).Msg), "the stale message was dropped")
	requireQuiet(t, b, 50*time.Millisecond)
}
