package live

import "sync"

// outbox is the queue of frames between the loop and one client's
// writer. It grows only as frames arrive: a buffered channel of outQueue
// frames took 4.5 MB per connection up front, which the garbage collector
// scanned on every cycle (a third of the CPU under 64 writing sessions).
// The writer takes everything queued at once and sends it with one write.
type outbox struct {
	mu     sync.Mutex
	frames []outFrame
	closed bool
	wake   chan struct{} // holds a token while frames or the close wait
}

func newOutbox() *outbox {
	return &outbox{wake: make(chan struct{}, 1)}
}

// put queues f unless limit frames already wait; it never blocks.
func (o *outbox) put(f outFrame, limit int) bool {
	o.mu.Lock()
	if len(o.frames) >= limit {
		o.mu.Unlock()
		return false
	}
	o.frames = append(o.frames, f)
	o.mu.Unlock()
	o.signal()
	return true
}

// close lets the writer end once it has taken what is queued.
func (o *outbox) close() {
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
	o.signal()
}

func (o *outbox) signal() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// len is how many frames wait.
func (o *outbox) len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.frames)
}

// take waits until frames are queued or the outbox is closed, and returns
// the frames, swapped for spare (an emptied batch the writer hands back
// so the two slices are reused). open is false once the outbox is closed
// and nothing is left, or quit is closed.
func (o *outbox) take(spare []outFrame, quit <-chan struct{}) (batch []outFrame, open bool) {
	for {
		o.mu.Lock()
		batch, closed := o.frames, o.closed
		if len(batch) > 0 {
			o.frames = spare[:0]
		}
		o.mu.Unlock()
		if len(batch) > 0 {
			return batch, true
		}
		if closed {
			return nil, false
		}
		select {
		case <-o.wake:
		case <-quit:
			return nil, false
		}
	}
}
