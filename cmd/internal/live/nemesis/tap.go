package nemesis

import (
	"encoding/binary"
	"net"
	"sync"
	"time"
)

// reply is a reply header as the server sent it.
type reply struct {
	session int64
	zxid    int64
	err     int32
}

// tap watches one client's connections (go-zookeeper redials through it
// after every connection loss) for what the client library does not hand
// back: the xid of each request, and the zxid and error code in the
// header of its reply, on the session the connection carried. Those are
// what the checkers key on.
type tap struct {
	mu      sync.Mutex
	session int64
	// sent is the xid of the last request sent since begin, 0 if none.
	sent    int32
	replies map[int32]reply
}

// begin forgets the previous operation's request and replies.
func (t *tap) begin() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sent = 0
	clear(t.replies)
}

// result is the request sent since begin and its reply, if one came.
func (t *tap) result() (xid int32, r reply, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, ok = t.replies[t.sent]
	return t.sent, r, ok && t.sent > 0
}

// dial is a zk.Dialer whose connections report to the tap.
func (t *tap) dial(network, address string, timeout time.Duration) (net.Conn, error) {
	c, err := net.DialTimeout(network, address, timeout)
	if err != nil {
		return nil, err
	}
	return &tapConn{Conn: c, tap: t}, nil
}

// tapConn parses the frames in both directions. The first frame each way
// is the connect request or response, which has no header.
type tapConn struct {
	net.Conn
	tap       *tap
	in, out   frames
	inSession int64
}

// frames cuts a byte stream into length-prefixed frames.
type frames struct {
	buf  []byte
	seen int
}

// feed appends bytes and calls f with each whole frame body.
func (fs *frames) feed(b []byte, f func(first bool, body []byte)) {
	fs.buf = append(fs.buf, b...)
	for len(fs.buf) >= 4 {
		n := int(binary.BigEndian.Uint32(fs.buf))
		if len(fs.buf) < 4+n {
			return
		}
		f(fs.seen == 0, fs.buf[4:4+n])
		fs.seen++
		fs.buf = fs.buf[4+n:]
	}
}

func (c *tapConn) Write(b []byte) (int, error) {
	c.out.feed(b, func(first bool, body []byte) {
		if first || len(body) < 8 {
			return
		}
		if xid := int32(binary.BigEndian.Uint32(body)); xid > 0 {
			c.tap.mu.Lock()
			c.tap.sent = xid
			c.tap.mu.Unlock()
		}
	})
	return c.Conn.Write(b)
}

func (c *tapConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.in.feed(b[:n], func(first bool, body []byte) {
		if first {
			if len(body) >= 16 {
				c.inSession = int64(binary.BigEndian.Uint64(body[8:]))
			}
			return
		}
		if len(body) < 16 {
			return
		}
		xid := int32(binary.BigEndian.Uint32(body))
		if xid <= 0 {
			return
		}
		c.tap.mu.Lock()
		if c.tap.replies == nil {
			c.tap.replies = map[int32]reply{}
		}
		c.tap.replies[xid] = reply{
			session: c.inSession,
			zxid:    int64(binary.BigEndian.Uint64(body[4:])),
			err:     int32(binary.BigEndian.Uint32(body[12:])),
		}
		c.tap.mu.Unlock()
	})
	return n, err
}
