package transport

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/zabsim/zabsim/protocol"
)

// electionState is the election channel with one peer: a send slot of
// capacity one (QuorumCnxManager's queueSendMap entry), the last
// notification handed to a connection (lastMessageSent), and the
// connection the peer dialled to us.
type electionState struct {
	pending []byte // frame waiting for a connection; a newer one replaces it
	last    []byte // last frame taken for writing, resent on reconnect
	running bool   // the sender goroutine exists
	wake    chan struct{}
	in      net.Conn // accepted from the peer; read only
}

func (t *Transport) sendElectionLocked(p *peer, frame []byte) {
	p.el.pending = frame
	if !p.el.running {
		p.el.running = t.spawnLocked(func() { t.electionSender(p) })
	}
	select {
	case p.el.wake <- struct{}{}:
	default:
	}
}

// electionSender owns this server's outgoing election connection to p:
// it dials while a notification is pending, writes whatever is pending
// when the connection is up, and after a break queues the last
// notification again so the peer hears it on the next connection.
func (t *Transport) electionSender(p *peer) {
	backoff := t.minBackoff
	for {
		if !t.awaitPending(p, nil) {
			return
		}
		h := handshake{sid: t.id, ch: protocol.ChanElection}
		nc, _, _, _, err := t.dial(p.sid, h, nil)
		if err != nil {
			if errors.Is(err, ErrClosed) {
				return
			}
			if backoff == t.minBackoff { // the first failure of a streak
				t.logf(p.sid, protocol.ChanElection, "", fmt.Errorf("dial: %w", err))
			}
			if !t.sleep(backoff) {
				return
			}
			backoff = min(2*backoff, t.maxBackoff)
			continue
		}
		backoff = t.minBackoff
		broken := make(chan struct{})
		t.mu.Lock()
		ok := t.spawnLocked(func() { t.watchOutgoing(nc, p.sid, broken) })
		t.mu.Unlock()
		if !ok {
			t.closeConn(nc)
			return
		}
		t.writeElection(p, nc, broken)
		t.closeConn(nc)
		<-broken
		t.mu.Lock()
		if p.el.pending == nil {
			p.el.pending = p.el.last
		}
		t.mu.Unlock()
		if !t.sleep(t.minBackoff) {
			return
		}
	}
}

// awaitPending waits until a notification is pending for p, or broken is
// closed, or Close begins; it reports whether a notification is pending.
func (t *Transport) awaitPending(p *peer, broken <-chan struct{}) bool {
	for {
		t.mu.Lock()
		has := p.el.pending != nil
		t.mu.Unlock()
		if has {
			return true
		}
		select {
		case <-p.el.wake:
		case <-broken:
			return false
		case <-t.done:
			return false
		}
	}
}

// writeElection writes pending notifications until the connection breaks.
func (t *Transport) writeElection(p *peer, nc net.Conn, broken <-chan struct{}) {
	for t.awaitPending(p, broken) {
		t.mu.Lock()
		f := p.el.pending
		p.el.pending = nil
		p.el.last = f
		t.mu.Unlock()
		// A notification is small: a peer that cannot take one within
		// the dial timeout is stuck, and the next connection resends it.
		_ = nc.SetWriteDeadline(time.Now().Add(t.dialTO))
		if _, err := nc.Write(f); err != nil {
			if !isClosedErr(err) {
				t.logf(p.sid, protocol.ChanElection, nc.RemoteAddr().String(), fmt.Errorf("write: %w", err))
			}
			return
		}
	}
}

// watchOutgoing reads a connection this server dialled, on which the peer
// never writes after its verdict, to notice promptly that it closed.
func (t *Transport) watchOutgoing(nc net.Conn, sid uint64, broken chan<- struct{}) {
	defer close(broken)
	var b [1]byte
	_, err := nc.Read(b[:])
	if err == nil {
		t.logf(sid, protocol.ChanElection, nc.RemoteAddr().String(), fmt.Errorf("%w: data on a send-only connection", ErrBadFrame))
	}
	t.closeConn(nc)
}

// serveElection reads notifications from a connection the peer dialled.
// A newer connection from the same peer replaces an older one, since each
// side keeps one outgoing election connection per peer.
func (t *Transport) serveElection(nc net.Conn, br *bufio.Reader, sid uint64) {
	remote := nc.RemoteAddr().String()
	t.mu.Lock()
	p := t.peers[sid]
	if old := p.el.in; old != nil {
		t.closeConnLocked(old)
	}
	p.el.in = nc
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		if p.el.in == nc {
			p.el.in = nil
		}
		t.closeConnLocked(nc)
		t.mu.Unlock()
	}()
	if _, err := nc.Write(encodeVerdict(verdictAccept, t.boot)); err != nil {
		return
	}
	var buf []byte
	for {
		body, err := readFrame(br, t.maxFrame, buf)
		buf = body
		var m protocol.Message
		if err == nil {
			m, err = decodeFrame(body, protocol.ChanElection, sid, t.id)
		}
		if err != nil {
			if !isClosedErr(err) {
				t.logf(sid, protocol.ChanElection, remote, err)
			}
			return
		}
		if !t.deliver(Inbound{Msg: m, Peer: sid}) {
			return
		}
	}
}
