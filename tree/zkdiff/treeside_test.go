package zkdiff

import (
	"fmt"
	"slices"

	"github.com/go-zookeeper/zk"

	"github.com/zabsim/zabsim/tree"
)

// treeSide runs ops against tree in-process, playing ZooKeeper's leader:
// prepare, give the transaction the next zxid, apply, and answer each
// request the way go-zookeeper would report ZooKeeper's answer.
type treeSide struct {
	t      *tree.Tree
	p      *tree.Preparer
	zxid   int64
	ids    [2]int64
	gens   [2]int
	auth   [2][]tree.ID
	owners map[int64]string
	nextID int64
	events [2][]event
}

// sessionTimeoutMs is what ZooKeeper negotiates for go-zookeeper's
// requested 20 s with tickTime 2000 (within [4000, 40000]).
const sessionTimeoutMs = 20000

// loopback is the identity ZooKeeper gives every connection from
// 127.0.0.1, which is where both sessions connect from.
var loopback = tree.ID{Scheme: "ip", ID: "127.0.0.1"}

func newTreeSide() (*treeSide, error) {
	t := tree.New(tree.Config{})
	ts := &treeSide{t: t, p: tree.NewPreparer(t), owners: map[int64]string{}, nextID: 0x5a000001}
	for s := range ts.ids {
		if err := ts.open(s); err != nil {
			return nil, err
		}
	}
	return ts, nil
}

func (ts *treeSide) caller(s int) tree.Caller {
	return tree.Caller{Session: ts.ids[s], Auth: tree.IdentityOrder(append([]tree.ID{loopback}, ts.auth[s]...))}
}

func (ts *treeSide) open(s int) error {
	ts.ids[s] = ts.nextID
	ts.nextID++
	ts.gens[s]++
	ts.auth[s] = nil
	ts.owners[ts.ids[s]] = sessionLabel(s, ts.gens[s])
	r, err := ts.write(s, tree.Request{Op: tree.OpCreateSession, Timeout: sessionTimeoutMs})
	if err != nil {
		return err
	}
	if r.Err != nil {
		return fmt.Errorf("zkdiff: tree refused createSession: %v", r)
	}
	return nil
}

// write is the leader's pipeline for one request.
func (ts *treeSide) write(s int, req tree.Request) (tree.Result, error) {
	zxid := ts.zxid + 1
	txn, err := ts.p.Prepare(zxid, ts.caller(s), treeTime(zxid), req)
	if err != nil {
		return tree.Result{}, fmt.Errorf("zkdiff: tree.Prepare(%v): %w", req, err)
	}
	ts.zxid = zxid
	r, evs := ts.t.Apply(zxid, txn)
	ts.p.Applied(zxid)
	for _, e := range evs {
		slot := -1
		for i, id := range ts.ids {
			if e.Session == id {
				slot = i
			}
		}
		if slot < 0 {
			return r, fmt.Errorf("zkdiff: tree sent %v to a session that is not open", e)
		}
		ts.events[slot] = append(ts.events[slot], event{Type: zk.EventType(e.Type), Path: e.Path})
	}
	return r, nil
}

func (ts *treeSide) stat(s tree.Stat) *nstat {
	owner := ""
	if s.EphemeralOwner != 0 {
		var ok bool
		if owner, ok = ts.owners[s.EphemeralOwner]; !ok {
			owner = fmt.Sprintf("unknown-session-%#x", s.EphemeralOwner)
		}
	}
	return &nstat{
		Czxid: s.Czxid, Mzxid: s.Mzxid, Pzxid: s.Pzxid, Ctime: s.Ctime, Mtime: s.Mtime,
		Version: s.Version, Cversion: s.Cversion, Aversion: s.Aversion, Owner: owner,
		DataLength: s.DataLength, NumChildren: s.NumChildren,
	}
}

func toTreeACL(acl []zk.ACL) []tree.ACL {
	if acl == nil {
		return nil
	}
	out := make([]tree.ACL, len(acl))
	for i, a := range acl {
		out[i] = tree.ACL{Perms: a.Perms, ID: tree.ID{Scheme: a.Scheme, ID: a.ID}}
	}
	return out
}

func toZKACL(acl []tree.ACL) []zk.ACL {
	out := make([]zk.ACL, len(acl))
	for i, a := range acl {
		out[i] = zk.ACL{Perms: a.Perms, Scheme: a.ID.Scheme, ID: a.ID.ID}
	}
	return out
}

func request(o op) tree.Request {
	req := tree.Request{Path: o.Path, Data: o.Data, ACL: toTreeACL(o.ACL), Flags: o.Flags, Version: o.Version}
	switch o.Kind {
	case kCreate:
		req.Op = tree.OpCreate
	case kCreateContainer:
		req.Op = tree.OpCreateContainer
	case kCreateTTL:
		req.Op, req.TTL = tree.OpCreateTTL, 3_600_000
	case kDelete:
		req.Op = tree.OpDelete
	case kSet:
		req.Op = tree.OpSetData
	case kSetACL:
		req.Op = tree.OpSetACL
	case kCheck:
		req.Op = tree.OpCheck
	case kMulti:
		req.Op = tree.OpMulti
		for _, sub := range o.Ops {
			req.Ops = append(req.Ops, request(sub))
		}
	}
	return req
}

func (ts *treeSide) do(o op) (result, error) {
	s := o.Session
	c := ts.caller(s)
	var (
		r   result
		err error
		st  tree.Stat
	)
	switch o.Kind {
	case kGet:
		r.Data, st, err = ts.t.GetData(c, o.Path, o.Watch)
	case kExists:
		st, err = ts.t.Exists(c, o.Path, o.Watch)
	case kChildren:
		r.Children, st, err = ts.t.GetChildren(c, o.Path, o.Watch)
	case kGetACL:
		var acl []tree.ACL
		acl, st, err = ts.t.GetACL(c, o.Path)
		r.ACL = toZKACL(acl)
	case kSync:
		// sync is a no-op at the tree: the server answers the path as sent.
		r.Path = o.Path
	case kAddAuth:
		var id tree.ID
		// The server keeps a session's identities as a set
		// (ServerCnxn.addAuthInfo), so adding one twice changes nothing.
		if id, err = tree.DigestAuth(o.Auth); err == nil && !slices.Contains(ts.auth[s], id) {
			ts.auth[s] = append(ts.auth[s], id)
			ts.t.SetAuth(ts.caller(s))
		}
	case kCloseSession:
		if _, err := ts.write(s, tree.Request{Op: tree.OpCloseSession}); err != nil {
			return r, err
		}
		return r, ts.open(s)
	case kMulti:
		tr, err := ts.write(s, request(o))
		if err != nil {
			return r, err
		}
		return ts.multiResult(tr), nil
	default:
		tr, err := ts.write(s, request(o))
		if err != nil {
			return r, err
		}
		if r.Err = tree.CodeOf(tr.Err); r.Err != codeOK {
			return result{Err: r.Err}, nil
		}
		switch o.Kind {
		case kCreate, kCreateContainer, kCreateTTL:
			// go-zookeeper's Create and CreateContainer read only the path.
			r.Path = tr.Path
		case kSet, kSetACL:
			r.Stat = ts.stat(tr.Stat)
		}
		return r, nil
	}
	if r.Err = tree.CodeOf(err); r.Err != codeOK {
		return result{Err: r.Err}, nil
	}
	if o.Kind == kGet || o.Kind == kExists || o.Kind == kChildren || o.Kind == kGetACL {
		r.Stat = ts.stat(st)
	}
	return r, nil
}

// multiResult reports a multi as go-zookeeper does: Multi's error is the
// first op's error, a created path for a create, a Stat for a setData, and
// nothing but the code for an op answered as an error (type -1).
func (ts *treeSide) multiResult(tr tree.Result) result {
	var r result
	if tr.Err != nil {
		return result{Err: tree.CodeOf(tr.Err)}
	}
	for _, m := range tr.Multi {
		sub := result{Err: tree.CodeOf(m.Err)}
		if r.Err == codeOK {
			r.Err = sub.Err
		}
		if m.Op != tree.OpError && sub.Err == codeOK {
			switch m.Op {
			case tree.OpCreate, tree.OpCreate2, tree.OpCreateContainer, tree.OpCreateTTL:
				sub.Path = m.Path
			case tree.OpSetData:
				sub.Stat = ts.stat(m.Stat)
			}
		}
		r.Multi = append(r.Multi, sub)
	}
	return r
}

func (ts *treeSide) takeEvents(s int) []event {
	evs := ts.events[s]
	ts.events[s] = nil
	return eventSet(evs)
}
