package tree

import (
	"errors"
	"slices"

	"github.com/zabsim/zabsim/internal/codec"
)

// ErrMalformed is returned for bytes that are not a transaction or a
// snapshot this package wrote; the wrapped message says where.
var ErrMalformed = errors.New("tree: malformed encoding")

// Encoding limits: nothing decoded may claim more than this, so a corrupt
// length cannot make the decoder allocate without bound.
const (
	multiOpsMax     = 1 << 16
	closePathsMax   = 1 << 20
	snapshotNodeMax = 1 << 26
)

const (
	txnEncodingVersion = 1
	snapshotMagic      = "ZABSIMT1"
)

type encoder struct{ codec.Encoder }

func (e *encoder) acl(acl []ACL) {
	e.I32(int32(len(acl)))
	for _, a := range acl {
		e.I32(a.Perms)
		e.Str(a.ID.Scheme)
		e.Str(a.ID.ID)
	}
}

type decoder struct{ codec.Decoder }

func (d *decoder) acl() []ACL {
	n := d.Count(aclEntriesMax, 12)
	if n == 0 {
		return nil
	}
	out := make([]ACL, n)
	for i := range out {
		out[i] = ACL{Perms: d.I32(), ID: ID{Scheme: d.Str(), ID: d.Str()}}
	}
	return out
}

// Marshal encodes txn canonically: Unmarshal(Marshal(t)) equals t and
// equal transactions encode to equal bytes, so encodings can go into
// logs, messages and digests.
func (t Txn) Marshal() []byte {
	e := encoder{codec.Encoder{B: make([]byte, 0, 64+len(t.Data)+len(t.Path))}}
	e.U8(txnEncodingVersion)
	t.encode(&e)
	return e.B
}

func (t Txn) encode(e *encoder) {
	e.I32(int32(t.Type))
	e.I32(int32(t.Op))
	e.I64(t.Session)
	e.I64(t.Time)
	e.Str(t.Path)
	e.Bytes(t.Data)
	e.acl(t.ACL)
	e.I64(t.Owner)
	e.I32(t.ParentCversion)
	e.I32(t.Version)
	e.I32(t.Err)
	e.I32(t.Timeout)
	e.I32(int32(len(t.Paths)))
	for _, p := range t.Paths {
		e.Str(p)
	}
	e.I32(int32(len(t.Ops)))
	for _, o := range t.Ops {
		o.encode(e)
	}
}

// UnmarshalTxn decodes what Marshal wrote, or returns ErrMalformed.
func UnmarshalTxn(b []byte) (Txn, error) {
	d := decoder{codec.NewDecoder(b, ErrMalformed)}
	if v := d.U8(); d.Err() == nil && v != txnEncodingVersion {
		d.Fail("encoding version %d", v)
	}
	t := d.txn(0)
	if err := d.End(); err != nil {
		return Txn{}, err
	}
	return t, nil
}

var txnTypes = map[OpCode]bool{
	OpCreate: true, OpDelete: true, OpSetData: true, OpSetACL: true, OpCheck: true,
	OpMulti: true, OpCreateSession: true, OpCloseSession: true, OpError: true,
}

func (d *decoder) txn(depth int) Txn {
	t := Txn{Type: OpCode(d.I32()), Op: OpCode(d.I32()), Session: d.I64(), Time: d.I64()}
	t.Path = d.Str()
	t.Data = d.Bytes()
	t.ACL = d.acl()
	t.Owner = d.I64()
	t.ParentCversion = d.I32()
	t.Version = d.I32()
	t.Err = d.I32()
	t.Timeout = d.I32()
	if n := d.Count(closePathsMax, 4); n > 0 {
		t.Paths = make([]string, n)
		for i := range t.Paths {
			t.Paths[i] = d.Str()
		}
	}
	n := d.Count(multiOpsMax, 60)
	if n > 0 && depth > 0 {
		d.Fail("multi inside multi")
		return t
	}
	if n > 0 {
		t.Ops = make([]Txn, n)
		for i := range t.Ops {
			t.Ops[i] = d.txn(depth + 1)
		}
	}
	if d.Err() != nil {
		return t
	}
	if !txnTypes[t.Type] {
		d.Fail("transaction type %d", t.Type)
	}
	if _, known := ErrorForCode(t.Err); !known {
		d.Fail("error code %d", t.Err)
	}
	if t.Type == OpMulti && depth > 0 {
		d.Fail("multi inside multi")
	}
	return t
}

// EncodeSnapshot writes the replicated state (nodes with their children
// order, sessions, last zxid) in one canonical form: the same state always
// gives the same bytes, and DecodeSnapshot restores it exactly. Watches
// are not part of it.
func (t *Tree) EncodeSnapshot() []byte {
	size := len(snapshotMagic) + 16 + 12*len(t.sessions)
	for _, n := range t.nodes {
		// The node's record, plus its name (and length) in its parent's list.
		size += 76 + 2*len(n.path) + len(n.data) + 12*len(n.acl)
		for _, a := range n.acl {
			size += len(a.ID.Scheme) + len(a.ID.ID)
		}
	}
	e := encoder{codec.Encoder{B: make([]byte, 0, size)}}
	e.B = append(e.B, snapshotMagic...)
	e.I64(t.zxid)
	e.I32(int32(t.config.DataLengthMax))
	ids := make([]int64, 0, len(t.sessions))
	for id := range t.sessions {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	e.I32(int32(len(ids)))
	for _, id := range ids {
		e.I64(id)
		e.I32(t.sessions[id])
	}
	e.I32(int32(len(t.nodes)))
	// Depth-first from the root, iteratively, children in their order.
	stack := []string{"/"}
	written := 0
	for len(stack) > 0 {
		path := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := t.nodes[path]
		e.Str(path)
		e.Bytes(n.data)
		e.acl(n.acl)
		for _, v := range []int64{n.czxid, n.mzxid, n.pzxid, n.ctime, n.mtime, n.ephemeralOwner} {
			e.I64(v)
		}
		e.I32(n.version)
		e.I32(n.cversion)
		e.I32(n.aversion)
		names := n.children.Names()
		e.I32(int32(n.children.capacity()))
		e.I32(int32(len(names)))
		for _, name := range names {
			e.Str(name)
		}
		for i := len(names) - 1; i >= 0; i-- {
			stack = append(stack, joinPath(path, names[i]))
		}
		written++
	}
	assert(written == len(t.nodes), "snapshot wrote %d of %d nodes", written, len(t.nodes))
	return e.B
}

// DecodeSnapshot rebuilds a tree from EncodeSnapshot's bytes, checking
// every structural invariant (each node under an existing, listing parent,
// no child under an ephemeral, counts and limits), and returns
// ErrMalformed otherwise.
func DecodeSnapshot(b []byte) (*Tree, error) {
	d := decoder{codec.NewDecoder(b, ErrMalformed)}
	if string(d.Take(len(snapshotMagic))) != snapshotMagic {
		d.Fail("no snapshot magic")
		return nil, d.Err()
	}
	zxid := d.I64()
	dataMax := d.I32()
	if d.Err() == nil && dataMax <= 0 {
		d.Fail("data limit %d", dataMax)
	}
	t := &Tree{
		nodes: map[string]*node{}, ephemerals: map[int64]*javaSet{},
		sessions: map[int64]int32{}, watches: newWatchManager(), zxid: zxid,
		config: Config{DataLengthMax: int(dataMax)},
	}
	sessionCount := d.Count(closePathsMax, 12)
	previous := int64(0)
	for i := range sessionCount {
		id, timeout := d.I64(), d.I32()
		if i > 0 && id <= previous {
			d.Fail("sessions out of order")
		}
		previous = id
		t.sessions[id] = timeout
		t.digest += hashSession(id, timeout, true)
	}
	nodeCount := d.Count(snapshotNodeMax, 80)
	for i := 0; i < nodeCount && d.Err() == nil; i++ {
		d.snapshotNode(t, i)
	}
	listed := 0
	for _, n := range t.nodes {
		listed += n.children.Len()
	}
	if d.End() == nil && (len(t.nodes) != nodeCount || listed != nodeCount-1) {
		d.Fail("%d nodes decoded, %d declared", len(t.nodes), nodeCount)
	}
	if d.Err() != nil {
		return nil, d.Err()
	}
	return t, nil
}

// snapshotNode decodes one node, which must come right where a
// depth-first walk expects it: the root first, then each node after its
// parent, which lists it.
func (d *decoder) snapshotNode(t *Tree, index int) {
	n := &node{path: d.Str()}
	n.data = d.Bytes()
	n.acl = d.acl()
	n.czxid, n.mzxid, n.pzxid, n.ctime, n.mtime, n.ephemeralOwner = d.I64(), d.I64(), d.I64(), d.I64(), d.I64(), d.I64()
	n.version, n.cversion, n.aversion = d.I32(), d.I32(), d.I32()
	capacity := d.I32()
	names := make([]string, d.Count(snapshotNodeMax, 4))
	for i := range names {
		names[i] = d.Str()
	}
	if d.Err() != nil {
		return
	}
	if (index == 0) != (n.path == "/") || (n.path != "/" && ValidatePath(n.path) != nil) {
		d.Fail("node %q at position %d", n.path, index)
		return
	}
	if _, dup := t.nodes[n.path]; dup {
		d.Fail("node %q twice", n.path)
		return
	}
	if len(n.data) > t.config.DataLengthMax {
		d.Fail("node %q data of %d bytes", n.path, len(n.data))
		return
	}
	if n.path != "/" {
		parentPath, base, _ := splitPath(n.path)
		parent := t.nodes[lookupKey(parentPath)]
		if parent == nil || !parent.children.Contains(base) || parent.isEphemeral() {
			d.Fail("node %q not listed by an existing, non-ephemeral parent", n.path)
			return
		}
	}
	children, ok := restoreJavaSet(int(capacity), names)
	if !ok || (n.isEphemeral() && len(names) > 0) {
		d.Fail("node %q children %q in a table of %d", n.path, names, capacity)
		return
	}
	for _, name := range names {
		if name == "" || joinPath(n.path, name) == n.path || ValidatePath(joinPath(n.path, name)) != nil {
			d.Fail("node %q child %q", n.path, name)
			return
		}
	}
	n.children = children
	n.dataHash = hashBytes(n.data)
	n.aclHash = hashACL(n.acl)
	n.hash = hashNode(n)
	t.nodes[n.path] = n
	t.digest += n.hash
	// As DataTree.deserialize does, in the order ZooKeeper writes a
	// snapshot (depth first, children in their order), into fresh sets:
	// a follower synced by SNAP orders getEphemerals as ZooKeeper's does.
	t.addEphemeral(n)
}
