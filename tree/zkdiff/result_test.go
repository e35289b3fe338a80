package zkdiff

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/go-zookeeper/zk"
)

// Error codes as ZooKeeper numbers them (ReplyHeader.err).
const (
	codeOK                   = 0
	codeRuntimeInconsistency = -2
	codeUnimplemented        = -6
	codeBadArguments         = -8
	codeNoNode               = -101
	codeNoAuth               = -102
	codeBadVersion           = -103
	codeNoChildrenForEph     = -108
	codeNodeExists           = -110
	codeNotEmpty             = -111
	codeInvalidACL           = -114
)

var codeNames = map[int32]string{
	0: "OK", -1: "SystemError", -2: "RuntimeInconsistency", -5: "MarshallingError",
	-6: "Unimplemented", -8: "BadArguments", -100: "APIError", -101: "NoNode",
	-102: "NoAuth", -103: "BadVersion", -108: "NoChildrenForEphemerals",
	-110: "NodeExists", -111: "NotEmpty", -112: "SessionExpired", -114: "InvalidACL",
	-115: "AuthFailed", -118: "SessionMoved",
}

func codeName(c int32) string {
	if n, ok := codeNames[c]; ok {
		return fmt.Sprintf("%s(%d)", n, c)
	}
	return strconv.Itoa(int(c))
}

// zkErrCodes inverts go-zookeeper's code → error table for the server
// errors it names; the rest it reports as "unknown error: N".
var zkErrCodes = map[error]int32{
	zk.ErrAPIError: -100, zk.ErrNoNode: -101, zk.ErrNoAuth: -102, zk.ErrBadVersion: -103,
	zk.ErrNoChildrenForEphemerals: -108, zk.ErrNodeExists: -110, zk.ErrNotEmpty: -111,
	zk.ErrSessionExpired: -112, zk.ErrInvalidACL: -114, zk.ErrAuthFailed: -115,
	zk.ErrSessionMoved: -118, zk.ErrBadArguments: -8,
}

// errCode turns a go-zookeeper error into the server's code. An error that
// is not a server answer (a closed connection, client-side validation) is
// returned as such: the run cannot go on after it.
func errCode(err error) (int32, error) {
	if err == nil {
		return codeOK, nil
	}
	for e, c := range zkErrCodes {
		if errors.Is(err, e) {
			return c, nil
		}
	}
	if s, ok := strings.CutPrefix(err.Error(), "unknown error: "); ok {
		if n, perr := strconv.Atoi(s); perr == nil {
			return int32(n), nil
		}
	}
	return 0, err
}

// nstat is a Stat with the ephemeral owner named by session slot and
// generation ("s1.3"), as both sides name sessions differently.
type nstat struct {
	Czxid, Mzxid, Pzxid         int64
	Ctime, Mtime                int64
	Version, Cversion, Aversion int32
	Owner                       string
	DataLength, NumChildren     int32
}

// result is one request's outcome as a go-zookeeper client sees it.
type result struct {
	Err      int32
	Path     string
	Stat     *nstat
	Data     []byte
	Children []string
	ACL      []zk.ACL
	Multi    []result
}

// render prints what a client can observe of r for op o, writing every zxid
// through z, so that the same function compares shapes, collects zxids and
// prints mismatches.
func render(o op, r result, z func(int64) string) string {
	var b strings.Builder
	if o.Kind == kMulti {
		fmt.Fprintf(&b, "%s [", codeName(r.Err))
		for i, sub := range r.Multi {
			if i > 0 {
				b.WriteString("; ")
			}
			k := kCheck
			if i < len(o.Ops) {
				k = o.Ops[i].Kind
			}
			b.WriteString(render(op{Kind: k}, sub, z))
		}
		b.WriteString("]")
		return b.String()
	}
	b.WriteString(codeName(r.Err))
	if r.Err != codeOK {
		return b.String()
	}
	switch o.Kind {
	case kCreate, kCreateContainer, kCreateTTL, kSync:
		fmt.Fprintf(&b, " path=%s", r.Path)
	case kGet:
		fmt.Fprintf(&b, " data=%s", fmtData(r.Data))
	case kChildren:
		fmt.Fprintf(&b, " children=%q", r.Children)
	case kGetACL:
		fmt.Fprintf(&b, " acl=%s", fmtACL(r.ACL))
	}
	if r.Stat != nil {
		s := r.Stat
		fmt.Fprintf(&b, " stat{czxid=%s mzxid=%s pzxid=%s version=%d cversion=%d aversion=%d owner=%s dataLength=%d numChildren=%d}",
			z(s.Czxid), z(s.Mzxid), z(s.Pzxid), s.Version, s.Cversion, s.Aversion, ownerName(s.Owner), s.DataLength, s.NumChildren)
	}
	return b.String()
}

func ownerName(o string) string {
	if o == "" {
		return "0"
	}
	return o
}

// stats lists every Stat in r, in render's order.
func (r result) stats() []*nstat {
	var out []*nstat
	if r.Stat != nil {
		out = append(out, r.Stat)
	}
	for _, sub := range r.Multi {
		out = append(out, sub.stats()...)
	}
	return out
}

// event is a watch notification as a session receives it.
type event struct {
	Type zk.EventType
	Path string
}

func (e event) String() string { return fmt.Sprintf("%s %s", e.Type, e.Path) }

// eventSet sorts and de-duplicates: ZooKeeper sends one frame per path and
// type, which go-zookeeper hands to every channel watching that path.
func eventSet(evs []event) []event {
	slices.SortFunc(evs, func(a, b event) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return int(a.Type) - int(b.Type)
	})
	return slices.Compact(evs)
}
