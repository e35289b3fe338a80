package replica

import (
	"fmt"
	"strings"

	"github.com/zabsim/zabsim/tree"
)

// ConnID names one client connection to this server. The host assigns it
// and never reuses it while the server runs.
type ConnID uint64

// Opcodes of client requests that are not tree operations, numbered as
// ZooKeeper's ZooDefs.OpCode.
const (
	OpPing          tree.OpCode = 11
	OpCheckWatches  tree.OpCode = 17
	OpRemoveWatches tree.OpCode = 18
	OpSetAuth       tree.OpCode = 100
	OpSetWatches    tree.OpCode = 101
	OpSetWatches2   tree.OpCode = 105
	OpAddWatch      tree.OpCode = 106
)

// Connect is a client's ConnectRequest.
type Connect struct {
	// LastZxidSeen is the newest zxid the client has seen: a server behind
	// it refuses the connection, so a client never travels back in time.
	LastZxidSeen int64
	// Timeout is the session timeout the client asks for, in ms.
	Timeout int32
	// Session is 0 for a new session, or the session to resume.
	Session int64
	Passwd  []byte
	// Addr is the client's address as ZooKeeper writes it in the
	// connection's "ip" identity (Java's InetAddress.getHostAddress:
	// "127.0.0.1", "0:0:0:0:0:0:0:1"); empty gives the connection no ip
	// identity.
	Addr string
}

func (c Connect) String() string {
	if c.Session == 0 {
		return fmt.Sprintf("connect new timeout=%d lastZxid=%#x", c.Timeout, c.LastZxidSeen)
	}
	return fmt.Sprintf("connect resume=%#x timeout=%d lastZxid=%#x", c.Session, c.Timeout, c.LastZxidSeen)
}

// Request is one client request on a connected session.
type Request struct {
	Xid int32
	// Req carries the operation and its arguments: Op, Path, Data, ACL,
	// Flags, Version, TTL and Ops as the tree takes them.
	Req tree.Request
	// Watch asks exists, getData and getChildren(2) to leave a watch.
	Watch bool
	// Auth is setAuth's identity (scheme "digest", id "user:password").
	Auth tree.ID
	// SetWatches is setWatches/setWatches2's lists.
	SetWatches tree.SetWatches
	// WatchMode is addWatch's mode; WatcherType removeWatches' type.
	WatchMode   tree.WatchMode
	WatcherType tree.WatcherType
}

func (r Request) String() string {
	switch r.Req.Op {
	case OpPing:
		return "ping"
	case OpSetAuth:
		return "setAuth " + r.Auth.Scheme
	case OpSetWatches, OpSetWatches2:
		return fmt.Sprintf("setWatches relZxid=%#x", r.SetWatches.RelativeZxid)
	case OpAddWatch:
		return fmt.Sprintf("addWatch %s mode=%d", r.Req.Path, r.WatchMode)
	case OpRemoveWatches, OpCheckWatches:
		return fmt.Sprintf("%s %s type=%d", opName(r.Req.Op), r.Req.Path, r.WatcherType)
	case tree.OpGetData, tree.OpExists, tree.OpGetChildren, tree.OpGetChildren2:
		if r.Watch {
			return r.Req.Op.String() + " " + r.Req.Path + " watch"
		}
		return r.Req.Op.String() + " " + r.Req.Path
	case tree.OpGetACL, tree.OpGetEphemerals, tree.OpGetAllChildrenNumber, tree.OpSync:
		return r.Req.Op.String() + " " + r.Req.Path
	}
	return r.Req.String()
}

func opName(op tree.OpCode) string {
	switch op {
	case OpPing:
		return "ping"
	case OpCheckWatches:
		return "checkWatches"
	case OpRemoveWatches:
		return "removeWatches"
	case OpSetAuth:
		return "setAuth"
	case OpSetWatches:
		return "setWatches"
	case OpSetWatches2:
		return "setWatches2"
	case OpAddWatch:
		return "addWatch"
	}
	return op.String()
}

// Kind tells what a Response is.
type Kind uint8

const (
	// KindConnected answers a Connect: Session, Timeout and Passwd. A
	// session that cannot be resumed (expired, wrong password) is answered
	// with all three zero, as ZooKeeper does, and the connection closes.
	KindConnected Kind = iota + 1
	// KindReply answers a Request (Xid, Zxid, Err and the op's result).
	KindReply
	// KindWatch is a watch notification (xid -1 on the wire).
	KindWatch
	// KindClose: the server closes the connection (Reason says why); the
	// client sees ConnectionLoss for whatever it has outstanding.
	KindClose
)

// Response is one frame the server sends on a connection. Responses for a
// connection come in the order the client must see them.
type Response struct {
	Conn ConnID
	Kind Kind

	// KindConnected.
	Session int64
	Timeout int32
	Passwd  []byte

	// KindReply. Zxid is the reply header's: the transaction's zxid for a
	// write, the server's last processed zxid otherwise. For KindWatch it
	// is the zxid of the transaction that fired the watch (the wire sends
	// -1; checkers want to know).
	Xid  int32
	Zxid int64
	Op   tree.OpCode
	Err  error
	// Write results (create's Path, Stat; a multi's Multi).
	Result tree.Result
	// Read results.
	Data     []byte
	Stat     tree.Stat
	Exists   bool
	Children []string
	ACL      []tree.ACL
	Number   int32
	Paths    []string
	Reads    []tree.ReadResult

	// KindWatch.
	Event tree.Event

	// KindClose.
	Reason string
}

func (r Response) String() string {
	switch r.Kind {
	case KindConnected:
		if r.Session == 0 {
			return fmt.Sprintf("conn %d: session invalid", r.Conn)
		}
		return fmt.Sprintf("conn %d: connected session=%#x timeout=%d", r.Conn, r.Session, r.Timeout)
	case KindWatch:
		return fmt.Sprintf("conn %d: watch %s %s", r.Conn, r.Event.Type, r.Event.Path)
	case KindClose:
		return fmt.Sprintf("conn %d: close (%s)", r.Conn, r.Reason)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "conn %d: reply xid=%d zxid=%#x %s %s", r.Conn, r.Xid, r.Zxid, opName(r.Op), errString(r.Err))
	if r.Err == nil {
		switch r.Op {
		case tree.OpGetData:
			fmt.Fprintf(&b, " data=%q version=%d", r.Data, r.Stat.Version)
		case tree.OpExists:
			fmt.Fprintf(&b, " exists=%v", r.Exists)
		case tree.OpGetChildren, tree.OpGetChildren2:
			fmt.Fprintf(&b, " children=%v", r.Children)
		case tree.OpCreate, tree.OpCreate2, tree.OpCreateContainer, tree.OpCreateTTL:
			fmt.Fprintf(&b, " path=%s", r.Result.Path)
		case tree.OpSetData:
			fmt.Fprintf(&b, " version=%d", r.Result.Stat.Version)
		}
	}
	return b.String()
}

func errString(err error) string {
	if err == nil {
		return "OK"
	}
	return err.Error()
}
