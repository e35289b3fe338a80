package tree

import (
	"maps"
	"slices"
)

// watchTable tells ZooKeeper's two watch managers apart: data watches
// (getData, and exists whether or not the node exists) and child watches.
type watchTable int

const (
	watchData watchTable = iota
	watchChild
)

// WatchMode is addWatch's mode, plus the one-shot mode of the read ops.
type WatchMode int32

const (
	watchStandard            WatchMode = -1
	WatchPersistent          WatchMode = 0 // addWatch mode PERSISTENT
	WatchPersistentRecursive WatchMode = 1 // addWatch mode PERSISTENT_RECURSIVE
)

// WatcherType is removeWatches' type.
type WatcherType int32

const (
	WatcherChildren WatcherType = 1
	WatcherData     WatcherType = 2
	WatcherAny      WatcherType = 3
)

// watchManager is ZooKeeper's pair of WatchManagers for the sessions of
// this replica. A session has at most one mode per path and table; the
// latest registration wins, as in 3.8's WatcherModeManager.
type watchManager struct {
	tables    [2]map[string]map[int64]WatchMode
	recursive int // recursive registrations: ancestors are searched only when > 0
	// auth is each watching session's identities as of its latest
	// registration: ZooKeeper checks READ against the watcher's connection
	// when the watch fires.
	auth map[int64][]ID
}

func newWatchManager() watchManager {
	return watchManager{tables: [2]map[string]map[int64]WatchMode{{}, {}}, auth: map[int64][]ID{}}
}

func (w *watchManager) add(table watchTable, path string, c Caller, mode WatchMode) {
	session := c.Session
	w.auth[session] = slices.Clone(c.Auth)
	m := w.tables[table][path]
	if m == nil {
		m = map[int64]WatchMode{}
		w.tables[table][path] = m
	}
	if old, ok := m[session]; ok && old == WatchPersistentRecursive {
		w.recursive--
	}
	if mode == WatchPersistentRecursive {
		w.recursive++
	}
	m[session] = mode
}

func (w *watchManager) remove(table watchTable, path string, session int64) bool {
	m := w.tables[table][path]
	mode, ok := m[session]
	if !ok {
		return false
	}
	if mode == WatchPersistentRecursive {
		w.recursive--
	}
	delete(m, session)
	if len(m) == 0 {
		delete(w.tables[table], path)
	}
	return true
}

// removeSession drops every watch of a closed session.
func (w *watchManager) removeSession(session int64) {
	for table := range w.tables {
		for _, path := range slices.Sorted(maps.Keys(w.tables[table])) {
			w.remove(watchTable(table), path, session)
		}
	}
	delete(w.auth, session)
}

// trigger is WatchManager.triggerWatch: every session watching path (or,
// recursively, an ancestor) gets one event, in session order; one-shot
// watches at path are consumed. Sessions in suppress are consumed but not
// told, which is how a delete sends one NodeDeleted per session although
// it triggers both tables. So are sessions without READ in acl (the ACL
// of the node the event names, as it was when the watch fired):
// ZooKeeper 3.8 drops their notification silently. It returns the
// sessions that matched.
func (w *watchManager) trigger(table watchTable, path string, typ EventType, acl []ACL, suppress map[int64]bool, out []Event) ([]Event, map[int64]bool) {
	var matched map[int64]bool
	match := func(session int64) {
		if matched == nil {
			matched = map[int64]bool{}
		}
		matched[session] = true
	}
	at := path
	for {
		if m := w.tables[table][at]; m != nil {
			for _, session := range slices.Sorted(maps.Keys(m)) {
				mode := m[session]
				switch {
				case mode == WatchPersistentRecursive:
					if typ != EventNodeChildrenChanged {
						match(session)
					}
				case at == path:
					match(session)
					if mode == watchStandard {
						w.remove(table, at, session)
					}
				}
			}
		}
		if w.recursive == 0 || at == "/" {
			break
		}
		parent, _, _ := splitPath(at)
		at = lookupKey(parent)
	}
	if matched == nil {
		return out, nil
	}
	for _, session := range slices.Sorted(maps.Keys(matched)) {
		if !suppress[session] && checkACL(acl, PermRead, w.auth[session]) == nil {
			out = append(out, Event{Session: session, Type: typ, Path: path})
		}
	}
	return out, matched
}

// SetAuth tells the tree a session's identities changed (addauth):
// ZooKeeper decides whether a watch may notify with the identities the
// session has when the watch fires, not when it was set.
func (t *Tree) SetAuth(c Caller) {
	if _, ok := t.watches.auth[c.Session]; ok {
		t.watches.auth[c.Session] = slices.Clone(c.Auth)
	}
}

// DropWatches forgets every watch of a session whose connection to this
// server closed: ZooKeeper's watchers are connections, and a client that
// reconnects registers again with setWatches.
func (t *Tree) DropWatches(session int64) { t.watches.removeSession(session) }

// AddWatch is addWatch (3.6+): a persistent watch on path (data and child
// events at path) or a persistent recursive one (data events at path and
// below). The path need not exist.
func (t *Tree) AddWatch(c Caller, path string, mode WatchMode) error {
	switch mode {
	case WatchPersistent:
		t.watches.add(watchData, path, c, mode)
		t.watches.add(watchChild, path, c, mode)
	case WatchPersistentRecursive:
		t.watches.add(watchData, path, c, mode)
	default:
		return ErrBadArguments
	}
	return nil
}

// RemoveWatches is removeWatches: NoWatcher when the session had no watch
// of that type on path.
func (t *Tree) RemoveWatches(c Caller, path string, typ WatcherType) error {
	removed := false
	switch typ {
	case WatcherChildren:
		removed = t.watches.remove(watchChild, path, c.Session)
	case WatcherData:
		removed = t.watches.remove(watchData, path, c.Session)
	case WatcherAny:
		child := t.watches.remove(watchChild, path, c.Session)
		data := t.watches.remove(watchData, path, c.Session)
		removed = child || data
	default:
		return ErrBadArguments
	}
	if !removed {
		return ErrNoWatcher
	}
	return nil
}

// CheckWatches is checkWatches: RemoveWatches' answer without removing
// anything.
func (t *Tree) CheckWatches(c Caller, path string, typ WatcherType) error {
	has := func(table watchTable) bool {
		_, ok := t.watches.tables[table][path][c.Session]
		return ok
	}
	found := false
	switch typ {
	case WatcherChildren:
		found = has(watchChild)
	case WatcherData:
		found = has(watchData)
	case WatcherAny:
		found = has(watchChild) || has(watchData)
	default:
		return ErrBadArguments
	}
	if !found {
		return ErrNoWatcher
	}
	return nil
}

// SetWatches is what a reconnecting client sends (setWatches, or
// setWatches2 with the persistent lists): the paths it watched and the
// last zxid it saw.
type SetWatches struct {
	RelativeZxid        int64
	Data                []string
	Exist               []string
	Child               []string
	Persistent          []string
	PersistentRecursive []string
}

// SetWatches re-registers a reconnecting session's watches. Every watch
// already out of date relative to RelativeZxid fires at once (returned,
// in the order ZooKeeper sends them: data, exist, child lists, each in
// list order); the others are registered.
func (t *Tree) SetWatches(c Caller, s SetWatches) []Event {
	var out []Event
	fire := func(typ EventType, path string) {
		out = append(out, Event{Session: c.Session, Type: typ, Path: path})
	}
	for _, path := range s.Data {
		switch n := t.nodes[path]; {
		case n == nil:
			fire(EventNodeDeleted, path)
		case n.mzxid > s.RelativeZxid:
			fire(EventNodeDataChanged, path)
		default:
			t.watches.add(watchData, path, c, watchStandard)
		}
	}
	for _, path := range s.Exist {
		if t.nodes[path] != nil {
			fire(EventNodeCreated, path)
		} else {
			t.watches.add(watchData, path, c, watchStandard)
		}
	}
	for _, path := range s.Child {
		switch n := t.nodes[path]; {
		case n == nil:
			fire(EventNodeDeleted, path)
		case n.pzxid > s.RelativeZxid:
			fire(EventNodeChildrenChanged, path)
		default:
			t.watches.add(watchChild, path, c, watchStandard)
		}
	}
	for _, path := range s.Persistent {
		t.watches.add(watchChild, path, c, WatchPersistent)
		t.watches.add(watchData, path, c, WatchPersistent)
	}
	for _, path := range s.PersistentRecursive {
		t.watches.add(watchData, path, c, WatchPersistentRecursive)
	}
	return out
}

// WatchCount counts registrations (a session watching a path in a table).
func (t *Tree) WatchCount() int {
	count := 0
	for _, table := range t.watches.tables {
		for _, m := range table {
			count += len(m)
		}
	}
	return count
}
