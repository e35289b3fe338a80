package replica

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/zabsim/zabsim/tree"
)

// ErrBadEncoding: bytes from a log or a peer do not decode.
var ErrBadEncoding = errors.New("replica: bad encoding")

// Limits on decoded counts, so garbage cannot ask for huge allocations.
const (
	listMax      = 1 << 20
	multiOpsMax  = 1 << 16
	entryVersion = 1
)

type encoder struct{ b []byte }

func (e *encoder) u8(v uint8)   { e.b = append(e.b, v) }
func (e *encoder) i32(v int32)  { e.b = binary.BigEndian.AppendUint32(e.b, uint32(v)) }
func (e *encoder) i64(v int64)  { e.b = binary.BigEndian.AppendUint64(e.b, uint64(v)) }
func (e *encoder) str(s string) { e.i32(int32(len(s))); e.b = append(e.b, s...) }

// data keeps ZooKeeper's null buffer (length -1) apart from empty.
func (e *encoder) data(d []byte) {
	if d == nil {
		e.i32(-1)
		return
	}
	e.i32(int32(len(d)))
	e.b = append(e.b, d...)
}

func (e *encoder) ids(ids []tree.ID) {
	e.i32(int32(len(ids)))
	for _, id := range ids {
		e.str(id.Scheme)
		e.str(id.ID)
	}
}

func (e *encoder) request(r tree.Request) {
	e.i32(int32(r.Op))
	e.str(r.Path)
	e.data(r.Data)
	e.i32(int32(len(r.ACL)))
	for _, a := range r.ACL {
		e.i32(a.Perms)
		e.str(a.ID.Scheme)
		e.str(a.ID.ID)
	}
	e.i32(r.Flags)
	e.i32(r.Version)
	e.i64(r.TTL)
	e.i32(r.Timeout)
	e.i32(int32(len(r.Ops)))
	for _, o := range r.Ops {
		e.request(o)
	}
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrBadEncoding, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b) {
		d.fail("need %d bytes, have %d", n, len(d.b))
		return nil
	}
	out := d.b[:n]
	d.b = d.b[n:]
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

func (d *decoder) count(limit int) int {
	n := d.i32()
	if n < 0 || int(n) > limit || int(n) > len(d.b) {
		d.fail("count %d out of range", n)
		return 0
	}
	return int(n)
}

func (d *decoder) str() string {
	n := d.i32()
	if n < 0 {
		d.fail("string length %d", n)
		return ""
	}
	return string(d.take(int(n)))
}

func (d *decoder) data() []byte {
	n := d.i32()
	if n == -1 {
		return nil
	}
	if n < -1 {
		d.fail("data length %d", n)
		return nil
	}
	b := d.take(int(n))
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

func (d *decoder) ids() []tree.ID {
	n := d.count(listMax)
	var out []tree.ID
	for i := 0; i < n && d.err == nil; i++ {
		out = append(out, tree.ID{Scheme: d.str(), ID: d.str()})
	}
	return out
}

func (d *decoder) request(depth int) tree.Request {
	r := tree.Request{Op: tree.OpCode(d.i32()), Path: d.str(), Data: d.data()}
	n := d.count(listMax)
	for i := 0; i < n && d.err == nil; i++ {
		r.ACL = append(r.ACL, tree.ACL{Perms: d.i32(), ID: tree.ID{Scheme: d.str(), ID: d.str()}})
	}
	r.Flags, r.Version, r.TTL, r.Timeout = d.i32(), d.i32(), d.i64(), d.i32()
	ops := d.count(multiOpsMax)
	if ops > 0 && depth > 0 {
		d.fail("nested multi")
		return r
	}
	for i := 0; i < ops && d.err == nil; i++ {
		r.Ops = append(r.Ops, d.request(depth+1))
	}
	return r
}

func (d *decoder) end() error {
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d trailing bytes", len(d.b))
	}
	return d.err
}

// Txn is a replicated transaction: ZooKeeper's TxnHeader (session, cxid;
// the zxid is the log's, the time and type are in the tree's Txn) and the
// tree transaction.
type Txn struct {
	Cxid int32
	Tree tree.Txn
}

func (t Txn) String() string { return fmt.Sprintf("cxid=%d %s", t.Cxid, t.Tree) }

// MarshalTxn is the bytes a leader proposes and every log stores.
func MarshalTxn(t Txn) []byte {
	e := encoder{b: make([]byte, 0, 64)}
	e.u8(entryVersion)
	e.i32(t.Cxid)
	e.b = append(e.b, t.Tree.Marshal()...)
	return e.b
}

// UnmarshalTxn decodes what MarshalTxn wrote.
func UnmarshalTxn(b []byte) (Txn, error) {
	d := decoder{b: b}
	if v := d.u8(); d.err == nil && v != entryVersion {
		d.fail("transaction version %d", v)
	}
	cxid := d.i32()
	if d.err != nil {
		return Txn{}, d.err
	}
	t, err := tree.UnmarshalTxn(d.b)
	if err != nil {
		return Txn{}, fmt.Errorf("%w: %v", ErrBadEncoding, err)
	}
	return Txn{Cxid: cxid, Tree: t}, nil
}

// Messages between the servers of an ensemble, carried in protocol APP
// messages (and the ping data): ZooKeeper's REQUEST, REVALIDATE and SYNC
// packets.
type appKind uint8

const (
	// appRequest: a learner forwards a client write or sync to the leader.
	appRequest appKind = iota + 1
	// appRevalidate: a learner asks whether a session a client resumes on
	// it is alive, and takes ownership of it.
	appRevalidate
	// appRevalidated: the leader's answer.
	appRevalidated
	// appSynced: the leader has committed everything proposed before the
	// learner's sync reached it.
	appSynced
)

type appMsg struct {
	kind    appKind
	session int64
	cxid    int32
	timeout int32
	valid   bool
	auth    []tree.ID
	req     tree.Request
}

func (m appMsg) marshal() []byte {
	e := encoder{}
	e.u8(uint8(m.kind))
	e.i64(m.session)
	switch m.kind {
	case appRequest:
		e.i32(m.cxid)
		e.ids(m.auth)
		e.request(m.req)
	case appRevalidate:
		e.i32(m.timeout)
	case appRevalidated:
		if m.valid {
			e.u8(1)
		} else {
			e.u8(0)
		}
	case appSynced:
		e.i32(m.cxid)
	}
	return e.b
}

func unmarshalApp(b []byte) (appMsg, error) {
	d := decoder{b: b}
	m := appMsg{kind: appKind(d.u8()), session: d.i64()}
	switch m.kind {
	case appRequest:
		m.cxid = d.i32()
		m.auth = d.ids()
		m.req = d.request(0)
	case appRevalidate:
		m.timeout = d.i32()
	case appRevalidated:
		m.valid = d.u8() == 1
	case appSynced:
		m.cxid = d.i32()
	default:
		d.fail("app message kind %d", m.kind)
	}
	return m, d.end()
}

// touch is one session a learner saw activity for since its last ping.
type touch struct {
	session int64
	timeout int32
}

func marshalTouches(ts []touch) []byte {
	e := encoder{}
	e.i32(int32(len(ts)))
	for _, t := range ts {
		e.i64(t.session)
		e.i32(t.timeout)
	}
	return e.b
}

func unmarshalTouches(b []byte) ([]touch, error) {
	d := decoder{b: b}
	n := d.count(math.MaxInt32 / 12)
	out := make([]touch, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		out = append(out, touch{session: d.i64(), timeout: d.i32()})
	}
	return out, d.end()
}
