package gozk

import (
	"sync"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zabsim/zabsim/recipes"
)

// eventsMax bounds the undelivered events of a connection, as the
// simulated client does: a program that never calls Next would otherwise
// keep every notification of its life.
const eventsMax = 1 << 12

// nodeEvents are the watch notifications, the same numbers in ZooKeeper,
// go-zookeeper and recipes.
var nodeEvents = map[zk.EventType]recipes.EventType{
	zk.EventNodeCreated:         recipes.EventNodeCreated,
	zk.EventNodeDeleted:         recipes.EventNodeDeleted,
	zk.EventNodeDataChanged:     recipes.EventNodeDataChanged,
	zk.EventNodeChildrenChanged: recipes.EventNodeChildrenChanged,
}

// events is a connection's one ordered queue of watch notifications and
// session changes. go-zookeeper reports both through its event callback,
// from its receive goroutine (notifications) and its connection loop
// (states), one after the other: the receive goroutine has ended before
// the loop reports a disconnection, and starts after it reports a session.
// So the callback's order is the connection's order, which per-watch
// channels would lose.
type events struct {
	mu      sync.Mutex
	queue   []recipes.Event
	dropped int
	// live: the client has a session on its current connection. down:
	// it lost one and has not had one since; only the end of that is an
	// EventConnected, not the first session, as in the simulator.
	live, down bool
	ready      chan struct{} // holds a token while queue may be non-empty
	closed     chan struct{} // closed by Close: nothing more is queued
	isClosed   bool
}

func newEvents() *events {
	return &events{ready: make(chan struct{}, 1), closed: make(chan struct{})}
}

// observe is go-zookeeper's event callback; it must not block.
func (q *events) observe(ev zk.Event) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.isClosed {
		return // the end of the connection Close asked for is no news
	}
	if t, ok := nodeEvents[ev.Type]; ok {
		q.push(recipes.Event{Type: t, Path: ev.Path})
		return
	}
	if ev.Type != zk.EventSession {
		return // EventNotWatching: the watches went with an expired session, which Expired says
	}
	switch ev.State {
	case zk.StateHasSession:
		if q.down {
			q.push(recipes.Event{Type: recipes.EventConnected})
		}
		q.live, q.down = true, false
	case zk.StateDisconnected:
		if q.live {
			q.push(recipes.Event{Type: recipes.EventDisconnected})
			q.down = true
		}
		q.live = false
	case zk.StateExpired:
		q.push(recipes.Event{Type: recipes.EventExpired})
		q.live, q.down = false, true
	}
}

func (q *events) push(ev recipes.Event) {
	if len(q.queue) >= eventsMax {
		q.dropped++
		return
	}
	q.queue = append(q.queue, ev)
	q.signal()
}

func (q *events) signal() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// pop takes the first queued event.
func (q *events) pop() (recipes.Event, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.queue) == 0 {
		return recipes.Event{}, false
	}
	ev := q.queue[0]
	q.queue = q.queue[1:]
	if len(q.queue) > 0 {
		q.signal() // for another waiter
	}
	return ev, true
}

// next waits up to d for an event: d < 0 without bound, 0 not at all. It
// stops waiting once the connection is closed.
func (q *events) next(d time.Duration) (recipes.Event, bool) {
	var timeout <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	for {
		if ev, ok := q.pop(); ok || d == 0 {
			return ev, ok
		}
		select {
		case <-q.ready:
		case <-timeout:
			return q.pop()
		case <-q.closed:
			return q.pop()
		}
	}
}

// close ends every wait and queues nothing more.
func (q *events) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.isClosed = true
	close(q.closed)
}

// lost is how many events did not fit in the queue.
func (q *events) lost() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.dropped
}
