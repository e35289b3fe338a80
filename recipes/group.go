package recipes

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zabsim/zabsim/tree"
)

// Group membership and service discovery, as ZooKeeper's recipes page
// and Curator's ServiceDiscovery do them: each member owns an ephemeral
// znode named after it under the group's node, so a member whose session
// ends leaves the group by itself; whoever wants the members lists the
// group's children with a watch and lists again when it fires.

// join makes name a member of dir in c's current session. A create whose
// reply was lost is found by the node's owner; a node left by an earlier
// session of ours is waited out, since it goes when that session's expiry
// is applied.
func join(c Conn, dir, name string) error {
	if err := EnsurePath(c, dir); err != nil {
		return err
	}
	path := dir + "/" + name
	for {
		_, err := c.Create(path, []byte(name), tree.FlagEphemeral)
		if err == nil {
			return nil
		}
		switch {
		case errors.Is(err, tree.ErrNodeExists):
			ok, st, err := c.Exists(path, false)
			if err == nil && ok && st.EphemeralOwner == c.Session() {
				return nil
			}
			if err != nil && !transient(err) {
				return fmt.Errorf("joining %s: %w", dir, err)
			}
			c.Sleep(retryBackoff)
		case !transient(err):
			return fmt.Errorf("joining %s: %w", dir, err)
		}
	}
}

// member reports whether name is a member of dir in c's current session.
func member(c Conn, dir, name string) (bool, error) {
	for {
		ok, st, err := c.Exists(dir+"/"+name, false)
		if err == nil {
			return ok && st.EphemeralOwner == c.Session(), nil
		}
		if !transient(err) {
			return false, err
		}
	}
}

// Member is a service instance in a group: it joins Rounds times, stays
// Stay each time and is away Away between, and joins again whenever it
// learns that its session expired (and its node with it). It records
// Joined and Left, with itself as Key.
type Member struct {
	Name   string
	Dir    string
	Log    *Log
	Rounds int
	Stay   time.Duration
	Away   time.Duration
}

// Run runs the member on c.
func (m Member) Run(c Conn) error {
	for round := range m.Rounds {
		if round > 0 {
			c.Sleep(m.Away)
		}
		drain(c) // what happened while away (an expiry, say) is no news
		if err := join(c, m.Dir, m.Name); err != nil {
			return err
		}
		m.Log.Record(c, m.Name, Joined, m.Name, 0)
		for until := c.Now() + m.Stay; c.Now() < until; {
			ev, ok := c.Next(until - c.Now())
			if !ok || ev.Type != EventExpired {
				continue
			}
			// The expiry may be an earlier session's, told late.
			still, err := member(c, m.Dir, m.Name)
			if err != nil {
				return err
			}
			if still {
				continue
			}
			m.Log.Record(c, m.Name, Left, m.Name, 0)
			if err := join(c, m.Dir, m.Name); err != nil {
				return err
			}
			m.Log.Record(c, m.Name, Joined, m.Name, 0)
		}
		if err := deleteNode(c, m.Dir+"/"+m.Name); err != nil {
			return err
		}
		m.Log.Record(c, m.Name, Left, m.Name, 0)
	}
	return nil
}

// drain discards the events already queued.
func drain(c Conn) {
	for {
		if _, ok := c.Next(0); !ok {
			return
		}
	}
}

// GroupWatcher follows a group's members with a children watch until
// Until (a time of c.Now), recording each new view (View, Key the
// members, comma-separated and sorted). With PickEvery set it is also a
// load-balancing client: that
// often it picks a member round-robin (Picked) among those it sees, but
// only while connected, since a disconnected client's view may be stale
// by any amount.
type GroupWatcher struct {
	Name      string
	Dir       string
	Log       *Log
	Until     time.Duration
	PickEvery time.Duration
}

// Run runs the watcher on c.
func (w GroupWatcher) Run(c Conn) error {
	if err := EnsurePath(c, w.Dir); err != nil {
		return err
	}
	var view []string
	recorded, seen := "", false
	stale, down := true, false
	picks := 0
	pickAt := c.Now() + w.PickEvery
	for c.Now() < w.Until {
		if stale {
			children, _, err := c.Children(w.Dir, true)
			if err != nil && !transient(err) {
				return fmt.Errorf("listing %s: %w", w.Dir, err)
			}
			if err == nil {
				view, stale, down = children, false, false
				if key := strings.Join(view, ","); key != recorded || !seen {
					recorded, seen = key, true
					w.Log.Record(c, w.Name, View, key, 0)
				}
			}
			continue
		}
		wait := w.Until - c.Now()
		if w.PickEvery > 0 {
			if c.Now() >= pickAt {
				if !down && len(view) > 0 {
					w.Log.Record(c, w.Name, Picked, view[picks%len(view)], 0)
					picks++
				}
				// After a stall, the next pick is one period on, not
				// a burst of the ones missed.
				pickAt = max(pickAt+w.PickEvery, c.Now()+1)
			}
			wait = min(wait, pickAt-c.Now())
		}
		ev, ok := c.Next(wait)
		switch {
		case !ok:
		case ev.Type == EventDisconnected:
			down = true
		case ev.Type == EventNodeChildrenChanged, ev.Type == EventConnected, ev.Type == EventExpired:
			// A reconnection may have lost the watch: list again.
			stale = true
		}
	}
	return nil
}
