package live

import (
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/zabsim/zabsim/protocol/replica"
)

func frame(xid int32) outFrame { return outFrame{resp: replica.Response{Xid: xid}} }

// The writer gets every frame once, in the order the loop queued them,
// whatever the batches; nothing is queued beyond the limit; after close
// it drains what is left and then stops.
func TestOutboxOrderAndLimit(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		limit := rapid.IntRange(1, 8).Draw(t, "limit")
		o := newOutbox()
		var queued, got []int32
		var spare []outFrame
		next := int32(0)
		for range rapid.IntRange(0, 50).Draw(t, "steps") {
			if rapid.Bool().Draw(t, "put") {
				ok := o.put(frame(next), limit)
				require.Equal(t, len(queued)-len(got) < limit, ok)
				if ok {
					queued = append(queued, next)
				}
				next++
				continue
			}
			if len(queued) == len(got) {
				continue // take would wait
			}
			batch, open := o.take(spare, nil)
			require.True(t, open)
			for _, f := range batch {
				got = append(got, f.resp.Xid)
			}
			clear(batch)
			spare = batch[:0]
		}
		o.close()
		for {
			batch, open := o.take(spare, nil)
			if !open {
				break
			}
			for _, f := range batch {
				got = append(got, f.resp.Xid)
			}
		}
		require.Equal(t, queued, got)
	})
}

func TestOutboxQuit(t *testing.T) {
	quit := make(chan struct{})
	close(quit)
	batch, open := newOutbox().take(nil, quit)
	require.False(t, open)
	require.Empty(t, batch)
}
