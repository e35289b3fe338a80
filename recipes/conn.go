package recipes

import (
	"errors"
	"time"

	"github.com/zabsim/zabsim/tree"
)

// Conn is the part of a ZooKeeper client the recipes need. The simulated
// client (sim/zk) and the adapter over github.com/go-zookeeper/zk
// (recipes/gozk) implement it, so a recipe is written once and runs in
// the simulator, against a live zabsim ensemble and against Apache
// ZooKeeper alike.
//
// Errors are tree's sentinels (tree.ErrNoNode, tree.ErrNodeExists,
// tree.ErrBadVersion, tree.ErrNotEmpty, tree.ErrSessionExpired,
// tree.ErrConnectionLoss, ...), tested with errors.Is. A call made while
// the client is disconnected waits for the connection to come back; a call
// whose connection is lost while it is outstanding returns
// tree.ErrConnectionLoss, and its effect is unknown.
//
// Watches are one-shot, as in ZooKeeper, and every watch notification
// and session state change of the connection arrives, in order, through
// Next.
type Conn interface {
	Create(path string, data []byte, flags int32) (string, error)
	Delete(path string, version int32) error
	Exists(path string, watch bool) (bool, tree.Stat, error)
	Get(path string, watch bool) ([]byte, tree.Stat, error)
	Children(path string, watch bool) ([]string, tree.Stat, error)
	Set(path string, data []byte, version int32) (tree.Stat, error)
	// Multi runs ops atomically; on failure the error is the first failed
	// op's and the results say which one.
	Multi(ops ...Op) ([]OpResult, error)
	Sync(path string) error
	// Next waits up to d for the next event: without bound when d < 0,
	// not at all when d is 0 (it takes an event already queued, if any).
	Next(d time.Duration) (Event, bool)
	// Sleep passes d of the client's time.
	Sleep(d time.Duration)
	// Now is the time since the run began: virtual in the simulator, the
	// wall clock live. Recipes stamp what they record with it.
	Now() time.Duration
	// Session is the current session id, 0 while there is none.
	Session() int64
	// Close ends the session; its ephemerals go.
	Close()
}

// Op is one operation of a multi.
type Op struct {
	Kind    OpKind
	Path    string
	Data    []byte
	Flags   int32
	Version int32
}

// OpKind says what an Op does.
type OpKind uint8

const (
	OpCreate OpKind = iota + 1
	OpDelete
	OpSet
	OpCheck
)

// OpResult is one op's outcome in a multi.
type OpResult struct {
	Path string // a create's actual path
	Err  error
}

// EventType is what an Event reports.
type EventType uint8

const (
	EventNodeCreated         = EventType(tree.EventNodeCreated)
	EventNodeDeleted         = EventType(tree.EventNodeDeleted)
	EventNodeDataChanged     = EventType(tree.EventNodeDataChanged)
	EventNodeChildrenChanged = EventType(tree.EventNodeChildrenChanged)
	// EventDisconnected: the connection was lost; the session may live.
	EventDisconnected EventType = 100 + iota
	// EventConnected: the client is connected, with its old session or,
	// after EventExpired, a new one.
	EventConnected
	// EventExpired: the session is gone and its ephemerals with it.
	EventExpired
)

func (t EventType) String() string {
	switch t {
	case EventDisconnected:
		return "Disconnected"
	case EventConnected:
		return "Connected"
	case EventExpired:
		return "Expired"
	}
	return tree.EventType(t).String()
}

// Event is a watch notification (Path set) or a session state change.
type Event struct {
	Type EventType
	Path string
}

// Session reports whether the event is about the session, not a znode.
func (e Event) Session() bool { return e.Type >= EventDisconnected }

// ErrLost is returned by a recipe whose hold (a lock, a leadership, a
// membership) ended because the session that held it is gone or could
// be gone.
var ErrLost = errors.New("recipes: session lost while holding")
