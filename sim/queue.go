package sim

// eventKind says which part of the world an event belongs to; the
// scheduler dispatches on it instead of calling a closure, so the hot paths
// (deliveries and ticks) allocate nothing per event.
type eventKind uint8

const (
	kindCall    eventKind = iota + 1 // run fn
	kindDeliver                      // network delivery to node
	kindTick                         // periodic tick of node
	kindNode                         // fn for node, only if node's incarnation is still gen
	kindIO                           // like kindNode, but runs while the node is paused
)

// event is one scheduled happening. Events are ordered by (at, seq); seq is
// unique and increasing, so events at the same instant run in the order
// they were scheduled.
type event struct {
	at   Time
	seq  uint64
	fn   func()
	io   func(op uint64, done func()) // kindIO: the completion, called with id and fn
	msg  any
	id   uint64 // message id (deliveries)
	kind eventKind
	// shared marks a delivery whose message may travel more than once (a
	// datagram, which can be duplicated): it is never released.
	shared bool
	ch     Channel // network channel (deliveries)
	node   int32   // target node
	src    int32   // sender (deliveries)
	gen    uint32  // link generation (deliveries) or node incarnation (node events)
	lseq   uint64  // position on its stream connection (deliveries)
}

// key is what the heap orders: small, so sifting moves little memory; the
// event itself waits in a slab slot.
type key struct {
	at   Time
	seq  uint64
	slot int32
}

func (k *key) before(o *key) bool {
	if k.at != o.at {
		return k.at < o.at
	}
	return k.seq < o.seq
}

// queue is a 4-ary min-heap of keys by (at, seq) over a slab of events. A
// 4-ary heap is half as deep as a binary one, and sifting moves a hole
// rather than swapping, which matters because pop is the hottest function
// of every simulation.
type queue struct {
	keys []key
	slab []event
	free []int32
}

func (q *queue) len() int { return len(q.keys) }

func (q *queue) push(e event) {
	var slot int32
	if n := len(q.free); n > 0 {
		slot = q.free[n-1]
		q.free = q.free[:n-1]
		q.slab[slot] = e
	} else {
		slot = int32(len(q.slab))
		q.slab = append(q.slab, e)
	}
	k := key{at: e.at, seq: e.seq, slot: slot}
	q.keys = append(q.keys, k)
	i := len(q.keys) - 1
	for i > 0 {
		parent := (i - 1) / 4
		if !k.before(&q.keys[parent]) {
			break
		}
		q.keys[i] = q.keys[parent]
		i = parent
	}
	q.keys[i] = k
}

// peekAt is the time of the earliest event; the queue must not be empty.
func (q *queue) peekAt() Time { return q.keys[0].at }

func (q *queue) pop() event {
	top := q.keys[0]
	slot := &q.slab[top.slot]
	e := *slot
	// Drop references for the collector, one field at a time: clearing
	// the whole event would go through the bulk write barrier.
	slot.fn, slot.io, slot.msg = nil, nil, nil
	q.free = append(q.free, top.slot)

	last := q.keys[len(q.keys)-1]
	q.keys = q.keys[:len(q.keys)-1]
	n := len(q.keys)
	if n == 0 {
		return e
	}
	i := 0
	for {
		first := 4*i + 1
		if first >= n {
			break
		}
		least := first
		end := min(first+4, n)
		for c := first + 1; c < end; c++ {
			if q.keys[c].before(&q.keys[least]) {
				least = c
			}
		}
		if !q.keys[least].before(&last) {
			break
		}
		q.keys[i] = q.keys[least]
		i = least
	}
	q.keys[i] = last
	return e
}
