package tree

import (
	"fmt"
	"strconv"
	"strings"
)

// OpCode numbers an operation as ZooKeeper's ZooDefs.OpCode does, so the
// wire layer can pass codes through unchanged.
type OpCode int32

const (
	OpCreate               OpCode = 1
	OpDelete               OpCode = 2
	OpExists               OpCode = 3
	OpGetData              OpCode = 4
	OpSetData              OpCode = 5
	OpGetACL               OpCode = 6
	OpSetACL               OpCode = 7
	OpGetChildren          OpCode = 8
	OpSync                 OpCode = 9
	OpGetChildren2         OpCode = 12
	OpCheck                OpCode = 13
	OpMulti                OpCode = 14
	OpCreate2              OpCode = 15
	OpCreateContainer      OpCode = 19
	OpDeleteContainer      OpCode = 20
	OpCreateTTL            OpCode = 21
	OpMultiRead            OpCode = 22
	OpGetEphemerals        OpCode = 103
	OpGetAllChildrenNumber OpCode = 104
	OpCreateSession        OpCode = -10
	OpCloseSession         OpCode = -11
	OpError                OpCode = -1
)

var opNames = map[OpCode]string{
	OpCreate: "create", OpDelete: "delete", OpExists: "exists", OpGetData: "getData",
	OpSetData: "setData", OpGetACL: "getACL", OpSetACL: "setACL", OpGetChildren: "getChildren",
	OpSync: "sync", OpGetChildren2: "getChildren2", OpCheck: "check", OpMulti: "multi",
	OpCreate2: "create2", OpCreateContainer: "createContainer", OpDeleteContainer: "deleteContainer",
	OpCreateTTL: "createTTL", OpMultiRead: "multiRead", OpGetEphemerals: "getEphemerals",
	OpGetAllChildrenNumber: "getAllChildrenNumber", OpCreateSession: "createSession",
	OpCloseSession: "closeSession", OpError: "error",
}

func (o OpCode) String() string {
	if n, ok := opNames[o]; ok {
		return n
	}
	return "op" + strconv.Itoa(int(o))
}

// Create flags (CreateMode) as the wire carries them.
const (
	FlagPersistent              int32 = 0
	FlagEphemeral               int32 = 1
	FlagSequential              int32 = 2
	FlagEphemeralSequential     int32 = 3
	FlagContainer               int32 = 4
	FlagPersistentTTL           int32 = 5
	FlagPersistentSequentialTTL int32 = 6
)

// Stat is what a client sees of a node, field for field as ZooKeeper's
// Stat record. Times are ms since the epoch as the leader's clock gave them.
type Stat struct {
	Czxid          int64
	Mzxid          int64
	Ctime          int64
	Mtime          int64
	Version        int32
	Cversion       int32
	Aversion       int32
	EphemeralOwner int64
	DataLength     int32
	NumChildren    int32
	Pzxid          int64
}

func (s Stat) String() string {
	return fmt.Sprintf("stat{czxid=%#x mzxid=%#x pzxid=%#x ctime=%d mtime=%d version=%d cversion=%d aversion=%d owner=%#x dataLength=%d numChildren=%d}",
		s.Czxid, s.Mzxid, s.Pzxid, s.Ctime, s.Mtime, s.Version, s.Cversion, s.Aversion,
		s.EphemeralOwner, s.DataLength, s.NumChildren)
}

// Request is a client write (or a check inside multi) as the leader's
// Prepare receives it. Fields an op does not use stay zero.
type Request struct {
	Op      OpCode
	Path    string
	Data    []byte // nil is ZooKeeper's null buffer, kept apart from empty
	ACL     []ACL
	Flags   int32
	Version int32
	TTL     int64
	Ops     []Request // multi only
	Timeout int32     // createSession: the negotiated timeout in ms
}

func (r Request) String() string {
	var b strings.Builder
	b.WriteString(r.Op.String())
	switch r.Op {
	case OpMulti, OpMultiRead:
		b.WriteString(" [")
		for i, o := range r.Ops {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(o.String())
		}
		b.WriteString("]")
		return b.String()
	case OpCloseSession, OpCreateSession:
		return b.String()
	}
	fmt.Fprintf(&b, " %s", quoteIfNeeded(r.Path))
	switch r.Op {
	case OpCreate, OpCreate2, OpCreateContainer, OpCreateTTL:
		fmt.Fprintf(&b, " data=%s acl=%s flags=%d", dataString(r.Data), aclListString(r.ACL), r.Flags)
		if r.Op == OpCreateTTL {
			fmt.Fprintf(&b, " ttl=%d", r.TTL)
		}
	case OpSetData:
		fmt.Fprintf(&b, " data=%s version=%d", dataString(r.Data), r.Version)
	case OpSetACL:
		fmt.Fprintf(&b, " acl=%s version=%d", aclListString(r.ACL), r.Version)
	case OpDelete, OpCheck:
		fmt.Fprintf(&b, " version=%d", r.Version)
	}
	return b.String()
}

// dataPreviewMax bounds how much of a payload a String() line shows.
const dataPreviewMax = 16

func dataString(d []byte) string {
	if d == nil {
		return "null"
	}
	if len(d) <= dataPreviewMax {
		return strconv.Quote(string(d))
	}
	return fmt.Sprintf("%s...(%dB)", strconv.Quote(string(d[:dataPreviewMax])), len(d))
}

// quoteIfNeeded keeps ordinary paths readable and quotes anything that
// could break a one-line description.
func quoteIfNeeded(s string) string {
	if s == "" {
		return `""`
	}
	for _, r := range s {
		if r <= ' ' || r == '"' || r == '\\' || r >= 0x7f {
			return strconv.Quote(s)
		}
	}
	return s
}

// EventType is a watch notification's type as ZooKeeper numbers it.
type EventType int32

const (
	EventNodeCreated         EventType = 1
	EventNodeDeleted         EventType = 2
	EventNodeDataChanged     EventType = 3
	EventNodeChildrenChanged EventType = 4
)

func (t EventType) String() string {
	switch t {
	case EventNodeCreated:
		return "NodeCreated"
	case EventNodeDeleted:
		return "NodeDeleted"
	case EventNodeDataChanged:
		return "NodeDataChanged"
	case EventNodeChildrenChanged:
		return "NodeChildrenChanged"
	}
	return "event" + strconv.Itoa(int(t))
}

// Event is one notification frame for one session: the server sends it
// with xid -1, state SyncConnected.
type Event struct {
	Session int64
	Type    EventType
	Path    string
}

func (e Event) String() string {
	return fmt.Sprintf("event session=%#x %s %s", e.Session, e.Type, quoteIfNeeded(e.Path))
}

// Result is what Apply answers for one transaction. Op is the client's
// opcode; Err is nil or a sentinel. A multi answers Err nil (ZooKeeper's
// reply header says OK even when an op failed) and one Result per op in
// Multi; when the multi failed every one of them has Op OpError, the ops
// before the failing one with Err nil, the rest RuntimeInconsistency. A
// multi with a read op inside fails whole with MarshallingError.
type Result struct {
	Op    OpCode
	Err   error
	Path  string // create: the node created (with its sequential suffix)
	Stat  Stat   // create, setData, setACL: the node's Stat afterwards
	Multi []Result
}

func (r Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", r.Op, errName(r.Err))
	if r.Err != nil {
		return b.String()
	}
	switch r.Op {
	case OpCreate, OpCreate2, OpCreateContainer, OpCreateTTL:
		fmt.Fprintf(&b, " %s %s", quoteIfNeeded(r.Path), r.Stat)
	case OpSetData, OpSetACL:
		fmt.Fprintf(&b, " %s", r.Stat)
	case OpMulti:
		b.WriteString(" [")
		for i, m := range r.Multi {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(m.String())
		}
		b.WriteString("]")
	}
	return b.String()
}

func errName(err error) string {
	if err == nil {
		return "OK"
	}
	if e, ok := err.(*Error); ok {
		if e == nil { // a nil *Error inside an interface: ErrorForCode(0)
			return "OK"
		}
		return e.name
	}
	return err.Error()
}
