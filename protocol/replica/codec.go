package replica

import (
	"errors"
	"fmt"
	"math"

	"github.com/zabsim/zabsim/internal/codec"
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

type encoder struct{ codec.Encoder }

func (e *encoder) ids(ids []tree.ID) {
	e.I32(int32(len(ids)))
	for _, id := range ids {
		e.Str(id.Scheme)
		e.Str(id.ID)
	}
}

func (e *encoder) request(r tree.Request) {
	e.I32(int32(r.Op))
	e.Str(r.Path)
	e.Bytes(r.Data)
	e.I32(int32(len(r.ACL)))
	for _, a := range r.ACL {
		e.I32(a.Perms)
		e.Str(a.ID.Scheme)
		e.Str(a.ID.ID)
	}
	e.I32(r.Flags)
	e.I32(r.Version)
	e.I64(r.TTL)
	e.I32(r.Timeout)
	e.I32(int32(len(r.Ops)))
	for _, o := range r.Ops {
		e.request(o)
	}
}

type decoder struct{ codec.Decoder }

func (d *decoder) ids() []tree.ID {
	n := d.Count(listMax, 1)
	var out []tree.ID
	for i := 0; i < n && d.Err() == nil; i++ {
		out = append(out, tree.ID{Scheme: d.Str(), ID: d.Str()})
	}
	return out
}

func (d *decoder) request(depth int) tree.Request {
	r := tree.Request{Op: tree.OpCode(d.I32()), Path: d.Str(), Data: d.Bytes()}
	n := d.Count(listMax, 1)
	for i := 0; i < n && d.Err() == nil; i++ {
		r.ACL = append(r.ACL, tree.ACL{Perms: d.I32(), ID: tree.ID{Scheme: d.Str(), ID: d.Str()}})
	}
	r.Flags, r.Version, r.TTL, r.Timeout = d.I32(), d.I32(), d.I64(), d.I32()
	ops := d.Count(multiOpsMax, 1)
	if ops > 0 && depth > 0 {
		d.Fail("nested multi")
		return r
	}
	for i := 0; i < ops && d.Err() == nil; i++ {
		r.Ops = append(r.Ops, d.request(depth+1))
	}
	return r
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
	e := encoder{codec.Encoder{B: make([]byte, 0, 64)}}
	e.U8(entryVersion)
	e.I32(t.Cxid)
	e.B = append(e.B, t.Tree.Marshal()...)
	return e.B
}

// UnmarshalTxn decodes what MarshalTxn wrote.
func UnmarshalTxn(b []byte) (Txn, error) {
	d := decoder{codec.NewDecoder(b, ErrBadEncoding)}
	if v := d.U8(); d.Err() == nil && v != entryVersion {
		d.Fail("transaction version %d", v)
	}
	cxid := d.I32()
	if d.Err() != nil {
		return Txn{}, d.Err()
	}
	t, err := tree.UnmarshalTxn(d.Rest())
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
	e.U8(uint8(m.kind))
	e.I64(m.session)
	switch m.kind {
	case appRequest:
		e.I32(m.cxid)
		e.ids(m.auth)
		e.request(m.req)
	case appRevalidate:
		e.I32(m.timeout)
	case appRevalidated:
		if m.valid {
			e.U8(1)
		} else {
			e.U8(0)
		}
	case appSynced:
		e.I32(m.cxid)
	}
	return e.B
}

func unmarshalApp(b []byte) (appMsg, error) {
	d := decoder{codec.NewDecoder(b, ErrBadEncoding)}
	m := appMsg{kind: appKind(d.U8()), session: d.I64()}
	switch m.kind {
	case appRequest:
		m.cxid = d.I32()
		m.auth = d.ids()
		m.req = d.request(0)
	case appRevalidate:
		m.timeout = d.I32()
	case appRevalidated:
		m.valid = d.U8() == 1
	case appSynced:
		m.cxid = d.I32()
	default:
		d.Fail("app message kind %d", m.kind)
	}
	return m, d.End()
}

// touch is one session a learner saw activity for since its last ping.
type touch struct {
	session int64
	timeout int32
}

func marshalTouches(ts []touch) []byte {
	e := encoder{}
	e.I32(int32(len(ts)))
	for _, t := range ts {
		e.I64(t.session)
		e.I32(t.timeout)
	}
	return e.B
}

func unmarshalTouches(b []byte) ([]touch, error) {
	d := decoder{codec.NewDecoder(b, ErrBadEncoding)}
	n := d.Count(math.MaxInt32/12, 12)
	out := make([]touch, 0, n)
	for i := 0; i < n && d.Err() == nil; i++ {
		out = append(out, touch{session: d.I64(), timeout: d.I32()})
	}
	return out, d.End()
}
