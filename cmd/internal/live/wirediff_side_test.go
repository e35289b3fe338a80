package live

import (
	"bufio"
	"fmt"
	"net"
	"time"

	"github.com/zabsim/zabsim/cmd/internal/wire"
)

// diffSlots is how many sessions the wire differential keeps open: slot i
// talks to server i, so every server, leader and followers, serves one.
const diffSlots = 3

// diffTimeoutMs is the session timeout both sides are asked for: inside
// [2, 20] tickTimes of 2 s, so both grant it as asked.
const diffTimeoutMs = 30000

// diffSide is one ensemble (ZooKeeper's or zabsim's) as the differential
// sees it: a raw jute connection per slot, and everything needed to name
// what its answers mean.
type diffSide struct {
	name  string
	addrs []string
	conns [diffSlots]*diffConn
	gens  [diffSlots]int
	// owners names each session id by slot and generation, the same way
	// on both sides: slot*1000 + generation.
	owners map[int64]int64
	// events holds the notifications each slot received and nobody has
	// compared yet.
	events [diffSlots][]wire.WatcherEvent
	// zxidOp is the op whose reply carried a zxid, for the "which op's
	// time is this" check; windows are each op's wall-clock span.
	zxidOp map[int64]int
	// lastZxid is the newest zxid a write on this side was answered with.
	lastZxid int64
	windows  []window
	// timedOps (sorted) and opTimes are the times Stats gave those ops.
	timedOps []int
	opTimes  []int64
	// lagMs is how far before an op was sent its time may be; -1 for no
	// bound. maxLagMs is the most seen.
	lagMs, maxLagMs int64
}

type window struct{ start, end int64 } // ms since the epoch

type diffConn struct {
	nc  net.Conn
	br  *bufio.Reader
	xid int32
}

// answer is one reply as read off the wire.
type answer struct {
	hdr  wire.ReplyHeader
	resp wire.Response
}

func newDiffSide(name string, addrs []string, lagMs int64) (*diffSide, error) {
	s := &diffSide{name: name, addrs: addrs, lagMs: lagMs, owners: map[int64]int64{}, zxidOp: map[int64]int{}}
	for slot := range diffSlots {
		if err := s.open(slot); err != nil {
			s.close()
			return nil, err
		}
	}
	return s, nil
}

// open starts a new session on the slot's server.
func (s *diffSide) open(slot int) error {
	addr := s.addrs[slot%len(s.addrs)]
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	c := &diffConn{nc: nc, br: bufio.NewReader(nc)}
	req := &wire.ConnectRequest{TimeOut: diffTimeoutMs, Passwd: make([]byte, wire.PasswdSize)}
	if err := c.write(wire.EncodeConnectRequest(req)); err != nil {
		nc.Close()
		return fmt.Errorf("%s: connect to %s: %w", s.name, addr, err)
	}
	body, err := c.read()
	if err != nil {
		nc.Close()
		return fmt.Errorf("%s: connect to %s: %w", s.name, addr, err)
	}
	resp, err := wire.DecodeConnectResponse(body)
	if err != nil {
		nc.Close()
		return fmt.Errorf("%s: connect to %s: %w", s.name, addr, err)
	}
	if resp.SessionID == 0 || resp.TimeOut != diffTimeoutMs {
		nc.Close()
		return fmt.Errorf("%s: connect to %s: answered %s", s.name, addr, resp)
	}
	s.gens[slot]++
	s.conns[slot] = c
	s.owners[resp.SessionID] = int64(slot*1000 + s.gens[slot])
	return nil
}

func (s *diffSide) close() {
	for _, c := range s.conns {
		if c != nil {
			c.nc.Close()
		}
	}
}

func (c *diffConn) write(body []byte) error {
	_ = c.nc.SetWriteDeadline(time.Now().Add(20 * time.Second))
	return wire.WriteFrame(c.nc, body)
}

func (c *diffConn) read() ([]byte, error) {
	_ = c.nc.SetReadDeadline(time.Now().Add(20 * time.Second))
	return wire.ReadFrame(c.br, 0)
}

// call sends req on the slot's session and returns its reply, keeping the
// notifications that come before it. An error is a broken connection or a
// frame that does not decode, never a server's error code.
func (s *diffSide) call(slot int, req wire.Request) (answer, error) {
	c := s.conns[slot]
	c.xid++
	if err := c.write(wire.EncodeRequest(c.xid, req)); err != nil {
		return answer{}, fmt.Errorf("%s: slot %d: sending %s: %w", s.name, slot, req, err)
	}
	for {
		body, err := c.read()
		if err != nil {
			return answer{}, fmt.Errorf("%s: slot %d: reply to %s: %w", s.name, slot, req, err)
		}
		h, resp, err := wire.DecodeReply(req.Opcode(), body)
		if err != nil {
			return answer{}, fmt.Errorf("%s: slot %d: reply to %s: %w", s.name, slot, req, err)
		}
		if h.Xid == wire.XidNotification {
			s.events[slot] = append(s.events[slot], *resp.(*wire.WatcherEvent))
			continue
		}
		if h.Xid != c.xid {
			return answer{}, fmt.Errorf("%s: slot %d: reply xid %d to request xid %d (%s)", s.name, slot, h.Xid, c.xid, req)
		}
		return answer{hdr: h, resp: resp}, nil
	}
}

// do runs op number i and records when it ran and which zxid it made.
// closeSession is followed by a new session in the slot.
func (s *diffSide) do(i int, o diffOp) (answer, error) {
	start := time.Now().UnixMilli()
	a, err := s.call(o.slot, o.req)
	if err != nil {
		return a, err
	}
	s.windows = append(s.windows, window{start, time.Now().UnixMilli()})
	if isWriteOp(o.req) && a.hdr.Zxid > 0 {
		if _, seen := s.zxidOp[a.hdr.Zxid]; !seen {
			s.zxidOp[a.hdr.Zxid] = i
		}
		s.lastZxid = max(s.lastZxid, a.hdr.Zxid)
	}
	if o.req.Opcode() == wire.OpCloseSession {
		s.conns[o.slot].nc.Close()
		s.conns[o.slot] = nil
		s.events[o.slot] = nil
		return a, s.open(o.slot)
	}
	return a, nil
}

// settle waits until the slot's server has applied every write this side
// has had answered: it reads until a reply's zxid, the server's last
// applied one, reaches the newest write's. Then the next read there sees
// all of them, and every notification they caused on this session came
// before that reply. (A sync would do the same, but ZooKeeper 3.8.0 left
// a follower's sync unanswered now and then when the machine was loaded.)
func (s *diffSide) settle(slot int) error {
	deadline := time.Now().Add(20 * time.Second)
	for {
		a, err := s.call(slot, &wire.ExistsRequest{Path: "/"})
		if err != nil {
			return err
		}
		if a.hdr.Zxid >= s.lastZxid {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: slot %d: still at zxid %#x, not %#x, after 20 s", s.name, slot, a.hdr.Zxid, s.lastZxid)
		}
		time.Sleep(time.Millisecond)
	}
}

// takeEvents returns and forgets what the slot has been notified of.
func (s *diffSide) takeEvents(slot int) []wire.WatcherEvent {
	evs := s.events[slot]
	s.events[slot] = nil
	return evs
}

// isWriteOp reports whether req is a transaction on both sides (ZooKeeper
// spends a zxid on it even when it fails).
func isWriteOp(req wire.Request) bool {
	switch req.Opcode() {
	case wire.OpCreate, wire.OpCreate2, wire.OpCreateContainer, wire.OpCreateTTL, wire.OpDelete,
		wire.OpSetData, wire.OpSetACL, wire.OpMulti, wire.OpCloseSession, wire.OpReconfig:
		return true
	}
	return false
}
