package transport

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/protocol"
)

func hostFlushes(c *Config) { c.HostFlushes = true }

// Flushes of every size arrive whole and in the order of the sends, from
// one sender or from several at once: small ones the socket takes at
// once, larger ones (with a small send buffer) only in part, and their
// rest goes out before anything queued after them.
func TestHostFlushesOrder(t *testing.T) {
	for _, senders := range []int{1, 4} {
		t.Run(fmt.Sprintf("senders=%d", senders), func(t *testing.T) {
			nodes := cluster(t, 2, hostFlushes)
			a, b := nodes[0], nodes[1]
			a.Send(app(b.ID(), 0)) // the connection comes up
			require.Equal(t, uint32(0), seqOf(t, recv(t, b).Msg))
			a.mu.Lock()
			require.NoError(t, a.peers[b.ID()].q.cur.nc.(*net.TCPConn).SetWriteBuffer(4096))
			a.mu.Unlock()

			const each = 100
			var mu sync.Mutex
			var sent [][]byte // in the order of the Send calls
			for g := range senders {
				rng := rand.New(rand.NewPCG(1, uint64(g)))
				go func() {
					for i := range each {
						size := 4
						if rng.IntN(4) == 0 {
							size += rng.IntN(64 << 10)
						}
						data := make([]byte, size)
						for j := range data {
							data[j] = byte(rng.Uint32())
						}
						mu.Lock()
						a.Send(protocol.Message{Type: protocol.MsgApp, To: b.ID(), Data: data})
						sent = append(sent, data)
						mu.Unlock()
						if i%3 == 0 || i == each-1 {
							a.Flush()
						}
					}
				}()
			}
			for i := range senders * each {
				in := recv(t, b)
				require.False(t, in.Reset)
				mu.Lock()
				want := sent[i]
				mu.Unlock()
				require.True(t, bytes.Equal(want, in.Msg.Data), "message %d: %d bytes arrived, %d sent", i, len(in.Msg.Data), len(want))
			}
			requireQuiet(t, b, 20*time.Millisecond)
		})
	}
}

// While a Flush writes, the connection's writer leaves the socket alone,
// even when woken with messages queued; the Flush wakes it afterwards for
// what was queued meanwhile.
func TestFlushHoldsTheSocket(t *testing.T) {
	nodes := cluster(t, 2, hostFlushes)
	a, b := nodes[0], nodes[1]
	a.Send(app(b.ID(), 0)) // the connection comes up
	require.Equal(t, uint32(0), seqOf(t, recv(t, b).Msg))
	// Once the writer has let go of the socket with nothing queued, it
	// takes nothing more unless woken.
	require.Eventually(t, func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		q := &a.peers[b.ID()].q
		return !q.cur.held && q.queued == 0
	}, waitFor, time.Millisecond)

	writing, resume := make(chan struct{}), make(chan struct{})
	var release sync.Once
	defer release.Do(func() { close(resume) }) // a failure must not leave the Flush waiting
	a.tryWrite = func(raw syscall.RawConn, b []byte) int {
		close(writing)
		<-resume
		return TryWrite(raw, b)
	}
	a.Send(app(b.ID(), 1))
	flushed := make(chan struct{})
	go func() {
		a.Flush()
		close(flushed)
	}()
	<-writing
	a.Send(app(b.ID(), 2))
	a.Flush() // finds the socket held: wakes the writer, which must wait
	requireQuiet(t, b, 50*time.Millisecond)
	release.Do(func() { close(resume) })
	<-flushed
	require.Equal(t, uint32(1), seqOf(t, recv(t, b).Msg))
	require.Equal(t, uint32(2), seqOf(t, recv(t, b).Msg))
}

// TryWrite takes what the socket buffer has room for and never waits:
// against a peer that does not read it soon takes nothing.
func TestTryWriteNeverWaits(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	nc, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer nc.Close()
	peer, err := ln.Accept()
	require.NoError(t, err)
	defer peer.Close()
	raw, err := nc.(syscall.Conn).SyscallConn()
	require.NoError(t, err)

	chunk := make([]byte, 256<<10)
	full := false
	for range 1000 { // far more than any socket buffer holds
		if TryWrite(raw, chunk) < len(chunk) {
			full = true
			break
		}
	}
	require.True(t, full, "the socket took 256 MB without being read")
	require.Zero(t, TryWrite(raw, chunk))

	require.NoError(t, nc.Close())
	require.Zero(t, TryWrite(raw, chunk), "a closed connection takes nothing")
}
