package recipes

import (
	"errors"
	"sync"
	"time"
)

// Lock is ZooKeeper's lock recipe, as its recipes page and Apache
// Curator's InterProcessMutex write it: an ephemeral sequential node under
// the lock's directory, held by the lowest, each waiter watching only its
// predecessor.
type Lock struct {
	l line
}

// NewLock is a lock on dir for a client named id (unique among the
// lock's users).
func NewLock(c Conn, dir, id string) *Lock {
	return &Lock{l: line{c: c, dir: dir, id: id}}
}

// Acquire blocks until the lock is held and returns a fencing token: the
// czxid of the lock node, which grows with every acquisition.
func (k *Lock) Acquire() (int64, error) { return k.l.waitFirst() }

// Holding reports whether the holder may still trust that it holds the
// lock: not once its connection was lost, since the session may expire
// (and another client take the lock) without its hearing of it. Even a
// true answer is only a belief: a holder that pauses after asking can
// act after the lock passed on, which only fencing makes safe.
func (k *Lock) Holding() bool { return k.l.holding() }

// Release gives the lock up, deleting the lock node.
func (k *Lock) Release() error { return k.l.leave() }

// ErrStaleToken is a write refused by a fenced resource: its token is
// older than one the resource has already accepted.
var ErrStaleToken = errors.New("recipes: fencing token older than the resource's")

// Resource is what a lock protects, simulated: a store that accepts
// writes stamped with a fencing token. Fenced, it refuses any token older
// than the newest it has seen, as a storage service that checks fencing
// tokens would; unfenced, it takes every write.
type Resource struct {
	mu      sync.Mutex
	fenced  bool
	highest int64
	log     *Log
}

// NewResource is a resource recording into log.
func NewResource(log *Log, fenced bool) *Resource { return &Resource{log: log, fenced: fenced} }

// Write is client's write carrying token, at c's time.
func (r *Resource) Write(c Conn, client string, token int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fenced && token < r.highest {
		r.log.Record(c, client, WriteRejected, "", token)
		return ErrStaleToken
	}
	r.highest = max(r.highest, token)
	r.log.Record(c, client, WriteAccepted, "", token)
	return nil
}

// LockWorker takes a lock Rounds times, each time working for Hold and
// then writing to the resource with its token, as a batch job guarding a
// shared store would. What it believes and does goes to Log.
type LockWorker struct {
	Name     string
	Dir      string
	Log      *Log
	Resource *Resource
	Rounds   int
	Hold     time.Duration
	Think    time.Duration
	// Work, when set, is the critical section instead of sleeping Hold:
	// the simulator uses it to pause the whole client.
	Work func(round int)
}

// Run runs the worker on c.
func (w LockWorker) Run(c Conn) error {
	lock := NewLock(c, w.Dir, w.Name)
	for round := range w.Rounds {
		token, err := lock.Acquire()
		if err != nil {
			return err
		}
		w.Log.Record(c, w.Name, LockAcquired, "", token)
		if w.Work != nil {
			w.Work(round)
		} else {
			c.Sleep(w.Hold)
		}
		if !lock.Holding() {
			w.Log.Record(c, w.Name, LockLost, "", token)
		} else {
			// A refused write is the fence doing its job, not an error.
			_ = w.Resource.Write(c, w.Name, token)
			w.Log.Record(c, w.Name, LockReleased, "", token)
		}
		if err := lock.Release(); err != nil {
			return err
		}
		c.Sleep(w.Think)
	}
	return nil
}
