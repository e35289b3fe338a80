package live

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"slices"
	"syscall"
	"time"

	"github.com/zabsim/zabsim/cmd/internal/live/transport"
	"github.com/zabsim/zabsim/cmd/internal/wire"
	"github.com/zabsim/zabsim/protocol/replica"
	"github.com/zabsim/zabsim/tree"
)

// The client port. Each connection has a reader goroutine (frames in,
// decoded, handed to the loop as events) and a writer goroutine (frames
// out, encoded from the loop's responses). Only the loop touches the
// replica and the connection's bookkeeping; it never blocks on a client:
// a client whose queue of outgoing frames is full is disconnected.

// clientConn is one client connection.
type clientConn struct {
	id     replica.ConnID
	nc     net.Conn
	remote string
	ipID   string  // the "ip" identity ZooKeeper would give the client
	out    *outbox // filled and closed by the loop only
	opened time.Time
	// raw writes to the socket without blocking, for the loop's direct
	// writes; nil when the connection has no file descriptor.
	raw syscall.RawConn

	// Loop-owned.
	readOnly   bool // the ConnectRequest carried the readOnly byte
	connected  bool
	session    int64
	timeout    int32
	pending    []reqInfo // requests submitted and not yet answered, in order
	digests    []tree.ID // identities of accepted auth requests, for whoAmI
	early      []event   // requests that came before the session was established
	touched    bool      // given frames since the loop's last flush
	dropping   bool      // a frame could not be queued: nothing more may be
	received   int64
	sent       int64
	answered   int64
	lastXid    int32
	lastZxid   int64
	lastOp     string
	lastRespMs int64
	lastLatNs  int64
	latMinNs   int64
	latMaxNs   int64
	latTotalNs int64
}

// outFrame is one frame for a client's writer to encode and send.
type outFrame struct {
	resp     replica.Response
	info     reqInfo
	readOnly bool
	close    bool // the last frame: flush, then close the connection
}

func (f *outFrame) encode() []byte {
	switch f.resp.Kind {
	case replica.KindConnected:
		return encodeConnected(f.resp, f.readOnly)
	case replica.KindWatch:
		return encodeWatch(f.resp.Event)
	}
	return encodeReply(f.resp, f.info)
}

type evKind uint8

const (
	evConnect evKind = iota + 1
	evSubmit
	evGone // the reader saw the connection end
	evWord // a four-letter word wants the loop's numbers
)

// event is what a connection's reader hands the loop.
type event struct {
	kind     evKind
	conn     *clientConn
	connect  replica.Connect
	readOnly bool
	req      replica.Request
	info     reqInfo
	word     string
	answer   chan<- string
}

// send hands ev to the loop; false once the server is shutting down.
func (s *Server) send(ev event) bool {
	select {
	case s.events <- ev:
		return true
	case <-s.quit:
		return false
	}
}

func (s *Server) acceptLoop() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			s.logf("server %d: accept: %v", s.cfg.ID, err)
			select {
			case <-s.quit:
				return
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		ip := remoteIP(nc)
		if ok, limited := s.admit(nc, ip); !ok {
			if limited {
				s.logf("server %d: too many connections from %s - max is %d", s.cfg.ID, ip, s.cfg.MaxClientCnxns)
			}
			nc.Close()
			continue
		}
		s.wg.Add(1)
		go s.serveConn(nc, ip)
	}
}

func remoteIP(nc net.Conn) string {
	if a, ok := nc.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP.String()
	}
	return nc.RemoteAddr().String()
}

// admit counts a new connection against its IP's limit and tracks it so
// that shutdown can cut it; false if it must be refused.
func (s *Server) admit(nc net.Conn, ip string) (ok, limited bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false, false
	}
	if s.cfg.MaxClientCnxns > 0 && s.ipConns[ip] >= s.cfg.MaxClientCnxns {
		return false, true
	}
	s.ipConns[ip]++
	s.netConns[nc] = struct{}{}
	return true, false
}

func (s *Server) release(nc net.Conn, ip string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.netConns, nc)
	if s.ipConns[ip]--; s.ipConns[ip] <= 0 {
		delete(s.ipConns, ip)
	}
}

// cutAll closes every client socket and refuses new ones.
func (s *Server) cutAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closing = true
	for nc := range s.netConns {
		nc.Close()
	}
}

// serveConn is a connection's reader: the handshake (or a four-letter
// word), then requests until the connection ends.
func (s *Server) serveConn(nc net.Conn, ip string) {
	defer s.wg.Done()
	defer s.release(nc, ip)
	defer nc.Close()
	remote := nc.RemoteAddr().String()
	br := bufio.NewReaderSize(nc, connBuffer)
	body, err := wire.ReadFrame(br, s.maxFrame)
	if err != nil {
		var fl *wire.FrameLengthError
		if errors.As(err, &fl) && IsFourLetterWord(fl.Word()) {
			s.fourLetter(nc, fl.Word())
			return
		}
		s.readError(remote, err)
		return
	}
	creq, err := wire.DecodeConnectRequest(body)
	if err != nil {
		s.logf("server %d: client %s: closing the connection: bad ConnectRequest: %v", s.cfg.ID, remote, err)
		return
	}
	c := &clientConn{id: replica.ConnID(s.nextConn.Add(1)), nc: nc, remote: remote, ipID: ip,
		out: newOutbox(), opened: time.Now(), raw: transport.RawConn(nc)}
	if a, ok := nc.RemoteAddr().(*net.TCPAddr); ok {
		c.ipID = javaHostAddress(a.IP)
	}
	s.wg.Add(1)
	go s.writeConn(c)
	if !s.send(event{kind: evConnect, conn: c, connect: toConnect(creq, c.ipID), readOnly: creq.HasReadOnly}) {
		return
	}
	closing := false // after an unknown opcode: read on, submit nothing
	for {
		body, err := wire.ReadFrame(br, s.maxFrame)
		if err != nil {
			s.readError(remote, err)
			break
		}
		if closing {
			continue
		}
		h, req, err := wire.DecodeRequest(body)
		var rr replica.Request
		var info reqInfo
		switch {
		case err == nil:
			rr, info = toRequest(h, req)
		case errors.Is(err, wire.ErrUnknownOpcode):
			rr, info = unknownRequest(h)
			closing = true
		default:
			s.logf("server %d: client %s: closing the connection: garbage frame: %v", s.cfg.ID, remote, err)
			s.send(event{kind: evGone, conn: c})
			return
		}
		if !s.send(event{kind: evSubmit, conn: c, req: rr, info: info}) {
			return
		}
	}
	s.send(event{kind: evGone, conn: c})
}

// readError logs why a connection's reader stopped, unless the client
// or the server simply closed it.
func (s *Server) readError(remote string, err error) {
	var fl *wire.FrameLengthError
	switch {
	case errors.As(err, &fl):
		s.logf("server %d: client %s: closing the connection: Len error: frame length %d greater than jute.maxbuffer=%d",
			s.cfg.ID, remote, fl.Length, s.maxFrame)
	case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed), errors.Is(err, syscall.ECONNRESET):
	default:
		s.logf("server %d: client %s: %v", s.cfg.ID, remote, err)
	}
}

// writeConn is a connection's writer: it sends what the loop queued and
// could not write at once itself, a batch at a time with one write, and
// closes the connection after the last frame.
func (s *Server) writeConn(c *clientConn) {
	defer s.wg.Done()
	defer c.nc.Close()
	var spare []outFrame
	var buf []byte
	for {
		unsent, batch, open := c.out.take(spare, s.quit)
		if !open {
			return
		}
		var closing bool
		buf, closing = appendFrames(buf[:0], batch)
		bufs := net.Buffers{unsent, buf}
		if _, err := bufs.WriteTo(c.nc); err != nil || closing {
			return
		}
		c.out.release()
		clear(batch)
		spare = batch
		if cap(buf) > wbufMax {
			buf = nil // a large reply does not hold its size for good
		}
	}
}

// appendFrames appends frames, each length-prefixed, to b, up to the one
// that closes the connection, if any (closing).
func appendFrames(b []byte, frames []outFrame) (out []byte, closing bool) {
	for i := range frames {
		f := &frames[i]
		if f.close {
			return b, true
		}
		body := f.encode()
		b = binary.BigEndian.AppendUint32(b, uint32(len(body)))
		b = append(b, body...)
	}
	return b, false
}

// flushConns ends a loop iteration: each connection that was given
// frames has them written, by the loop itself when the socket takes them
// at once (see outbox).
func (s *Server) flushConns() {
	for _, c := range s.touched {
		c.touched = false
		c.out.flush(func(frames []outFrame) []byte { return s.writeNow(c, frames) })
	}
	clear(s.touched)
	s.touched = s.touched[:0]
}

// writeNow encodes frames and writes them to c's socket without blocking;
// it returns what the socket did not take. An error is left for the
// writer goroutine to meet on the same bytes and close the connection.
// The buffer is the loop's own, kept between iterations.
func (s *Server) writeNow(c *clientConn, frames []outFrame) []byte {
	b, _ := appendFrames(s.wbuf[:0], frames) // flush leaves closing frames to the writer
	s.wbuf = b
	n := 0
	if c.raw != nil {
		n = transport.TryWrite(c.raw, b)
	}
	if n == len(b) {
		if cap(s.wbuf) > wbufMax {
			s.wbuf = nil
		}
		return nil
	}
	return append([]byte(nil), b[n:]...)
}

// --- the loop's side ---

// handle takes in one client event.
func (s *Server) handle(ev event) {
	if ev.kind == evWord {
		ev.answer <- s.wordAnswer(ev.word)
		return
	}
	c := ev.conn
	switch ev.kind {
	case evConnect:
		c.readOnly = ev.readOnly
		s.conns[c.id] = c
		if err := s.rep.Connect(c.id, ev.connect); err != nil {
			s.logf("server %d: client %s: %v", s.cfg.ID, c.remote, err)
			s.closeConn(c, true)
		}
	case evSubmit:
		if s.conns[c.id] != c {
			return // closed already
		}
		c.received++
		s.stats.received++
		if !c.connected {
			if len(c.early) >= earlyMax {
				s.logf("server %d: client %s: closing the connection: %d requests before its session was established",
					s.cfg.ID, c.remote, len(c.early))
				s.disconnect(c)
				return
			}
			c.early = append(c.early, ev)
			return
		}
		s.submit(c, ev)
	case evGone:
		if s.conns[c.id] == c {
			s.disconnect(c)
		}
	}
}

func (s *Server) submit(c *clientConn, ev event) {
	ev.info.submittedNs = time.Now().UnixNano()
	c.pending = append(c.pending, ev.info)
	if err := s.rep.Submit(c.id, ev.req); err != nil {
		// The replica closed the connection; its KindClose is on its way.
		s.closeConn(c, false)
	}
}

// disconnect ends a connection the replica still knows about.
func (s *Server) disconnect(c *clientConn) {
	_ = s.rep.Disconnect(c.id) // ErrNoConn: the replica had closed it already
	s.closeConn(c, true)
}

// closeConn forgets c and lets its writer finish; hard also cuts the
// socket, for a writer that may be stuck on a client that does not read.
func (s *Server) closeConn(c *clientConn, hard bool) {
	if s.conns[c.id] != c {
		return
	}
	delete(s.conns, c.id)
	c.out.close()
	if hard {
		c.nc.Close()
	}
}

// enqueue hands a frame to c's writer without ever waiting for it.
func (s *Server) enqueue(c *clientConn, f outFrame) bool {
	if c.dropping {
		return false
	}
	if !c.touched {
		c.touched = true
		s.touched = append(s.touched, c)
	}
	if !c.out.put(f, outQueue) {
		s.logf("server %d: client %s: closing the connection: %d frames queued, the client is not reading",
			s.cfg.ID, c.remote, c.out.len())
		c.dropping = true
		s.dropped = append(s.dropped, c)
		return false
	}
	c.sent++
	s.stats.sent++
	return true
}

// respond queues the client frames of the Ready just carried out.
func (s *Server) respond(rs []replica.Response) {
	for _, r := range rs {
		c := s.conns[r.Conn]
		if c == nil {
			continue
		}
		switch r.Kind {
		case replica.KindConnected:
			if r.Session != 0 {
				c.connected, c.session, c.timeout = true, r.Session, r.Timeout
				if len(c.early) > 0 {
					s.waking = append(s.waking, c)
				}
			}
			s.enqueue(c, outFrame{resp: r, readOnly: c.readOnly})
		case replica.KindWatch:
			s.enqueue(c, outFrame{resp: r})
		case replica.KindReply:
			info := s.answered(c, r)
			if s.enqueue(c, outFrame{resp: r, info: info}) && info.unknown {
				s.finishing = append(s.finishing, c) // ZooKeeper closes after UNIMPLEMENTED
			}
		case replica.KindClose:
			if s.cfg.Verbose {
				s.logf("server %d: client %s: closing the connection: %s", s.cfg.ID, c.remote, r.Reason)
			}
			s.enqueue(c, outFrame{close: true})
			s.closeConn(c, false)
		}
	}
}

// answered pops the request r answers and keeps the numbers four-letter
// words report.
func (s *Server) answered(c *clientConn, r replica.Response) reqInfo {
	if len(c.pending) == 0 || (c.pending[0].xid != r.Xid && r.Xid != wire.XidPing) {
		// Not one of ours (never expected): answer by the response alone.
		return reqInfo{xid: r.Xid, op: wire.Opcode(r.Op)}
	}
	info := c.pending[0]
	c.pending[0] = reqInfo{}
	c.pending = c.pending[1:]
	switch info.op {
	case wire.OpAuth:
		if r.Err == nil {
			c.addDigest(info.auth)
		}
	case wire.OpWhoAmI:
		info.whoAmI = whoAmI(c.ipID, c.digests)
	}
	now := time.Now()
	lat := now.UnixNano() - info.submittedNs
	c.answered++
	c.lastXid, c.lastZxid, c.lastOp, c.lastLatNs, c.lastRespMs = r.Xid, r.Zxid, info.op.String(), lat, now.UnixMilli()
	if c.latMinNs == 0 || lat < c.latMinNs {
		c.latMinNs = lat
	}
	c.latMaxNs = max(c.latMaxNs, lat)
	c.latTotalNs += lat
	s.stats.latency(lat)
	return info
}

// addDigest keeps an accepted auth request's identity once, as the
// replica does for its access checks.
func (c *clientConn) addDigest(auth tree.ID) {
	id, err := tree.DigestAuth(auth.ID)
	if err != nil || slices.Contains(c.digests, id) {
		return
	}
	c.digests = append(c.digests, id)
}

// afterRespond does what must wait until a Ready's responses are queued:
// disconnect the clients dropped while responding (at once) or answered
// for the last time (after their last frame), submit the requests that
// waited for their session.
func (s *Server) afterRespond() {
	for _, c := range s.dropped {
		if s.conns[c.id] == c {
			s.disconnect(c)
		}
	}
	for _, c := range s.finishing {
		if s.conns[c.id] == c {
			_ = s.rep.Disconnect(c.id)
			s.enqueue(c, outFrame{close: true})
			s.closeConn(c, c.dropping)
		}
	}
	clear(s.dropped)
	clear(s.finishing)
	s.dropped, s.finishing = s.dropped[:0], s.finishing[:0]
	for len(s.waking) > 0 {
		c := s.waking[0]
		s.waking = s.waking[1:]
		early := c.early
		c.early = nil
		for _, ev := range early {
			if s.conns[c.id] != c {
				break
			}
			s.submit(c, ev)
		}
	}
}
