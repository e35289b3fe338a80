package live

import "sync"

// outbox is the queue of frames between the loop and one client's
// socket. It grows only as frames arrive: a buffered channel of outQueue
// frames took 4.5 MB per connection up front, which the garbage collector
// scanned on every cycle (a third of the CPU under 64 writing sessions).
//
// The socket has two writers, one at a time: the connection's writer
// goroutine, which takes everything queued and may block, and the loop,
// which at the end of an iteration writes what it queued itself when the
// socket is free and nothing older waits, without blocking (flush). The
// loop's direct write saves the hand-off to the writer goroutine, which
// under load waited milliseconds for a CPU behind the other connections'
// goroutines; what the socket does not take at once goes to the writer.
type outbox struct {
	mu     sync.Mutex
	frames []outFrame
	// unsent is the encoded tail of a direct write the socket did not
	// take: it goes before the frames.
	unsent []byte
	held   bool // the writer or the loop is writing to the socket
	closed bool
	wake   chan struct{} // holds a token while the writer has work
}

func newOutbox() *outbox {
	return &outbox{wake: make(chan struct{}, 1)}
}

// put queues f unless limit frames already wait; it never blocks. The
// frame leaves on the loop's next flush, or with the writer's next batch.
func (o *outbox) put(f outFrame, limit int) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.frames) >= limit {
		return false
	}
	o.frames = append(o.frames, f)
	return true
}

// close lets the writer end once it has sent what is queued.
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

// flush is the loop's direct write: when the socket is free, nothing
// unsent waits and no frame closes the connection, it takes the frames,
// calls write (which must not block) and keeps what write returns unsent
// for the writer. Otherwise the writer is woken to send the frames.
func (o *outbox) flush(write func([]outFrame) (unsent []byte)) {
	o.mu.Lock()
	direct := !o.held && !o.closed && len(o.unsent) == 0 && len(o.frames) > 0
	for i := range o.frames {
		direct = direct && !o.frames[i].close
	}
	if !direct {
		o.mu.Unlock()
		o.signal()
		return
	}
	frames := o.frames
	o.frames, o.held = nil, true
	o.mu.Unlock()

	unsent := write(frames)

	o.mu.Lock()
	o.held = false
	if len(o.unsent) == 0 && len(o.frames) == 0 {
		clear(frames)
		o.frames = frames[:0] // only the loop puts: the slice is free again
	}
	o.unsent = unsent
	o.mu.Unlock()
	if len(unsent) > 0 {
		o.signal()
	}
}

// take waits until the writer has work or the outbox is closed, and
// returns the unsent bytes and the frames, which go in that order; the
// frames are swapped for spare (an emptied batch the writer hands back so
// the two slices are reused). The writer holds the socket until it calls
// release. open is false once the outbox is closed and nothing is left,
// or quit is closed.
func (o *outbox) take(spare []outFrame, quit <-chan struct{}) (unsent []byte, batch []outFrame, open bool) {
	for {
		o.mu.Lock()
		if !o.held {
			unsent, batch = o.unsent, o.frames
			if len(unsent) > 0 || len(batch) > 0 {
				o.unsent, o.frames, o.held = nil, spare[:0], true
				o.mu.Unlock()
				return unsent, batch, true
			}
			if o.closed {
				o.mu.Unlock()
				return nil, nil, false
			}
		}
		o.mu.Unlock()
		select {
		case <-o.wake:
		case <-quit:
			return nil, nil, false
		}
	}
}

// release ends the writer's hold on the socket.
func (o *outbox) release() {
	o.mu.Lock()
	o.held = false
	o.mu.Unlock()
}
