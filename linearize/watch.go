package linearize

import (
	"fmt"
	"sort"
)

// WatchType is the kind of one-time watch a read leaves.
type WatchType uint8

const (
	WatchData  WatchType = iota + 1 // getData
	WatchExist                      // exists
	WatchChild                      // getChildren
)

// EventType is a watch notification's type, numbered as on the wire.
type EventType int32

const (
	EventCreated         EventType = 1
	EventDeleted         EventType = 2
	EventDataChanged     EventType = 3
	EventChildrenChanged EventType = 4
)

// triggers lists the watch types an event consumes (ZooKeeper's
// DataTree.triggerWatch; a NodeDeleted consumes every watch on the node).
func (e EventType) triggers() []WatchType {
	switch e {
	case EventCreated:
		return []WatchType{WatchExist}
	case EventDeleted:
		return []WatchType{WatchData, WatchExist, WatchChild}
	case EventDataChanged:
		return []WatchType{WatchData, WatchExist}
	case EventChildrenChanged:
		return []WatchType{WatchChild}
	}
	return nil
}

// StreamItemKind tags what a session received or did.
type StreamItemKind uint8

const (
	// ItemRegistered: a read's reply left a watch (Zxid is that reply's
	// zxid). Recorded just before the reply's ItemReplied.
	ItemRegistered StreamItemKind = iota + 1
	// ItemNotified: a watch notification arrived (Zxid is the zxid of the
	// transaction that fired it, which the simulator knows though the wire
	// frame carries -1).
	ItemNotified
	// ItemReplied: any reply arrived (Zxid from its header).
	ItemReplied
)

// StreamItem is one entry of a session's stream, in arrival order.
type StreamItem struct {
	Kind  StreamItemKind
	Path  string
	Watch WatchType
	Event EventType
	Zxid  Zxid
	Time  int64
}

func (it StreamItem) String() string {
	switch it.Kind {
	case ItemRegistered:
		return fmt.Sprintf("at %d registered watch %d on %s at zxid %s", it.Time, it.Watch, it.Path, it.Zxid)
	case ItemNotified:
		return fmt.Sprintf("at %d notified event %d on %s for zxid %s", it.Time, it.Event, it.Path, it.Zxid)
	}
	return fmt.Sprintf("at %d reply at zxid %s", it.Time, it.Zxid)
}

// SessionStream is everything one session received, in arrival order.
type SessionStream struct {
	Session int64
	Items   []StreamItem
}

type watchKey struct {
	path string
	typ  WatchType
}

// pendingWatch is a registered, not yet fired watch and the zxid of the
// transaction that must fire it (0 if none in the committed history).
type pendingWatch struct {
	reg    StreamItem
	firing Zxid
}

// CheckWatches asserts ZooKeeper's watch guarantees per session: a watch
// fires at most once per registration; notifications and replies arrive in
// zxid order, a notification strictly before any reply at its zxid or later
// (so the client sees the event before the new data); and, given the
// committed history, a watch whose triggering transaction is visible in a
// reply has fired by then.
func CheckWatches(streams []SessionStream, truth *GroundTruth) []Violation {
	var out []Violation
	for _, s := range streams {
		out = append(out, checkStream(s, truth)...)
	}
	return out
}

func checkStream(s SessionStream, truth *GroundTruth) []Violation {
	pending := map[watchKey]pendingWatch{}
	var maxReply, maxNotif Zxid
	var lastReply, lastNotif StreamItem
	var out []Violation
	for _, it := range s.Items {
		switch it.Kind {
		case ItemRegistered:
			k := watchKey{it.Path, it.Watch}
			if _, ok := pending[k]; !ok {
				pending[k] = pendingWatch{reg: it, firing: firingZxid(truth, it)}
			}
		case ItemNotified:
			fired := false
			for _, t := range it.Event.triggers() {
				k := watchKey{it.Path, t}
				if _, ok := pending[k]; ok {
					fired = true
					delete(pending, k)
				}
			}
			if !fired {
				out = append(out, violation(WatchOnce, []string{it.String()},
					"session 0x%x notified on %s without a pending watch (fired twice or never set)", uint64(s.Session), it.Path))
			}
			if it.Zxid <= maxReply && lastReply.Kind != 0 {
				out = append(out, violation(WatchOrder, []string{lastReply.String(), it.String()},
					"session 0x%x got a reply at zxid %s before the notification for %s", uint64(s.Session), maxReply, it.Zxid))
			}
			if it.Zxid < maxNotif {
				out = append(out, violation(WatchOrder, []string{lastNotif.String(), it.String()},
					"session 0x%x got notifications out of update order", uint64(s.Session)))
			}
			maxNotif, lastNotif = max(maxNotif, it.Zxid), it
		case ItemReplied:
			out = append(out, missedWatches(s.Session, pending, it)...)
			maxReply, lastReply = max(maxReply, it.Zxid), it
		}
	}
	return out
}

func firingZxid(truth *GroundTruth, reg StreamItem) Zxid {
	if truth == nil {
		return 0
	}
	if reg.Watch == WatchChild {
		// A child watch fires on a child's creation or deletion, or on the
		// node's own deletion, never on its data changing.
		a, b := truth.firstChildChangeAfter(reg.Path, reg.Zxid), truth.firstRemovalAfter(reg.Path, reg.Zxid)
		switch {
		case a == 0:
			return b
		case b == 0:
			return a
		}
		return min(a, b)
	}
	return truth.firstChangeAfter(reg.Path, reg.Zxid)
}

// missedWatches reports pending watches whose firing transaction the reply
// already reflects.
func missedWatches(session int64, pending map[watchKey]pendingWatch, reply StreamItem) []Violation {
	var late []watchKey
	for k, p := range pending {
		if p.firing != 0 && p.firing <= reply.Zxid {
			late = append(late, k)
		}
	}
	sort.Slice(late, func(i, j int) bool {
		if late[i].path != late[j].path {
			return late[i].path < late[j].path
		}
		return late[i].typ < late[j].typ
	})
	var out []Violation
	for _, k := range late {
		p := pending[k]
		// Keep the watch pending so its late notification is not also
		// reported as a second firing.
		pending[k] = pendingWatch{reg: p.reg}
		out = append(out, violation(WatchMissed, []string{p.reg.String(), reply.String()},
			"session 0x%x saw zxid %s before the watch on %s fired for %s", uint64(session), reply.Zxid, k.path, p.firing))
	}
	return out
}
