package recipes

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/zabsim/zabsim/tree"
)

// barrierReady is the node whose creation opens a double barrier.
const barrierReady = "ready"

// DoubleBarrier is ZooKeeper's double barrier recipe, as its recipes page
// writes it: participants enter by creating a node under the barrier's
// node and wait until size of them are there (the one that sees the
// count reached creates dir/ready, which opens the barrier for all); they
// leave by deleting their nodes, the lowest last, so none leaves before
// all have begun to leave.
//
// On the recipes page the nodes are ephemeral, so a participant that dies
// does not hold the others forever; but then a participant whose session
// expires inside the barrier vanishes from it, and the others may leave
// before it has begun to. Durable nodes (persistent) trade the first for
// the second.
type DoubleBarrier struct {
	c       Conn
	dir     string
	name    string
	size    int
	durable bool
}

// ErrBarrierName: a participant cannot be named like the barrier's own
// node.
var ErrBarrierName = errors.New("recipes: a barrier participant cannot be named " + barrierReady)

// NewDoubleBarrier is participant name's place in the barrier at dir for
// size participants.
func NewDoubleBarrier(c Conn, dir, name string, size int, durable bool) (*DoubleBarrier, error) {
	if name == barrierReady {
		return nil, ErrBarrierName
	}
	return &DoubleBarrier{c: c, dir: dir, name: name, size: size, durable: durable}, nil
}

// Enter blocks until size participants have entered.
func (b *DoubleBarrier) Enter() error {
	if err := EnsurePath(b.c, b.dir); err != nil {
		return err
	}
	ready := b.dir + "/" + barrierReady
	for {
		// The watch first, so the opening cannot slip between the look
		// and the wait.
		open, _, err := b.c.Exists(ready, true)
		if err != nil && !transient(err) {
			return fmt.Errorf("entering %s: %w", b.dir, err)
		}
		if err != nil {
			continue
		}
		if open {
			return nil
		}
		if err := b.place(); err != nil {
			return err
		}
		there, err := b.participants()
		if err != nil {
			return err
		}
		if len(there) >= b.size {
			_, err := b.c.Create(ready, nil, tree.FlagPersistent)
			if err == nil || errors.Is(err, tree.ErrNodeExists) {
				return nil
			}
			if !transient(err) {
				return fmt.Errorf("opening %s: %w", b.dir, err)
			}
			continue
		}
		// The opening fires the watch; a session event (an expiry that
		// took our node, say) wakes us too.
		b.c.Next(-1)
	}
}

// place creates our node if it is not there (at the start, and after an
// expiry took an ephemeral one).
func (b *DoubleBarrier) place() error {
	flags := tree.FlagEphemeral
	if b.durable {
		flags = tree.FlagPersistent
	}
	for {
		_, err := b.c.Create(b.dir+"/"+b.name, nil, flags)
		if err == nil || errors.Is(err, tree.ErrNodeExists) {
			return nil
		}
		if !transient(err) {
			return fmt.Errorf("entering %s: %w", b.dir, err)
		}
	}
}

// participants lists the participants' nodes, sorted.
func (b *DoubleBarrier) participants() ([]string, error) {
	for {
		children, _, err := b.c.Children(b.dir, false)
		if err == nil {
			return slices.DeleteFunc(children, func(n string) bool { return n == barrierReady }), nil
		}
		if !transient(err) {
			return nil, fmt.Errorf("listing %s: %w", b.dir, err)
		}
	}
}

// Leave blocks until every participant has begun to leave.
func (b *DoubleBarrier) Leave() error {
	own := b.dir + "/" + b.name
	for {
		there, err := b.participants()
		if err != nil {
			return err
		}
		mine := slices.Contains(there, b.name)
		var wait string
		switch {
		case len(there) == 0:
			return nil
		case len(there) == 1 && mine:
			return deleteNode(b.c, own)
		case there[0] == b.name:
			// The lowest goes last: it waits for the highest.
			wait = there[len(there)-1]
		default:
			if mine {
				if err := deleteNode(b.c, own); err != nil {
					return err
				}
			}
			wait = there[0]
		}
		ok, _, err := b.c.Exists(b.dir+"/"+wait, true)
		if err != nil && !transient(err) {
			return fmt.Errorf("leaving %s: %w", b.dir, err)
		}
		if err == nil && ok {
			b.c.Next(-1)
		}
	}
}

// BarrierParticipant goes through a double barrier of Size participants
// Rounds times (a fresh barrier node, Dir/round-N, each round), working
// Work inside and thinking Think between, recording each step with the
// round as Value: BarrierArrived before entering, BarrierEntered once
// in, BarrierLeaving before leaving, BarrierLeft once out.
type BarrierParticipant struct {
	Name    string
	Dir     string
	Log     *Log
	Size    int
	Rounds  int
	Work    time.Duration
	Think   time.Duration
	Durable bool
}

// Run runs the participant on c.
func (p BarrierParticipant) Run(c Conn) error {
	for round := int64(1); round <= int64(p.Rounds); round++ {
		b, err := NewDoubleBarrier(c, p.Dir+"/round-"+strconv.FormatInt(round, 10), p.Name, p.Size, p.Durable)
		if err != nil {
			return err
		}
		p.Log.Record(c, p.Name, BarrierArrived, "", round)
		if err := b.Enter(); err != nil {
			return err
		}
		p.Log.Record(c, p.Name, BarrierEntered, "", round)
		c.Sleep(p.Work)
		p.Log.Record(c, p.Name, BarrierLeaving, "", round)
		if err := b.Leave(); err != nil {
			return err
		}
		p.Log.Record(c, p.Name, BarrierLeft, "", round)
		c.Sleep(p.Think)
	}
	return nil
}
