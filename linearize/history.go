package linearize

import (
	"fmt"
	"math"
	"strings"
)

// Infinity is the Return time of an operation whose outcome the client never
// learnt (timeout, connection loss): it may take effect at any time after
// its call, which is how Porcupine is told "unknown".
const Infinity int64 = math.MaxInt64

// Kind names a client request type.
type Kind uint8

// Request kinds. KindCheck appears only inside a multi.
const (
	KindCreate Kind = iota + 1
	KindDelete
	KindSetData
	KindCheck
	KindGetData
	KindExists
	KindGetChildren
	KindSync
	KindMulti
	KindCloseSession
)

var kindNames = [...]string{
	KindCreate: "create", KindDelete: "delete", KindSetData: "setData",
	KindCheck: "check", KindGetData: "getData", KindExists: "exists",
	KindGetChildren: "getChildren", KindSync: "sync", KindMulti: "multi",
	KindCloseSession: "closeSession",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// IsWrite reports whether the kind goes through Zab as a transaction.
func (k Kind) IsWrite() bool {
	switch k {
	case KindCreate, KindDelete, KindSetData, KindMulti, KindCloseSession:
		return true
	}
	return false
}

// IsRead reports whether the kind is answered locally from the tree.
func (k Kind) IsRead() bool {
	return k == KindGetData || k == KindExists || k == KindGetChildren
}

// Outcome is what the client learnt about its request.
type Outcome uint8

const (
	// OutcomeOK: the reply carried error code 0.
	OutcomeOK Outcome = iota + 1
	// OutcomeFailed: the reply carried a ZooKeeper error code (Result.Err);
	// for a multi, the first failing sub-operation's code.
	OutcomeFailed
	// OutcomeUnknown: timeout or connection loss; the request may or may
	// not have taken effect. Return is Infinity.
	OutcomeUnknown
)

func (o Outcome) String() string {
	switch o {
	case OutcomeOK:
		return "ok"
	case OutcomeFailed:
		return "failed"
	case OutcomeUnknown:
		return "unknown"
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// ErrCode is a ZooKeeper KeeperException code as carried in a reply header.
type ErrCode int32

// The codes the checkers interpret; any other code is taken to mean the
// request had no effect on the tree.
const (
	CodeOK                      ErrCode = 0
	CodeRuntimeInconsistency    ErrCode = -2
	CodeConnectionLoss          ErrCode = -4
	CodeOperationTimeout        ErrCode = -7
	CodeNoNode                  ErrCode = -101
	CodeBadVersion              ErrCode = -103
	CodeNoChildrenForEphemerals ErrCode = -108
	CodeNodeExists              ErrCode = -110
	CodeNotEmpty                ErrCode = -111
	CodeSessionExpired          ErrCode = -112
)

// Request is one client request, or one sub-operation of a multi.
type Request struct {
	Kind Kind
	Path string
	Data string
	// Version is the expected version of a delete, setData or check; -1
	// means any.
	Version    int32
	Ephemeral  bool
	Sequential bool
	// Ops are a multi's sub-operations, in order (create, delete, setData,
	// check only).
	Ops []Request
}

// Stat holds the Stat fields the checkers use.
type Stat struct {
	Version int32
	Czxid   uint64
	Mzxid   uint64
	Pzxid   uint64
}

// Result is the body of a reply, or one sub-result of a multi.
type Result struct {
	Err  ErrCode
	Data string
	Stat Stat
	// Created is the path a create returned; for a sequential create it is
	// the only place the node's name appears.
	Created  string
	Children []string
	// Exists is the answer of an exists request with Err == CodeOK.
	Exists bool
	Ops    []Result
}

// RequestID is a request's identity in the transaction log: ZooKeeper keys
// requests by (session id, cxid).
type RequestID struct {
	Session int64
	Xid     int32
}

func (id RequestID) String() string {
	return fmt.Sprintf("0x%x:%d", uint64(id.Session), id.Xid)
}

// Operation is one request and its reply as a client saw them.
type Operation struct {
	// Client is the simulated client; Stream is the Porcupine client id the
	// recorder assigned, which changes after every ambiguous operation.
	Client  int
	Stream  int
	Session int64
	Xid     int32
	Req     Request
	// Call and Return are virtual times in nanoseconds; Return is Infinity
	// when Outcome is OutcomeUnknown.
	Call    int64
	Return  int64
	Outcome Outcome
	// GaveUp is when the client stopped waiting for an ambiguous operation.
	GaveUp int64
	Res    Result
	// Zxid is the zxid in the reply header: the transaction's zxid for a
	// write, the server's last processed zxid for a read or a sync.
	Zxid Zxid
}

// ID is the request's identity in the transaction log.
func (o Operation) ID() RequestID { return RequestID{Session: o.Session, Xid: o.Xid} }

// Key is the path Porcupine partitions on: the created name for a
// sequential create, the request path otherwise.
func (o Operation) Key() string {
	if o.Req.Kind == KindCreate && o.Req.Sequential {
		return o.Res.Created
	}
	return o.Req.Path
}

func (o Operation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "client=%d session=%s [%s,%s] %s -> %s",
		o.Client, o.ID(), fmtTime(o.Call), fmtTime(o.Return), o.Req, o.Outcome)
	if o.Outcome != OutcomeUnknown {
		fmt.Fprintf(&b, " %s zxid=%s", o.Res.describe(o.Req), o.Zxid)
	}
	return b.String()
}

func fmtTime(t int64) string {
	if t == Infinity {
		return "inf"
	}
	return fmt.Sprintf("%d", t)
}

func (r Request) String() string {
	switch r.Kind {
	case KindCreate:
		flags := ""
		if r.Ephemeral {
			flags += "e"
		}
		if r.Sequential {
			flags += "s"
		}
		if flags != "" {
			flags = " -" + flags
		}
		return fmt.Sprintf("create %s %q%s", r.Path, r.Data, flags)
	case KindDelete, KindCheck:
		return fmt.Sprintf("%s %s v=%d", r.Kind, r.Path, r.Version)
	case KindSetData:
		return fmt.Sprintf("setData %s %q v=%d", r.Path, r.Data, r.Version)
	case KindMulti:
		subs := make([]string, len(r.Ops))
		for i, s := range r.Ops {
			subs[i] = s.String()
		}
		return "multi[" + strings.Join(subs, "; ") + "]"
	case KindCloseSession:
		return "closeSession"
	}
	return fmt.Sprintf("%s %s", r.Kind, r.Path)
}

func (r Result) describe(req Request) string {
	if r.Err != CodeOK {
		return fmt.Sprintf("err=%d", r.Err)
	}
	switch req.Kind {
	case KindMulti:
		codes := make([]string, len(r.Ops))
		for i, s := range r.Ops {
			codes[i] = fmt.Sprintf("%d", s.Err)
		}
		return "results=[" + strings.Join(codes, " ") + "]"
	case KindCreate:
		return "created=" + r.Created
	case KindSetData:
		return fmt.Sprintf("version=%d", r.Stat.Version)
	case KindGetData:
		return fmt.Sprintf("data=%q version=%d mzxid=%s", r.Data, r.Stat.Version, Zxid(r.Stat.Mzxid))
	case KindExists:
		if !r.Exists {
			return "absent"
		}
		return fmt.Sprintf("present version=%d", r.Stat.Version)
	case KindGetChildren:
		return fmt.Sprintf("children=%v", r.Children)
	}
	return "ok"
}
