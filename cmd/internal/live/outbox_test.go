package live

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/zabsim/zabsim/protocol/replica"
)

func frame(xid int32) outFrame { return outFrame{resp: replica.Response{Xid: xid}} }

// xids reads back the xids of the reply frames in a byte stream, as a
// client would.
func xids(t require.TestingT, stream []byte) []int32 {
	var out []int32
	for len(stream) > 0 {
		require.GreaterOrEqual(t, len(stream), 8, "a frame cut short")
		n := int(binary.BigEndian.Uint32(stream))
		require.GreaterOrEqual(t, len(stream), 4+n, "a frame cut short")
		out = append(out, int32(binary.BigEndian.Uint32(stream[4:])))
		stream = stream[4+n:]
	}
	return out
}

// The socket sees every frame once, in the order the loop queued them,
// whoever writes it: the loop's direct writes (which the socket may take
// only in part), the writer's batches, in any interleaving. The loop
// never writes while the writer holds the socket. Nothing is queued
// beyond the limit; after close the writer sends what is left and stops.
func TestOutboxOrderAndLimit(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		limit := rapid.IntRange(1, 8).Draw(t, "limit")
		o := newOutbox()
		var (
			queued  []int32
			socket  []byte
			spare   []outFrame
			holding bool // the writer has taken a batch and not released
			next    int32
		)
		writer := func() {
			unsent, batch, open := o.take(spare, nil)
			require.True(t, open)
			socket = append(socket, unsent...)
			socket, _ = appendFrames(socket, batch)
			clear(batch)
			spare = batch[:0]
		}
		for range rapid.IntRange(0, 60).Draw(t, "steps") {
			switch rapid.IntRange(0, 3).Draw(t, "action") {
			case 0: // the loop queues a frame
				before := o.len()
				ok := o.put(frame(next), limit)
				require.Equal(t, before < limit, ok)
				if ok {
					queued = append(queued, next)
				}
				next++
			case 1: // the loop flushes; the socket takes some of it
				o.flush(func(frames []outFrame) []byte {
					require.False(t, holding, "the loop wrote while the writer held the socket")
					b, _ := appendFrames(nil, frames)
					took := rapid.IntRange(0, len(b)).Draw(t, "took")
					socket = append(socket, b[:took]...)
					return append([]byte(nil), b[took:]...)
				})
			case 2: // the writer takes what it has, if anything
				o.mu.Lock()
				ready := !o.held && (len(o.unsent) > 0 || len(o.frames) > 0)
				o.mu.Unlock()
				if !holding && ready {
					writer()
					holding = true
				}
			case 3:
				if holding {
					o.release()
					holding = false
				}
			}
		}
		if holding {
			o.release()
		}
		o.close()
		for {
			o.mu.Lock()
			done := len(o.unsent) == 0 && len(o.frames) == 0
			o.mu.Unlock()
			if done {
				break
			}
			writer()
			o.release()
		}
		_, _, open := o.take(spare, nil)
		require.False(t, open)
		require.Equal(t, queued, xids(t, socket))
	})
}

// The loop leaves a closing frame, and what follows it, to the writer,
// which flushes and closes after it.
func TestOutboxFlushLeavesCloseToWriter(t *testing.T) {
	o := newOutbox()
	require.True(t, o.put(frame(1), 10))
	require.True(t, o.put(outFrame{close: true}, 10))
	o.flush(func([]outFrame) []byte {
		require.FailNow(t, "the loop wrote a closing frame")
		return nil
	})
	unsent, batch, open := o.take(nil, nil)
	require.True(t, open)
	require.Empty(t, unsent)
	require.Len(t, batch, 2)
	require.True(t, batch[1].close)
}

func TestOutboxQuit(t *testing.T) {
	quit := make(chan struct{})
	close(quit)
	_, batch, open := newOutbox().take(nil, quit)
	require.False(t, open)
	require.Empty(t, batch)
}
