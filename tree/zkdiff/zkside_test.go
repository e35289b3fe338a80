package zkdiff

import (
	"fmt"
	"time"

	"github.com/go-zookeeper/zk"
)

// zkSide runs ops against a real ZooKeeper through go-zookeeper, one
// connection per session slot.
type zkSide struct {
	addr    string
	conns   [2]*zk.Conn
	gens    [2]int
	watches [2][]<-chan zk.Event
	// closed holds what a session received before its closeSession returned.
	closed [2][]event
	owners map[int64]string // session id → slot label
}

func newZKSide(addr string) (*zkSide, error) {
	z := &zkSide{addr: addr, owners: map[int64]string{}}
	for s := range z.conns {
		if err := z.open(s); err != nil {
			z.stop()
			return nil, err
		}
	}
	return z, nil
}

type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}

func (z *zkSide) open(s int) error {
	conn, events, err := zk.Connect([]string{z.addr}, 20*time.Second, zk.WithLogger(quietLogger{}), zk.WithLogInfo(false))
	if err != nil {
		return err
	}
	deadline := time.After(20 * time.Second)
	for conn.State() != zk.StateHasSession {
		select {
		case <-events:
		case <-deadline:
			conn.Close()
			return fmt.Errorf("zkdiff: no session with %s after 20s (state %v)", z.addr, conn.State())
		}
	}
	z.gens[s]++
	z.conns[s] = conn
	z.watches[s] = nil
	z.owners[conn.SessionID()] = sessionLabel(s, z.gens[s])
	return nil
}

func sessionLabel(slot, gen int) string { return fmt.Sprintf("s%d.%d", slot, gen) }

func (z *zkSide) stop() {
	for _, c := range z.conns {
		if c != nil {
			c.Close()
		}
	}
}

func (z *zkSide) stat(s *zk.Stat) *nstat {
	owner := ""
	if s.EphemeralOwner != 0 {
		var ok bool
		if owner, ok = z.owners[s.EphemeralOwner]; !ok {
			owner = fmt.Sprintf("unknown-session-%#x", s.EphemeralOwner)
		}
	}
	return &nstat{
		Czxid: s.Czxid, Mzxid: s.Mzxid, Pzxid: s.Pzxid, Ctime: s.Ctime, Mtime: s.Mtime,
		Version: s.Version, Cversion: s.Cversion, Aversion: s.Aversion, Owner: owner,
		DataLength: s.DataLength, NumChildren: s.NumChildren,
	}
}

// do sends o and returns what go-zookeeper reported. The error is for
// failures that are not a server's answer; the run cannot continue then.
func (z *zkSide) do(o op) (result, error) {
	c := z.conns[o.Session]
	var (
		r   result
		err error
		st  *zk.Stat
		ch  <-chan zk.Event
	)
	switch o.Kind {
	case kCreate:
		r.Path, err = c.Create(o.Path, o.Data, o.Flags, o.ACL)
	case kCreateContainer:
		r.Path, err = c.CreateContainer(o.Path, o.Data, o.Flags, o.ACL)
	case kCreateTTL:
		r.Path, err = c.CreateTTL(o.Path, o.Data, o.Flags, o.ACL, time.Hour)
	case kDelete:
		err = c.Delete(o.Path, o.Version)
	case kSet:
		st, err = c.Set(o.Path, o.Data, o.Version)
	case kGet:
		if o.Watch {
			r.Data, st, ch, err = c.GetW(o.Path)
		} else {
			r.Data, st, err = c.Get(o.Path)
		}
	case kExists:
		var ok bool
		if o.Watch {
			ok, st, ch, err = c.ExistsW(o.Path)
		} else {
			ok, st, err = c.Exists(o.Path)
		}
		// go-zookeeper turns the server's NoNode into (false, zero Stat).
		if err == nil && !ok {
			err, st = zk.ErrNoNode, nil
		}
	case kChildren:
		if o.Watch {
			r.Children, st, ch, err = c.ChildrenW(o.Path)
		} else {
			r.Children, st, err = c.Children(o.Path)
		}
	case kGetACL:
		r.ACL, st, err = c.GetACL(o.Path)
	case kSetACL:
		st, err = c.SetACL(o.Path, o.ACL, o.Version)
	case kSync:
		r.Path, err = c.Sync(o.Path)
	case kMulti:
		return z.multi(c, o)
	case kAddAuth:
		err = c.AddAuth("digest", []byte(o.Auth))
	case kCloseSession:
		c.Close()
		z.conns[o.Session] = nil
		z.closed[o.Session] = drain(z.watches[o.Session])
		return r, z.open(o.Session)
	default:
		return r, fmt.Errorf("zkdiff: op kind %v cannot be sent alone", o.Kind)
	}
	if ch != nil {
		z.watches[o.Session] = append(z.watches[o.Session], ch)
	}
	if r.Err, err = errCode(err); err != nil {
		return r, fmt.Errorf("zkdiff: %v: %w", o, err)
	}
	if r.Err != codeOK {
		return result{Err: r.Err}, nil
	}
	if st != nil {
		r.Stat = z.stat(st)
	}
	return r, nil
}

func (z *zkSide) multi(c *zk.Conn, o op) (result, error) {
	reqs := make([]any, len(o.Ops))
	for i, sub := range o.Ops {
		switch sub.Kind {
		case kCreate:
			reqs[i] = &zk.CreateRequest{Path: sub.Path, Data: sub.Data, Acl: sub.ACL, Flags: sub.Flags}
		case kDelete:
			reqs[i] = &zk.DeleteRequest{Path: sub.Path, Version: sub.Version}
		case kSet:
			reqs[i] = &zk.SetDataRequest{Path: sub.Path, Data: sub.Data, Version: sub.Version}
		case kCheck:
			reqs[i] = &zk.CheckVersionRequest{Path: sub.Path, Version: sub.Version}
		default:
			return result{}, fmt.Errorf("zkdiff: %v cannot go in a multi", sub.Kind)
		}
	}
	resps, err := c.Multi(reqs...)
	var r result
	if r.Err, err = errCode(err); err != nil {
		return r, fmt.Errorf("zkdiff: %v: %w", o, err)
	}
	for _, mr := range resps {
		var sub result
		if sub.Err, err = errCode(mr.Error); err != nil {
			return r, fmt.Errorf("zkdiff: %v: %w", o, err)
		}
		sub.Path = mr.String
		if mr.Stat != nil {
			sub.Stat = z.stat(mr.Stat)
		}
		r.Multi = append(r.Multi, sub)
	}
	return r, nil
}

// events returns the watch notifications slot s has received since the
// last call. A read on the same connection first acts as a barrier: the
// server queues a notification ahead of any later reply to that session,
// and go-zookeeper delivers it before it hands out that reply.
func (z *zkSide) events(s int) ([]event, error) {
	evs := z.closed[s]
	z.closed[s] = nil
	if len(z.watches[s]) == 0 {
		return eventSet(evs), nil
	}
	if _, _, err := z.conns[s].Exists("/"); err != nil {
		return nil, fmt.Errorf("zkdiff: barrier read on session %d: %w", s, err)
	}
	pending := z.watches[s][:0]
	for _, ch := range z.watches[s] {
		select {
		case ev := <-ch:
			if ev.Type == zk.EventNotWatching {
				return nil, fmt.Errorf("zkdiff: session %d lost its watches: %v", s, ev.Err)
			}
			evs = append(evs, event{Type: ev.Type, Path: ev.Path})
		default:
			pending = append(pending, ch)
		}
	}
	z.watches[s] = pending
	return eventSet(evs), nil
}

// drain collects the notifications already delivered to a closed
// connection's watch channels, skipping go-zookeeper's own "not watching"
// markers.
func drain(chs []<-chan zk.Event) []event {
	var evs []event
	for _, ch := range chs {
		select {
		case ev := <-ch:
			if ev.Type != zk.EventNotWatching {
				evs = append(evs, event{Type: ev.Type, Path: ev.Path})
			}
		default:
		}
	}
	return evs
}
