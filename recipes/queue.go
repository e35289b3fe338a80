package recipes

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zabsim/zabsim/tree"
)

// Queue is a distributed FIFO queue, as ZooKeeper's recipes page and
// Curator's DistributedQueue build it: items are sequential znodes under
// dir/items, taken lowest first. Both ends are made exactly-once against
// lost replies with multi:
//
//   - a put creates the item and a receipt named after its key
//     (dir/receipts/key) in one transaction, so a retried put whose first
//     attempt went through fails on the receipt instead of queueing the
//     item twice;
//   - a take deletes the item and creates a marker naming the consumer
//     (dir/taken/item) in one transaction, so only one take of an item
//     can succeed, and a consumer whose take's reply was lost reads the
//     marker to learn whether the item is its own. The marker's czxid is
//     the order takes happened in.
type Queue struct {
	c     Conn
	dir   string
	bound int
	ready bool // the queue's directories exist
}

// NewQueue is the queue at dir. A positive bound makes Put wait while
// the queue holds that many items: not a hard limit, since producers that
// look at once may all go over it (as with Curator's).
func NewQueue(c Conn, dir string, bound int) *Queue { return &Queue{c: c, dir: dir, bound: bound} }

// Taken is an item a consumer took.
type Taken struct {
	Name string // the item's znode name: its key and sequence number
	Data []byte
	Zxid int64 // the take's transaction
}

// QueueItem splits an item's znode name into the key it was put with and
// its sequence number; ok is false for a name that is no item's.
func QueueItem(name string) (key string, seq int64, ok bool) {
	seq = Seq(name)
	cut := len(name) - seqDigits - 1
	if seq < 0 || cut < 1 || name[cut] != '-' {
		return "", 0, false
	}
	return name[:cut], seq, true
}

func (q *Queue) setup() error {
	if q.ready {
		return nil
	}
	for _, d := range []string{"items", "taken", "receipts"} {
		if err := EnsurePath(q.c, q.dir+"/"+d); err != nil {
			return err
		}
	}
	q.ready = true
	return nil
}

// Put queues data under key, which must be unique among all the items
// ever put in the queue (a put of a used key is taken for a retry and
// does nothing).
func (q *Queue) Put(key string, data []byte) error {
	if key == "" || strings.ContainsRune(key, '/') {
		return fmt.Errorf("%w: %q is not a queue item key", tree.ErrBadArguments, key)
	}
	if err := q.setup(); err != nil {
		return err
	}
	if err := q.waitRoom(); err != nil {
		return err
	}
	for {
		_, err := q.c.Multi(
			Op{Kind: OpCreate, Path: q.dir + "/items/" + key + "-", Data: data, Flags: tree.FlagSequential},
			Op{Kind: OpCreate, Path: q.dir + "/receipts/" + key, Flags: tree.FlagPersistent})
		switch {
		case err == nil, errors.Is(err, tree.ErrNodeExists):
			return nil
		case !transient(err):
			return fmt.Errorf("putting %s in %s: %w", key, q.dir, err)
		}
	}
}

// waitRoom waits until the queue is shorter than its bound.
func (q *Queue) waitRoom() error {
	for q.bound > 0 {
		items, err := q.items()
		if err != nil {
			return err
		}
		if len(items) < q.bound {
			return nil
		}
		// A take's deletion fires the watch; a session event wakes us too.
		q.c.Next(-1)
	}
	return nil
}

// items lists the queue in order, leaving a watch on it.
func (q *Queue) items() ([]string, error) {
	for {
		items, _, err := q.c.Children(q.dir+"/items", true)
		if err == nil {
			SortBySeq(items)
			return items, nil
		}
		if !transient(err) {
			return nil, fmt.Errorf("listing %s: %w", q.dir, err)
		}
	}
}

// Take takes the queue's head for consumer id. When the queue is empty
// ok is false, and a watch is left on the queue, so the consumer's Next
// wakes when an item comes.
func (q *Queue) Take(id string) (t Taken, ok bool, err error) {
	if err := q.setup(); err != nil {
		return Taken{}, false, err
	}
	for {
		items, err := q.items()
		if err != nil || len(items) == 0 {
			return Taken{}, false, err
		}
		for _, name := range items {
			t, ok, err := q.take(id, name)
			if err != nil || ok {
				return t, ok, err
			}
		}
		// Others took every item we saw: look again.
	}
}

// take tries to take item name for id; ok is false if another consumer
// took it.
func (q *Queue) take(id, name string) (t Taken, ok bool, err error) {
	t.Name = name
	for {
		t.Data, _, err = q.c.Get(q.dir+"/items/"+name, false)
		if errors.Is(err, tree.ErrNoNode) {
			return Taken{}, false, nil
		}
		if err == nil {
			break
		}
		if !transient(err) {
			return Taken{}, false, fmt.Errorf("reading %s/items/%s: %w", q.dir, name, err)
		}
	}
	for {
		_, err := q.c.Multi(
			Op{Kind: OpDelete, Path: q.dir + "/items/" + name, Version: -1},
			Op{Kind: OpCreate, Path: q.dir + "/taken/" + name, Data: []byte(id), Flags: tree.FlagPersistent})
		switch {
		case err == nil, errors.Is(err, tree.ErrNoNode), errors.Is(err, tree.ErrNodeExists):
			// Taken, by us now or by an attempt whose reply was lost, or
			// by another: the marker says.
			owner, zxid, err := q.marker(name)
			if err != nil || owner != id {
				return Taken{}, false, err
			}
			t.Zxid = zxid
			return t, true, nil
		case !transient(err):
			return Taken{}, false, fmt.Errorf("taking %s/items/%s: %w", q.dir, name, err)
		}
	}
}

// marker reads who took item name, and the take's zxid; "" if nobody.
func (q *Queue) marker(name string) (owner string, zxid int64, err error) {
	for {
		data, st, err := q.c.Get(q.dir+"/taken/"+name, false)
		switch {
		case err == nil:
			return string(data), st.Czxid, nil
		case errors.Is(err, tree.ErrNoNode):
			return "", 0, nil
		case !transient(err):
			return "", 0, fmt.Errorf("reading %s/taken/%s: %w", q.dir, name, err)
		}
	}
}

// Producer puts Items items in the queue at Dir, one every Every, keyed
// by its name and a counter, recording each (Produced, Key the item's
// key) once the queue has it.
type Producer struct {
	Name  string
	Dir   string
	Log   *Log
	Items int
	Bound int
	Every time.Duration
}

// Run runs the producer on c.
func (p Producer) Run(c Conn) error {
	q := NewQueue(c, p.Dir, p.Bound)
	for i := range p.Items {
		if i > 0 {
			c.Sleep(p.Every)
		}
		key := fmt.Sprintf("%s-%d", p.Name, i)
		if err := q.Put(key, []byte(key)); err != nil {
			return err
		}
		p.Log.Record(c, p.Name, Produced, key, 0)
	}
	return nil
}

// Consumer takes items from the queue at Dir, working Work on each,
// recording each (Consumed, Key the item's znode name, Value the take's
// zxid), until Until (a time of c.Now) has passed and the queue is
// empty.
type Consumer struct {
	Name  string
	Dir   string
	Log   *Log
	Until time.Duration
	Work  time.Duration
}

// Run runs the consumer on c.
func (k Consumer) Run(c Conn) error {
	q := NewQueue(c, k.Dir, 0)
	for {
		t, ok, err := q.Take(k.Name)
		switch {
		case err != nil:
			return err
		case ok:
			k.Log.Record(c, k.Name, Consumed, t.Name, t.Zxid)
			c.Sleep(k.Work)
		case c.Now() >= k.Until:
			return nil
		default:
			c.Next(k.Until - c.Now())
		}
	}
}
