package recipes

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/zabsim/zabsim/tree"
)

// seqDigits is the width of the counter ZooKeeper appends to a
// sequential node's name.
const seqDigits = 10

// Seq is the sequence number ZooKeeper appended to a sequential node's
// name, or -1 if the name does not end in one.
func Seq(name string) int64 {
	if len(name) < seqDigits {
		return -1
	}
	var n int64
	for _, d := range name[len(name)-seqDigits:] {
		if d < '0' || d > '9' {
			return -1
		}
		n = n*10 + int64(d-'0')
	}
	return n
}

// SortBySeq orders sequential node names by their counters (names of
// different clients have different prefixes, so plain sorting would not).
func SortBySeq(names []string) {
	sort.SliceStable(names, func(i, j int) bool { return Seq(names[i]) < Seq(names[j]) })
}

// retryBackoff is how long a recipe waits before retrying an operation
// that failed for a reason that may pass (the connection, say).
const retryBackoff = 100 * time.Millisecond

// transient reports whether err may pass by retrying: the connection was
// lost (the call may or may not have taken effect), the session ended
// (the client starts a new one), or the call reached a server the
// session had already moved away from (it had no effect).
func transient(err error) bool {
	return errors.Is(err, tree.ErrConnectionLoss) || errors.Is(err, tree.ErrSessionExpired) ||
		errors.Is(err, tree.ErrSessionMoved)
}

// EnsurePath creates path and its missing parents as persistent znodes.
func EnsurePath(c Conn, path string) error {
	if path == "/" {
		return nil
	}
	if !strings.HasPrefix(path, "/") || strings.HasSuffix(path, "/") {
		return fmt.Errorf("%w: %q is not an absolute znode path", tree.ErrBadArguments, path)
	}
	for i := 1; i <= len(path); i++ {
		if i < len(path) && path[i] != '/' {
			continue
		}
		for {
			_, err := c.Create(path[:i], nil, tree.FlagPersistent)
			if err == nil || errors.Is(err, tree.ErrNodeExists) {
				break
			}
			if !transient(err) {
				return fmt.Errorf("creating %s: %w", path[:i], err)
			}
			c.Sleep(retryBackoff)
		}
	}
	return nil
}

// line is the waiting line at the heart of the lock and leader election
// recipes: each contender owns an ephemeral sequential node under dir and
// the lowest owns the resource; every other contender watches only the
// node just before its own, so a departure wakes one contender, not all
// (no herd effect). Node names carry the contender's id and an attempt
// counter, as Curator's protected mode does, so a create whose reply was
// lost can be found, and nodes of abandoned attempts deleted.
type line struct {
	c       Conn
	dir     string
	id      string
	attempt int
	node    string // our node's name (not path), "" when we have none
}

func (l *line) prefix(attempt int) string { return l.id + "." + strconv.Itoa(attempt) + "-" }

func (l *line) mine(name string) bool { return strings.HasPrefix(name, l.id+".") }

// join creates our node.
func (l *line) join() error {
	if err := EnsurePath(l.c, l.dir); err != nil {
		return err
	}
	l.attempt++
	prefix := l.prefix(l.attempt)
	for {
		path, err := l.c.Create(l.dir+"/"+prefix, nil, tree.FlagEphemeralSequential)
		if err == nil {
			l.node = path[len(l.dir)+1:]
			return nil
		}
		if !transient(err) {
			return fmt.Errorf("joining %s: %w", l.dir, err)
		}
		// The create may have happened: look for it.
		children, err := l.children()
		if err != nil {
			return err
		}
		for _, ch := range children {
			if strings.HasPrefix(ch, prefix) {
				l.node = ch
				return nil
			}
		}
	}
}

// children lists dir in line order, retrying while the connection is
// down.
func (l *line) children() ([]string, error) {
	for {
		children, _, err := l.c.Children(l.dir, false)
		if err == nil {
			SortBySeq(children)
			return children, nil
		}
		if !transient(err) {
			return nil, fmt.Errorf("listing %s: %w", l.dir, err)
		}
	}
}

// waitFirst blocks until our node is the first in line and returns its
// czxid. It joins (again) whenever we have no node: at the start and
// after our session expired and took the node with it.
func (l *line) waitFirst() (int64, error) {
	for {
		if l.node == "" {
			if err := l.join(); err != nil {
				return 0, err
			}
		}
		children, err := l.children()
		if err != nil {
			return 0, err
		}
		at := -1
		for i, ch := range children {
			switch {
			case ch == l.node:
				at = i
			case l.mine(ch):
				// A node of an attempt we gave up on (its create looked
				// lost): it would block the line for good.
				if err := l.c.Delete(l.dir+"/"+ch, -1); err != nil && !errors.Is(err, tree.ErrNoNode) && !transient(err) {
					return 0, fmt.Errorf("deleting %s/%s: %w", l.dir, ch, err)
				}
			}
		}
		if at < 0 {
			l.node = "" // our session expired: the node went with it
			continue
		}
		if at == 0 {
			ok, st, err := l.c.Exists(l.dir+"/"+l.node, false)
			switch {
			case err != nil && !transient(err):
				return 0, err
			case err == nil && ok:
				return st.Czxid, nil
			case err == nil:
				l.node = ""
			}
			continue
		}
		ok, _, err := l.c.Exists(l.dir+"/"+children[at-1], true)
		if err != nil && !transient(err) {
			return 0, err
		}
		if err == nil && ok {
			// Wake on the predecessor's deletion, or on any session
			// event (watches do not survive every reconnection).
			if ev, _ := l.c.Next(-1); ev.Type == EventExpired {
				l.node = ""
			}
		}
	}
}

// holding drains queued events and reports whether our node can still be
// trusted to exist: a disconnection means the session may expire without
// our hearing of it, so a careful holder stops at once (Curator's
// SUSPENDED).
func (l *line) holding() bool {
	if l.node == "" {
		return false
	}
	for {
		ev, ok := l.c.Next(0)
		if !ok {
			return true
		}
		if ev.Session() && ev.Type != EventConnected {
			return false
		}
	}
}

// leave deletes our node, retrying while the connection is down. A node
// already gone (our session expired) is fine.
func (l *line) leave() error {
	if l.node == "" {
		return nil
	}
	path := l.dir + "/" + l.node
	l.node = ""
	return deleteNode(l.c, path)
}

// deleteNode deletes path whatever its version, retrying while the
// connection is down. A node already gone (with our session, say) is
// fine.
func deleteNode(c Conn, path string) error {
	for {
		err := c.Delete(path, -1)
		switch {
		case err == nil, errors.Is(err, tree.ErrNoNode), errors.Is(err, tree.ErrSessionExpired):
			return nil
		case !transient(err):
			return fmt.Errorf("deleting %s: %w", path, err)
		}
	}
}
