// Package gozk implements recipes.Conn over github.com/go-zookeeper/zk, so
// the recipes that run in the simulator run unchanged against a live
// zabsim ensemble or Apache ZooKeeper.
//
// It keeps the simulated client's semantics (sim/zk's Conn):
//
//   - errors are tree's sentinels (tree.ErrNoNode, tree.ErrConnectionLoss,
//     ...), tested with errors.Is;
//   - a call made while disconnected waits for a connection: go-zookeeper
//     queues it, and when it gives up on every server the adapter queues
//     it again (it was never sent, so nothing happened); a call
//     outstanding when the connection is lost returns
//     tree.ErrConnectionLoss;
//   - watch notifications and session changes come through Next in the
//     order the connection saw them: Disconnected when a connection with
//     a session is lost, Connected when a session is had again (not for
//     the first), Expired when the server says the session is gone, after
//     which go-zookeeper starts a new one;
//   - Children lists names sorted; Now is the wall time since a start
//     that several connections may share, so one log's times compare.
package gozk

import (
	"errors"
	"fmt"
	"sort"
	"sync/atomic"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zabsim/zabsim/recipes"
	"github.com/zabsim/zabsim/tree"
)

// ErrConfig: Dial was given a configuration it cannot use.
var ErrConfig = errors.New("gozk: bad configuration")

// Config says where and how to connect.
type Config struct {
	// Servers are the ensemble's client addresses, host:port.
	Servers []string
	// SessionTimeout is the timeout asked for; the server may change it.
	SessionTimeout time.Duration
	// Start is time zero of Now; the zero Time means Dial's time. Clients
	// recording into one recipes.Log share one Start.
	Start time.Time
	// Logger takes go-zookeeper's messages; nil leaves its default, the
	// standard logger.
	Logger zk.Logger
}

// Conn is a go-zookeeper connection seen as a recipes.Conn. Its calls are
// for one goroutine at a time, as a recipe's are.
type Conn struct {
	zk     *zk.Conn
	start  time.Time
	events *events
	closed atomic.Bool
}

var _ recipes.Conn = (*Conn)(nil)

// Dial starts connecting and returns at once; the first call waits for
// the session.
func Dial(cfg Config) (*Conn, error) {
	if len(cfg.Servers) == 0 {
		return nil, fmt.Errorf("%w: no servers", ErrConfig)
	}
	if cfg.SessionTimeout <= 0 {
		return nil, fmt.Errorf("%w: session timeout %v", ErrConfig, cfg.SessionTimeout)
	}
	c := &Conn{start: cfg.Start, events: newEvents()}
	if c.start.IsZero() {
		c.start = time.Now()
	}
	logger := cfg.Logger
	if logger == nil {
		logger = zk.DefaultLogger
	}
	conn, _, err := zk.Connect(cfg.Servers, cfg.SessionTimeout, zk.WithEventCallback(c.events.observe), zk.WithLogger(logger))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	c.zk = conn
	return c, nil
}

// do runs op, again whenever go-zookeeper refused it unsent because no
// server answered, and maps its error.
func (c *Conn) do(op func() error) error {
	for {
		err := op()
		if !errors.Is(err, zk.ErrNoServer) || c.closed.Load() {
			return mapError(err, c.closed.Load())
		}
	}
}

func stat(s *zk.Stat) tree.Stat {
	if s == nil {
		return tree.Stat{}
	}
	return tree.Stat(*s)
}

var openACL = zk.WorldACL(zk.PermAll)

// Create creates a znode and returns its path (with a sequential's
// suffix).
func (c *Conn) Create(path string, data []byte, flags int32) (string, error) {
	var created string
	err := c.do(func() (err error) {
		if flags == tree.FlagContainer {
			created, err = c.zk.CreateContainer(path, data, flags, openACL)
		} else {
			created, err = c.zk.Create(path, data, flags, openACL)
		}
		return err
	})
	return created, err
}

// Delete deletes a znode if its version matches (-1: any).
func (c *Conn) Delete(path string, version int32) error {
	return c.do(func() error { return c.zk.Delete(path, version) })
}

// read runs a read that leaves a watch if asked: plain without, watched
// with one.
func read[T any](c *Conn, watch bool, plain func() (T, *zk.Stat, error), watched func() (T, *zk.Stat, <-chan zk.Event, error)) (T, tree.Stat, error) {
	var v T
	var st *zk.Stat
	err := c.do(func() (err error) {
		if watch {
			v, st, _, err = watched()
		} else {
			v, st, err = plain()
		}
		return err
	})
	if err != nil {
		var zero T
		return zero, tree.Stat{}, err
	}
	return v, stat(st), nil
}

// Exists reports whether path exists, leaving a watch if asked (on a
// missing node too, for its creation).
func (c *Conn) Exists(path string, watch bool) (bool, tree.Stat, error) {
	ok, st, err := read(c, watch,
		func() (bool, *zk.Stat, error) { return c.zk.Exists(path) },
		func() (bool, *zk.Stat, <-chan zk.Event, error) { return c.zk.ExistsW(path) })
	if !ok {
		return false, tree.Stat{}, err
	}
	return true, st, nil
}

// Get reads a znode's data.
func (c *Conn) Get(path string, watch bool) ([]byte, tree.Stat, error) {
	return read(c, watch,
		func() ([]byte, *zk.Stat, error) { return c.zk.Get(path) },
		func() ([]byte, *zk.Stat, <-chan zk.Event, error) { return c.zk.GetW(path) })
}

// Children lists a znode's children, sorted.
func (c *Conn) Children(path string, watch bool) ([]string, tree.Stat, error) {
	children, st, err := read(c, watch,
		func() ([]string, *zk.Stat, error) { return c.zk.Children(path) },
		func() ([]string, *zk.Stat, <-chan zk.Event, error) { return c.zk.ChildrenW(path) })
	if err != nil {
		return nil, tree.Stat{}, err
	}
	children = append([]string(nil), children...)
	sort.Strings(children)
	return children, st, nil
}

// Set writes a znode's data if its version matches (-1: any).
func (c *Conn) Set(path string, data []byte, version int32) (tree.Stat, error) {
	var st *zk.Stat
	err := c.do(func() (err error) {
		st, err = c.zk.Set(path, data, version)
		return err
	})
	if err != nil {
		return tree.Stat{}, err
	}
	return stat(st), nil
}

// Multi runs ops as one transaction. A failed multi's error is the
// failing op's, and its results say which one: nil before it,
// RuntimeInconsistency after it. After a connection loss there are no
// results.
func (c *Conn) Multi(ops ...recipes.Op) ([]recipes.OpResult, error) {
	reqs := make([]any, len(ops))
	for i, o := range ops {
		switch o.Kind {
		case recipes.OpCreate:
			reqs[i] = &zk.CreateRequest{Path: o.Path, Data: o.Data, Acl: openACL, Flags: o.Flags}
		case recipes.OpDelete:
			reqs[i] = &zk.DeleteRequest{Path: o.Path, Version: o.Version}
		case recipes.OpSet:
			reqs[i] = &zk.SetDataRequest{Path: o.Path, Data: o.Data, Version: o.Version}
		case recipes.OpCheck:
			reqs[i] = &zk.CheckVersionRequest{Path: o.Path, Version: o.Version}
		default:
			return nil, fmt.Errorf("%w: multi op kind %d", tree.ErrBadArguments, o.Kind)
		}
	}
	var rs []zk.MultiResponse
	err := c.do(func() (err error) {
		rs, err = c.zk.Multi(reqs...)
		return err
	})
	var out []recipes.OpResult
	for _, r := range rs {
		out = append(out, recipes.OpResult{Path: r.String, Err: mapError(r.Error, false)})
	}
	return out, err
}

// Sync waits until the server the client is connected to has every
// transaction committed when the sync reached the leader.
func (c *Conn) Sync(path string) error {
	return c.do(func() error {
		_, err := c.zk.Sync(path)
		return err
	})
}

// Next waits up to d for the next event; d < 0 waits without bound and 0
// only takes one already queued. After Close it waits no more.
func (c *Conn) Next(d time.Duration) (recipes.Event, bool) { return c.events.next(d) }

// Sleep passes d; go-zookeeper keeps the session alive meanwhile.
func (c *Conn) Sleep(d time.Duration) { time.Sleep(d) }

// Now is the wall time since the start.
func (c *Conn) Now() time.Duration { return time.Since(c.start) }

// Session is the current session id, 0 while there is none.
func (c *Conn) Session() int64 { return c.zk.SessionID() }

// Dropped is how many events did not fit in the queue (eventsMax): a
// program that lost some cannot trust what it waited for.
func (c *Conn) Dropped() int { return c.events.lost() }

// Close ends the session (its ephemerals go) and every wait in Next;
// calls after it return ErrClosed.
func (c *Conn) Close() {
	if c.closed.Swap(true) {
		return
	}
	c.events.close()
	c.zk.Close()
}
