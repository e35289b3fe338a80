package nemesis

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// echoServer echoes every connection until the test ends.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

// roundTrip sends a byte through conn and times its echo.
func roundTrip(t *testing.T, c net.Conn) (time.Duration, error) {
	t.Helper()
	start := time.Now()
	require.NoError(t, c.SetDeadline(start.Add(5*time.Second)))
	if _, err := c.Write([]byte{1}); err != nil {
		return 0, err
	}
	_, err := io.ReadFull(c, make([]byte, 1))
	return time.Since(start), err
}

func TestLinkFaults(t *testing.T) {
	cases := []struct {
		name     string
		faults   linkFaults
		min, max time.Duration
	}{
		{"clear", linkFaults{}, 0, 150 * time.Millisecond},
		{"delay both ways", linkFaults{delay: 100 * time.Millisecond}, 200 * time.Millisecond, time.Second},
		{"every chunk lost once", linkFaults{loss: 1}, 2 * retransmit, 2 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l, err := newLink("127.0.0.1", echoServer(t), 1)
			require.NoError(t, err)
			defer l.close()
			l.set(tc.faults)
			c, err := net.Dial("tcp", l.Addr())
			require.NoError(t, err)
			defer c.Close()
			rtt, err := roundTrip(t, c)
			require.NoError(t, err)
			require.GreaterOrEqual(t, rtt, tc.min)
			require.Less(t, rtt, tc.max)
		})
	}
}

// TestLinkCut: cutting closes the open connections and refuses new ones;
// healing lets new ones through.
func TestLinkCut(t *testing.T) {
	l, err := newLink("127.0.0.1", echoServer(t), 1)
	require.NoError(t, err)
	defer l.close()
	c, err := net.Dial("tcp", l.Addr())
	require.NoError(t, err)
	defer c.Close()
	_, err = roundTrip(t, c)
	require.NoError(t, err)

	l.set(linkFaults{cut: true})
	_, err = roundTrip(t, c)
	require.Error(t, err, "an open connection breaks")
	c2, err := net.Dial("tcp", l.Addr())
	require.NoError(t, err, "the listener stays, as a host behind a partition still has its port")
	defer c2.Close()
	_, err = roundTrip(t, c2)
	require.Error(t, err, "a new connection is closed at once")

	l.set(linkFaults{})
	c3, err := net.Dial("tcp", l.Addr())
	require.NoError(t, err)
	defer c3.Close()
	_, err = roundTrip(t, c3)
	require.NoError(t, err)
}

// TestFallbackToLoopback: where namespaces cannot be made (here: no ip
// command on the PATH; elsewhere also no root), auto falls back to loopback
// proxies and says why, and netns refuses.
func TestFallbackToLoopback(t *testing.T) {
	t.Setenv("PATH", "")
	nw, desc, err := openNetwork(NetAuto, 3, 1)
	require.NoError(t, err)
	defer nw.Close()
	require.Contains(t, desc, "network namespaces unavailable")
	require.Contains(t, desc, "falling back to loopback proxies")
	require.Equal(t, "127.0.0.1", nw.Server(2).Host)
	q, e := nw.Peer(1, 2)
	require.NotEqual(t, q, e)

	_, _, err = openNetwork(NetNamespaces, 3, 1)
	require.ErrorIs(t, err, ErrNoNetns)
}

// TestLinkSelection: isolating a server cuts its links both ways; cutting
// one pair of servers leaves the others' links alone.
func TestLinkSelection(t *testing.T) {
	k := func(from, to uint64) linkKey { return linkKey{from: from, to: to} }
	cases := []struct {
		name string
		sel  func(linkKey) bool
		cut  []linkKey
		kept []linkKey
	}{
		{"touching 2", touching(2), []linkKey{k(1, 2), k(2, 1), k(2, 3), k(3, 2)}, []linkKey{k(1, 3), k(3, 1)}},
		{"between 1 and 3", between(1, 3), []linkKey{k(1, 3), k(3, 1)}, []linkKey{k(1, 2), k(2, 1), k(2, 3), k(3, 2)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, l := range tc.cut {
				require.True(t, tc.sel(l), "%d->%d", l.from, l.to)
			}
			for _, l := range tc.kept {
				require.False(t, tc.sel(l), "%d->%d", l.from, l.to)
			}
		})
	}
}
