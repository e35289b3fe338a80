package tree

import (
	"fmt"
	"strings"
)

// Txn is a prepared write: what the leader decided (names, owner, time,
// versions) so that every replica's Apply is a pure function of it. Type
// is the transaction type (OpCreate, OpDelete, OpSetData, OpSetACL,
// OpCheck, OpMulti, OpCreateSession, OpCloseSession or OpError); Op is the
// client's opcode (create2, createContainer... answer differently).
type Txn struct {
	Type    OpCode
	Op      OpCode
	Session int64 // the client session that asked
	Time    int64 // ms, the leader's clock when it prepared the request

	Path           string
	Data           []byte // create, setData; nil is ZooKeeper's null
	ACL            []ACL  // create, setACL
	Owner          int64  // create: the ephemeral owner, or the container marker
	ParentCversion int32  // create: the parent's child-create count afterwards
	Version        int32  // setData: new version; setACL: new aversion; check: version
	Err            int32  // error: the ZooKeeper code
	Timeout        int32  // createSession: negotiated timeout in ms
	Paths          []string
	Ops            []Txn // multi
}

func (t Txn) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "txn %s", t.Type)
	if t.Op != t.Type {
		fmt.Fprintf(&b, "(%s)", t.Op)
	}
	fmt.Fprintf(&b, " session=%#x time=%d", t.Session, t.Time)
	t.describeBody(&b)
	return b.String()
}

func (t Txn) describeBody(b *strings.Builder) {
	switch t.Type {
	case OpCreate:
		fmt.Fprintf(b, " %s data=%s acl=%s owner=%#x parentCversion=%d",
			quoteIfNeeded(t.Path), dataString(t.Data), aclListString(t.ACL), t.Owner, t.ParentCversion)
	case OpDelete:
		fmt.Fprintf(b, " %s", quoteIfNeeded(t.Path))
	case OpSetData:
		fmt.Fprintf(b, " %s data=%s version=%d", quoteIfNeeded(t.Path), dataString(t.Data), t.Version)
	case OpSetACL:
		fmt.Fprintf(b, " %s acl=%s aversion=%d", quoteIfNeeded(t.Path), aclListString(t.ACL), t.Version)
	case OpCheck:
		fmt.Fprintf(b, " %s version=%d", quoteIfNeeded(t.Path), t.Version)
	case OpError:
		if e, ok := ErrorForCode(t.Err); ok {
			fmt.Fprintf(b, " err=%s", errName(e))
		} else {
			fmt.Fprintf(b, " err=%d", t.Err)
		}
	case OpCreateSession:
		fmt.Fprintf(b, " timeout=%d", t.Timeout)
	case OpCloseSession:
		paths := make([]string, len(t.Paths))
		for i, p := range t.Paths {
			paths[i] = quoteIfNeeded(p)
		}
		fmt.Fprintf(b, " delete=[%s]", strings.Join(paths, ","))
	case OpMulti:
		b.WriteString(" [")
		for i, o := range t.Ops {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(o.Type.String())
			if o.Op != o.Type {
				fmt.Fprintf(b, "(%s)", o.Op)
			}
			o.describeBody(b)
		}
		b.WriteString("]")
	}
}

// Apply applies the transaction with the given zxid and returns the
// client's result and the watch events it fires, in the order ZooKeeper
// sends them (a server sends the events before the reply: measured, a
// session watching a node it changes itself gets the event first). Zxids must grow. A transaction that does not fit the tree
// (which Prepare never produces) answers the error ZooKeeper's
// DataTree.processTxn would, and changes nothing.
func (t *Tree) Apply(zxid int64, txn Txn) (Result, []Event) {
	assert(zxid > t.zxid, "apply zxid %#x after %#x", zxid, t.zxid)
	t.zxid = zxid
	var events []Event
	if txn.Type != OpMulti {
		r := t.applyOne(zxid, txn, &events)
		return r, events
	}
	results := make([]Result, len(txn.Ops))
	for i, sub := range txn.Ops {
		sub.Session, sub.Time = txn.Session, txn.Time
		results[i] = t.applyOne(zxid, sub, &events)
	}
	return Result{Op: txn.Op, Multi: results}, events
}

func (t *Tree) applyOne(zxid int64, txn Txn, events *[]Event) Result {
	r := Result{Op: txn.Op}
	switch txn.Type {
	case OpCreate:
		r.Path = txn.Path
		r.Stat, r.Err = t.applyCreate(zxid, txn, events)
	case OpDelete:
		r.Err = t.applyDelete(zxid, txn.Path, events)
	case OpSetData:
		r.Stat, r.Err = t.applySetData(zxid, txn, events)
	case OpSetACL:
		r.Stat, r.Err = t.applySetACL(txn)
	case OpCheck:
		if t.nodes[txn.Path] == nil {
			r.Err = ErrNoNode
		}
	case OpError:
		e, ok := ErrorForCode(txn.Err)
		if !ok {
			e = ErrSystemError
		}
		if e != nil {
			r.Err = e
		}
	case OpCreateSession:
		t.digest -= hashSession(txn.Session, t.sessions[txn.Session], t.sessionKnown(txn.Session))
		t.sessions[txn.Session] = txn.Timeout
		t.digest += hashSession(txn.Session, txn.Timeout, true)
	case OpCloseSession:
		delete(t.ephemerals, txn.Session) // DataTree drops the set before it deletes the paths
		for _, path := range txn.Paths {
			// Like ZooKeeper's killSession, a path that is gone (or is not
			// this session's ephemeral) is skipped.
			if n := t.nodes[path]; n != nil && n.isEphemeral() && n.ephemeralOwner == txn.Session {
				err := t.applyDelete(zxid, path, events)
				assert(err == nil, "close of %#x cannot delete %s: %v", txn.Session, path, err)
			}
		}
		if t.sessionKnown(txn.Session) {
			t.digest -= hashSession(txn.Session, t.sessions[txn.Session], true)
			delete(t.sessions, txn.Session)
		}
		t.watches.removeSession(txn.Session)
	default:
		r.Err = ErrUnimplemented
	}
	return r
}

func (t *Tree) sessionKnown(id int64) bool {
	_, ok := t.sessions[id]
	return ok
}

func (t *Tree) applyCreate(zxid int64, txn Txn, events *[]Event) (Stat, error) {
	parentPath, base, ok := splitPath(txn.Path)
	if !ok || txn.Path == "/" || ValidatePath(txn.Path) != nil {
		return Stat{}, ErrBadArguments
	}
	parent := t.nodes[lookupKey(parentPath)]
	if parent == nil {
		return Stat{}, ErrNoNode
	}
	if parent.children.Contains(base) {
		return Stat{}, ErrNodeExists
	}
	if parent.isEphemeral() {
		return Stat{}, ErrNoChildrenForEphemerals
	}
	// ZooKeeper moves the parent only forward, so that a replayed create
	// cannot undo a later one.
	if txn.ParentCversion > parent.cversion {
		parent.cversion = txn.ParentCversion
		parent.pzxid = zxid
	}
	n := &node{
		path: txn.Path, data: txn.Data, acl: txn.ACL, czxid: zxid, mzxid: zxid, pzxid: zxid,
		ctime: txn.Time, mtime: txn.Time, ephemeralOwner: txn.Owner,
	}
	t.insertNode(n)
	t.rehash(parent)
	*events, _ = t.watches.trigger(watchData, txn.Path, EventNodeCreated, n.acl, nil, *events)
	*events, _ = t.watches.trigger(watchChild, parent.path, EventNodeChildrenChanged, parent.acl, nil, *events)
	return n.stat(), nil
}

func (t *Tree) applyDelete(zxid int64, path string, events *[]Event) error {
	n := t.nodes[path]
	if n == nil || path == "/" {
		return ErrNoNode
	}
	if n.children.Len() > 0 {
		return ErrNotEmpty
	}
	parentPath, _, _ := splitPath(path)
	parent := t.nodes[lookupKey(parentPath)]
	t.removeNode(n)
	if zxid > parent.pzxid {
		parent.pzxid = zxid
	}
	t.rehash(parent)
	var told map[int64]bool
	*events, told = t.watches.trigger(watchData, path, EventNodeDeleted, n.acl, nil, *events)
	*events, _ = t.watches.trigger(watchChild, path, EventNodeDeleted, n.acl, told, *events)
	*events, _ = t.watches.trigger(watchChild, parent.path, EventNodeChildrenChanged, parent.acl, nil, *events)
	return nil
}

func (t *Tree) applySetData(zxid int64, txn Txn, events *[]Event) (Stat, error) {
	n := t.nodes[txn.Path]
	if n == nil {
		return Stat{}, ErrNoNode
	}
	n.data = txn.Data
	n.dataHash = hashBytes(n.data)
	n.version = txn.Version
	n.mzxid = zxid
	n.mtime = txn.Time
	t.rehash(n)
	*events, _ = t.watches.trigger(watchData, txn.Path, EventNodeDataChanged, n.acl, nil, *events)
	return n.stat(), nil
}

func (t *Tree) applySetACL(txn Txn) (Stat, error) {
	n := t.nodes[txn.Path]
	if n == nil {
		return Stat{}, ErrNoNode
	}
	n.acl = txn.ACL
	n.aclHash = hashACL(n.acl)
	n.aversion = txn.Version
	t.rehash(n)
	return n.stat(), nil
}
