package tree

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
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

type encoder struct{ b []byte }

func (e *encoder) u8(v uint8)   { e.b = append(e.b, v) }
func (e *encoder) i32(v int32)  { e.b = binary.BigEndian.AppendUint32(e.b, uint32(v)) }
func (e *encoder) i64(v int64)  { e.b = binary.BigEndian.AppendUint64(e.b, uint64(v)) }
func (e *encoder) str(s string) { e.i32(int32(len(s))); e.b = append(e.b, s...) }

// bytes writes -1 for nil, keeping ZooKeeper's null apart from empty.
func (e *encoder) bytes(b []byte) {
	if b == nil {
		e.i32(-1)
		return
	}
	e.i32(int32(len(b)))
	e.b = append(e.b, b...)
}

func (e *encoder) acl(acl []ACL) {
	e.i32(int32(len(acl)))
	for _, a := range acl {
		e.i32(a.Perms)
		e.str(a.ID.Scheme)
		e.str(a.ID.ID)
	}
}

type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: at byte %d: %s", ErrMalformed, d.off, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b)-d.off {
		d.fail("need %d bytes, %d left", n, len(d.b)-d.off)
		return nil
	}
	out := d.b[d.off : d.off+n]
	d.off += n
	return out
}

func (d *decoder) u8() uint8 {
	if b := d.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (d *decoder) i32() int32 {
	if b := d.take(4); b != nil {
		return int32(binary.BigEndian.Uint32(b))
	}
	return 0
}

func (d *decoder) i64() int64 {
	if b := d.take(8); b != nil {
		return int64(binary.BigEndian.Uint64(b))
	}
	return 0
}

func (d *decoder) str() string {
	n := d.i32()
	return string(d.take(int(n)))
}

func (d *decoder) bytes() []byte {
	n := d.i32()
	if n == -1 || d.err != nil {
		return nil
	}
	return slices.Clone(d.take(int(n)))
}

// count reads a length and checks it against a limit and against the
// bytes left (each element takes at least elementMin bytes).
func (d *decoder) count(limit, elementMin int) int {
	n := int(d.i32())
	if d.err == nil && (n < 0 || n > limit || n*elementMin > len(d.b)-d.off) {
		d.fail("count %d out of range", n)
		return 0
	}
	return n
}

func (d *decoder) acl() []ACL {
	n := d.count(aclEntriesMax, 12)
	if n == 0 {
		return nil
	}
	out := make([]ACL, n)
	for i := range out {
		out[i] = ACL{Perms: d.i32(), ID: ID{Scheme: d.str(), ID: d.str()}}
	}
	return out
}

// Marshal encodes txn canonically: Unmarshal(Marshal(t)) equals t and
// equal transactions encode to equal bytes, so encodings can go into
// logs, messages and digests.
func (t Txn) Marshal() []byte {
	e := encoder{b: make([]byte, 0, 64+len(t.Data)+len(t.Path))}
	e.u8(txnEncodingVersion)
	t.encode(&e)
	return e.b
}

func (t Txn) encode(e *encoder) {
	e.i32(int32(t.Type))
	e.i32(int32(t.Op))
	e.i64(t.Session)
	e.i64(t.Time)
	e.str(t.Path)
	e.bytes(t.Data)
	e.acl(t.ACL)
	e.i64(t.Owner)
	e.i32(t.ParentCversion)
	e.i32(t.Version)
	e.i32(t.Err)
	e.i32(t.Timeout)
	e.i32(int32(len(t.Paths)))
	for _, p := range t.Paths {
		e.str(p)
	}
	e.i32(int32(len(t.Ops)))
	for _, o := range t.Ops {
		o.encode(e)
	}
}

// UnmarshalTxn decodes what Marshal wrote, or returns ErrMalformed.
func UnmarshalTxn(b []byte) (Txn, error) {
	d := decoder{b: b}
	if v := d.u8(); d.err == nil && v != txnEncodingVersion {
		d.fail("encoding version %d", v)
	}
	t := d.txn(0)
	if d.err == nil && d.off != len(b) {
		d.fail("%d trailing bytes", len(b)-d.off)
	}
	if d.err != nil {
		return Txn{}, d.err
	}
	return t, nil
}

var txnTypes = map[OpCode]bool{
	OpCreate: true, OpDelete: true, OpSetData: true, OpSetACL: true, OpCheck: true,
	OpMulti: true, OpCreateSession: true, OpCloseSession: true, OpError: true,
}

func (d *decoder) txn(depth int) Txn {
	t := Txn{Type: OpCode(d.i32()), Op: OpCode(d.i32()), Session: d.i64(), Time: d.i64()}
	t.Path = d.str()
	t.Data = d.bytes()
	t.ACL = d.acl()
	t.Owner = d.i64()
	t.ParentCversion = d.i32()
	t.Version = d.i32()
	t.Err = d.i32()
	t.Timeout = d.i32()
	if n := d.count(closePathsMax, 4); n > 0 {
		t.Paths = make([]string, n)
		for i := range t.Paths {
			t.Paths[i] = d.str()
		}
	}
	n := d.count(multiOpsMax, 60)
	if n > 0 && depth > 0 {
		d.fail("multi inside multi")
		return t
	}
	if n > 0 {
		t.Ops = make([]Txn, n)
		for i := range t.Ops {
			t.Ops[i] = d.txn(depth + 1)
		}
	}
	if d.err != nil {
		return t
	}
	if !txnTypes[t.Type] {
		d.fail("transaction type %d", t.Type)
	}
	if _, known := ErrorForCode(t.Err); !known {
		d.fail("error code %d", t.Err)
	}
	if t.Type == OpMulti && depth > 0 {
		d.fail("multi inside multi")
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
	e := encoder{b: make([]byte, 0, size)}
	e.b = append(e.b, snapshotMagic...)
	e.i64(t.zxid)
	e.i32(int32(t.config.DataLengthMax))
	ids := make([]int64, 0, len(t.sessions))
	for id := range t.sessions {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	e.i32(int32(len(ids)))
	for _, id := range ids {
		e.i64(id)
		e.i32(t.sessions[id])
	}
	e.i32(int32(len(t.nodes)))
	// Depth-first from the root, iteratively, children in their order.
	stack := []string{"/"}
	written := 0
	for len(stack) > 0 {
		path := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := t.nodes[path]
		e.str(path)
		e.bytes(n.data)
		e.acl(n.acl)
		for _, v := range []int64{n.czxid, n.mzxid, n.pzxid, n.ctime, n.mtime, n.ephemeralOwner} {
			e.i64(v)
		}
		e.i32(n.version)
		e.i32(n.cversion)
		e.i32(n.aversion)
		names := n.children.Names()
		e.i32(int32(n.children.capacity()))
		e.i32(int32(len(names)))
		for _, name := range names {
			e.str(name)
		}
		for i := len(names) - 1; i >= 0; i-- {
			stack = append(stack, joinPath(path, names[i]))
		}
		written++
	}
	assert(written == len(t.nodes), "snapshot wrote %d of %d nodes", written, len(t.nodes))
	return e.b
}

// DecodeSnapshot rebuilds a tree from EncodeSnapshot's bytes, checking
// every structural invariant (each node under an existing, listing parent,
// no child under an ephemeral, counts and limits), and returns
// ErrMalformed otherwise.
func DecodeSnapshot(b []byte) (*Tree, error) {
	d := decoder{b: b}
	if string(d.take(len(snapshotMagic))) != snapshotMagic {
		d.fail("no snapshot magic")
		return nil, d.err
	}
	zxid := d.i64()
	dataMax := d.i32()
	if d.err == nil && dataMax <= 0 {
		d.fail("data limit %d", dataMax)
	}
	t := &Tree{
		nodes: map[string]*node{}, ephemerals: map[int64]map[string]struct{}{},
		sessions: map[int64]int32{}, watches: newWatchManager(), zxid: zxid,
		config: Config{DataLengthMax: int(dataMax)},
	}
	sessionCount := d.count(closePathsMax, 12)
	previous := int64(0)
	for i := range sessionCount {
		id, timeout := d.i64(), d.i32()
		if i > 0 && id <= previous {
			d.fail("sessions out of order")
		}
		previous = id
		t.sessions[id] = timeout
		t.digest += hashSession(id, timeout, true)
	}
	nodeCount := d.count(snapshotNodeMax, 80)
	for i := 0; i < nodeCount && d.err == nil; i++ {
		d.snapshotNode(t, i)
	}
	if d.err == nil && d.off != len(b) {
		d.fail("%d trailing bytes", len(b)-d.off)
	}
	listed := 0
	for _, n := range t.nodes {
		listed += n.children.Len()
	}
	if d.err == nil && (len(t.nodes) != nodeCount || listed != nodeCount-1) {
		d.fail("%d nodes decoded, %d declared", len(t.nodes), nodeCount)
	}
	if d.err != nil {
		return nil, d.err
	}
	return t, nil
}

// snapshotNode decodes one node, which must come right where a
// depth-first walk expects it: the root first, then each node after its
// parent, which lists it.
func (d *decoder) snapshotNode(t *Tree, index int) {
	n := &node{path: d.str()}
	n.data = d.bytes()
	n.acl = d.acl()
	n.czxid, n.mzxid, n.pzxid, n.ctime, n.mtime, n.ephemeralOwner = d.i64(), d.i64(), d.i64(), d.i64(), d.i64(), d.i64()
	n.version, n.cversion, n.aversion = d.i32(), d.i32(), d.i32()
	capacity := d.i32()
	names := make([]string, d.count(snapshotNodeMax, 4))
	for i := range names {
		names[i] = d.str()
	}
	if d.err != nil {
		return
	}
	if (index == 0) != (n.path == "/") || (n.path != "/" && ValidatePath(n.path) != nil) {
		d.fail("node %q at position %d", n.path, index)
		return
	}
	if _, dup := t.nodes[n.path]; dup {
		d.fail("node %q twice", n.path)
		return
	}
	if len(n.data) > t.config.DataLengthMax {
		d.fail("node %q data of %d bytes", n.path, len(n.data))
		return
	}
	if n.path != "/" {
		parentPath, base, _ := splitPath(n.path)
		parent := t.nodes[lookupKey(parentPath)]
		if parent == nil || !parent.children.Contains(base) || parent.isEphemeral() {
			d.fail("node %q not listed by an existing, non-ephemeral parent", n.path)
			return
		}
	}
	children, ok := restoreChildSet(int(capacity), names)
	if !ok || (n.isEphemeral() && len(names) > 0) {
		d.fail("node %q children %q in a table of %d", n.path, names, capacity)
		return
	}
	for _, name := range names {
		if name == "" || joinPath(n.path, name) == n.path || ValidatePath(joinPath(n.path, name)) != nil {
			d.fail("node %q child %q", n.path, name)
			return
		}
	}
	n.children = children
	n.dataHash = hashBytes(n.data)
	n.aclHash = hashACL(n.acl)
	n.hash = hashNode(n)
	t.nodes[n.path] = n
	t.digest += n.hash
	if n.isEphemeral() {
		if t.ephemerals[n.ephemeralOwner] == nil {
			t.ephemerals[n.ephemeralOwner] = map[string]struct{}{}
		}
		t.ephemerals[n.ephemeralOwner][n.path] = struct{}{}
	}
}
