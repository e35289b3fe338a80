package live

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zabsim/zabsim/cmd/internal/wire"
	"github.com/zabsim/zabsim/internal/testlog"
)

// testTickTime keeps session timeouts short: [2, 20] tickTimes.
const testTickTime = 200 * time.Millisecond

// startTestEnsemble starts n servers on free loopback ports in a fresh
// directory, waits until they serve, and stops them when the test ends.
func startTestEnsemble(t *testing.T, n int) *Ensemble {
	t.Helper()
	return startTestEnsembleWith(t, EnsembleConfig{Servers: n})
}

// startTestEnsembleWith is startTestEnsemble with more settings in ec.
func startTestEnsembleWith(t *testing.T, ec EnsembleConfig) *Ensemble {
	t.Helper()
	ec.Dir, ec.TickTime, ec.FourLetterWords, ec.Logf = t.TempDir(), testTickTime, []string{"*"}, testLogf(t)
	ec.Verbose = os.Getenv("ZABSIM_LIVE_VERBOSE") != ""
	e, err := StartEnsemble(ec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	if err := e.WaitServing(20 * time.Second); err != nil {
		t.Fatal(err)
	}
	return e
}

// testLogf logs through t until the test ends, then drops lines (servers
// may still log while they stop).
func testLogf(t *testing.T) func(string, ...any) { return testlog.Logf(t) }

// zkLogger sends go-zookeeper's chatter to the test log.
type zkLogger struct{ logf func(string, ...any) }

func (l zkLogger) Printf(format string, args ...any) { l.logf("zk client: "+format, args...) }

// connect opens a go-zookeeper session on addrs and waits until it has one.
func connect(t *testing.T, addrs []string, timeout time.Duration) (*zk.Conn, <-chan zk.Event) {
	t.Helper()
	c, events, err := zk.Connect(addrs, timeout, zk.WithLogger(zkLogger{testLogf(t)}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	waitState(t, events, zk.StateHasSession, 20*time.Second)
	return c, events
}

// waitState reads session events until state s.
func waitState(t *testing.T, events <-chan zk.Event, s zk.State, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case ev := <-events:
			if ev.Type == zk.EventSession && ev.State == s {
				return
			}
		case <-deadline:
			t.Fatalf("no %v within %v", s, timeout)
		}
	}
}

// waitEvent waits for one watch event.
func waitEvent(t *testing.T, ch <-chan zk.Event, timeout time.Duration) zk.Event {
	t.Helper()
	select {
	case ev := <-ch:
		return ev
	case <-time.After(timeout):
		t.Fatalf("no watch event within %v", timeout)
		return zk.Event{}
	}
}

// rawClient speaks jute by hand, for what a well-behaved client never
// does: drop TCP without closeSession, send garbage, send too much.
type rawClient struct {
	t       *testing.T
	nc      net.Conn
	br      *bufio.Reader
	session int64
	passwd  []byte
	xid     int32
}

func dialRaw(t *testing.T, addr string, session int64, passwd []byte, timeoutMs int32) *rawClient {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	rc := &rawClient{t: t, nc: nc, br: bufio.NewReader(nc)}
	if passwd == nil {
		passwd = make([]byte, wire.PasswdSize)
	}
	rc.write(wire.EncodeConnectRequest(&wire.ConnectRequest{TimeOut: timeoutMs, SessionID: session, Passwd: passwd}))
	body := rc.read()
	resp, err := wire.DecodeConnectResponse(body)
	if err != nil {
		t.Fatal(err)
	}
	rc.session, rc.passwd = resp.SessionID, resp.Passwd
	return rc
}

func (rc *rawClient) write(body []byte) {
	rc.t.Helper()
	_ = rc.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if err := wire.WriteFrame(rc.nc, body); err != nil {
		rc.t.Fatal(err)
	}
}

func (rc *rawClient) read() []byte {
	rc.t.Helper()
	body, err := rc.tryRead()
	if err != nil {
		rc.t.Fatal(err)
	}
	return body
}

func (rc *rawClient) tryRead() ([]byte, error) {
	_ = rc.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	return wire.ReadFrame(rc.br, 0)
}

// call sends r and returns the reply, skipping notifications.
func (rc *rawClient) call(r wire.Request) (wire.ReplyHeader, wire.Response) {
	rc.t.Helper()
	rc.xid++
	rc.write(wire.EncodeRequest(rc.xid, r))
	for {
		h, body, err := wire.DecodeReply(r.Opcode(), rc.read())
		if err != nil {
			rc.t.Fatal(err)
		}
		if h.Xid != wire.XidNotification {
			return h, body
		}
	}
}

// closed reports whether the server closed the connection (EOF) within
// a few seconds, reading and discarding any frames before it.
func (rc *rawClient) closed() bool {
	for {
		if _, err := rc.tryRead(); err != nil {
			return !strings.Contains(err.Error(), "timeout")
		}
	}
}

// fourLetter sends a word and returns the whole answer.
func fourLetter(t *testing.T, addr, word string) string {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := nc.Write([]byte(word)); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := nc.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

func mustf(t *testing.T, err error, format string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprintf(format, args...), err)
	}
}
