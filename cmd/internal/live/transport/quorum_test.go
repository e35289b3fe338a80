package transport

import (
	"bufio"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/protocol"
)

// rawPeer plays a peer by hand on the quorum channel, to put the server
// under test in each state acceptQuorum distinguishes.
type rawPeer struct {
	t    *testing.T
	sid  uint64
	boot uint64
	ln   net.Listener
}

func newRawPeer(t *testing.T, sid uint64) *rawPeer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	return &rawPeer{t: t, sid: sid, boot: newID(), ln: ln}
}

func (r *rawPeer) addrs() Addrs {
	return Addrs{Quorum: r.ln.Addr().String(), Election: r.ln.Addr().String()}
}

// accept takes the server's dial and reads its handshake, leaving the
// verdict unsaid: the server's dial is in flight.
func (r *rawPeer) accept() (net.Conn, *bufio.Reader, handshake) {
	nc, err := r.ln.Accept()
	require.NoError(r.t, err)
	r.t.Cleanup(func() { nc.Close() })
	require.NoError(r.t, nc.SetDeadline(time.Now().Add(waitFor)))
	br := bufio.NewReader(nc)
	h, err := readHandshake(br, protocol.ChanQuorum)
	require.NoError(r.t, err)
	return nc, br, h
}

func (r *rawPeer) verdict(nc net.Conn, code byte) {
	_, err := nc.Write(encodeVerdict(code, r.boot))
	require.NoError(r.t, err)
}

// dial connects to the server as this peer and returns the verdict.
func (r *rawPeer) dial(to *node, boot, prev uint64) (net.Conn, *bufio.Reader, byte) {
	nc, err := net.Dial("tcp", to.Addrs().Quorum)
	require.NoError(r.t, err)
	r.t.Cleanup(func() { nc.Close() })
	require.NoError(r.t, nc.SetDeadline(time.Now().Add(waitFor)))
	_, err = nc.Write(handshake{sid: r.sid, ch: protocol.ChanQuorum, id: newID(), boot: boot, prev: prev}.encode())
	require.NoError(r.t, err)
	br := bufio.NewReader(nc)
	code, _, err := readVerdict(br)
	require.NoError(r.t, err)
	return nc, br, code
}

func readApp(t *testing.T, br *bufio.Reader, from, to uint64) uint32 {
	t.Helper()
	body, err := readFrame(br, DefaultMaxFrame, nil)
	require.NoError(t, err)
	m, err := decodeFrame(body, protocol.ChanQuorum, from, to)
	require.NoError(t, err)
	return seqOf(t, m)
}

// TestQuorumAcceptRules drives acceptQuorum through each case with the
// server under test (sid 2) holding a dial in flight or a connection up.
func TestQuorumAcceptRules(t *testing.T) {
	for _, tc := range []struct {
		name    string
		peer    uint64
		up      bool // the server's own dial was accepted before the peer dials
		newBoot bool // the peer dials as a new incarnation
		prev    bool // the peer says it had the server's connection up
		win     bool // the peer's dial is accepted
		reset   bool // the server reports a reset (and drops its queue)
	}{
		{name: "crossing dial from a smaller sid loses", peer: 1},
		{name: "crossing dial from a larger sid wins", peer: 3, win: true},
		{name: "dial after closing the accepted in-flight dial", peer: 1, prev: true, win: true, reset: true},
		{name: "stale dial loses to the connection up", peer: 3, up: true},
		{name: "dial after closing the connection up replaces it", peer: 1, up: true, prev: true, win: true, reset: true},
		{name: "dial from a restarted peer replaces the connection up", peer: 3, up: true, newBoot: true, win: true, reset: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := newRawPeer(t, tc.peer)
			b := start(t, 2, anyPort, func(c *Config) { c.Peers[tc.peer] = raw.addrs() })
			b.Send(app(tc.peer, 1))
			old, oldBr, h := raw.accept()
			require.Equal(t, uint64(2), h.sid)
			if tc.up {
				raw.verdict(old, verdictAccept)
				require.Equal(t, uint32(1), readApp(t, oldBr, 2, tc.peer))
				b.Send(app(tc.peer, 2)) // stays queued only if nothing takes it
			}
			boot, prev := raw.boot, uint64(0)
			if tc.newBoot {
				boot = newID()
			}
			if tc.prev {
				prev = h.id
			}
			nc, br, code := raw.dial(b, boot, prev)
			if !tc.win {
				require.Equal(t, verdictLose, code)
				if !tc.up {
					raw.verdict(old, verdictAccept) // the server's dial goes through
					require.Equal(t, uint32(1), readApp(t, oldBr, 2, tc.peer))
				} else {
					require.Equal(t, uint32(2), readApp(t, oldBr, 2, tc.peer))
				}
				requireQuiet(t, b, 30*time.Millisecond)
				return
			}
			require.Equal(t, verdictAccept, code)
			if tc.reset {
				in := recv(t, b)
				require.True(t, in.Reset)
				require.Equal(t, tc.peer, in.Peer)
			} else {
				// The queue moved to the peer's connection; the server gives
				// its own dial up once the peer answers it.
				require.Equal(t, uint32(1), readApp(t, br, 2, tc.peer))
				raw.verdict(old, verdictLose)
			}
			requireClosed(t, old)
			b.Send(app(tc.peer, 3))
			require.Equal(t, uint32(3), readApp(t, br, 2, tc.peer), "the peer's connection is the one in use")
			m := app(2, 4)
			m.From = tc.peer
			_, err := nc.Write(encodeFrame(m))
			require.NoError(t, err)
			in := recv(t, b)
			require.False(t, in.Reset)
			require.Equal(t, uint32(4), seqOf(t, in.Msg))
			requireQuiet(t, b, 30*time.Millisecond)
		})
	}
}
