package live

import (
	"net"
	"strconv"
	"strings"

	"github.com/zabsim/zabsim/cmd/internal/wire"
	"github.com/zabsim/zabsim/protocol/replica"
	"github.com/zabsim/zabsim/tree"
)

// This file is the one place where the wire's types meet the replica's:
// a decoded request becomes a replica.Request, and a replica.Response
// becomes the frame ZooKeeper 3.8 would send (ZK-SEMANTICS.md §1, §4).

// reqInfo is what a connection remembers of a request until its reply:
// the reply alone does not say everything the wire form depends on.
type reqInfo struct {
	xid int32
	op  wire.Opcode
	// multiFlags are a multi's create flags per op (-1 for other ops):
	// ZooKeeper picks a create's result type inside multi by its flags.
	multiFlags []int32
	// mixedKinds: a multiRead of reads and writes, which ZooKeeper
	// cannot even decode ("Mixing different kind of ops"): its
	// MarshallingError has no body, where one of writes only has END.
	mixedKinds bool
	// unknown: an opcode with no request record. ZooKeeper answers
	// UNIMPLEMENTED with zxid -1 and closes the connection.
	unknown bool
	// submitted is when the request reached the server (for latency).
	submittedNs int64
	// auth is an auth request's credentials: the connection takes them
	// on once the replica has accepted them.
	auth tree.ID
	// whoAmI is the answer to a whoAmI, made from the connection's
	// identities when the request's turn comes.
	whoAmI *wire.WhoAmIResponse
}

// toConnect turns a ConnectRequest from the client at addr (its ip
// identity) into the replica's Connect.
func toConnect(c *wire.ConnectRequest, addr string) replica.Connect {
	return replica.Connect{LastZxidSeen: c.LastZxidSeen, Timeout: c.TimeOut, Session: c.SessionID, Passwd: c.Passwd, Addr: addr}
}

// unknownRequest is what an opcode without a request record becomes: the
// replica answers an op it does not know with Unimplemented, in order with
// the connection's other requests.
func unknownRequest(h wire.RequestHeader) (replica.Request, reqInfo) {
	return replica.Request{Xid: h.Xid, Req: tree.Request{Op: tree.OpCode(h.Opcode)}},
		reqInfo{xid: h.Xid, op: h.Opcode, unknown: true}
}

// reconfigStandIn is what a reconfig becomes. ZooKeeper 3.8 has reconfig
// disabled by default and refuses it in its PrepRequestProcessor, which
// makes the refusal an error transaction: it spends a zxid, as a failed
// create does. Deleting the root is refused (BadArguments) the same way
// and changes nothing else, so the replica spends the zxid and the reply
// is rewritten to ReconfigDisabled.
var reconfigStandIn = tree.Request{Op: tree.OpDelete, Path: "/", Version: -1}

// toRequest turns a decoded request into the replica's. Requests zabsim
// does not serve (sasl, a client's createSession, a deleteContainer) keep
// their opcode and nothing else: the replica answers them Unimplemented.
// So does whoAmI, which the host answers itself when the replica's
// Unimplemented comes back in its turn (whoAmI is not a tree operation);
// reconfig becomes reconfigStandIn.
func toRequest(h wire.RequestHeader, r wire.Request) (replica.Request, reqInfo) {
	out := replica.Request{Xid: h.Xid, Req: tree.Request{Op: tree.OpCode(h.Opcode)}}
	info := reqInfo{xid: h.Xid, op: h.Opcode}
	switch r := r.(type) {
	case *wire.MultiRequest:
		out.Req.Ops = make([]tree.Request, len(r.Ops))
		info.multiFlags = make([]int32, len(r.Ops))
		for i, op := range r.Ops {
			out.Req.Ops[i] = multiOp(op)
			info.multiFlags[i] = -1
			if isCreate(op.Opcode()) {
				info.multiFlags[i] = out.Req.Ops[i].Flags
			}
		}
	case *wire.MultiReadRequest:
		out.Req.Ops = make([]tree.Request, len(r.Ops))
		reads := 0
		for i, op := range r.Ops {
			out.Req.Ops[i] = multiOp(op)
			if op.Opcode() == wire.OpGetData || op.Opcode() == wire.OpGetChildren {
				reads++
			}
		}
		info.mixedKinds = reads > 0 && reads < len(r.Ops)
	case *wire.ExistsRequest:
		out.Req.Path, out.Watch = r.Path, r.Watch
	case *wire.GetDataRequest:
		out.Req.Path, out.Watch = r.Path, r.Watch
	case *wire.GetChildrenRequest:
		out.Req.Path, out.Watch = r.Path, r.Watch
	case *wire.GetChildren2Request:
		out.Req.Path, out.Watch = r.Path, r.Watch
	case *wire.GetACLRequest:
		out.Req.Path = r.Path
	case *wire.SyncRequest:
		out.Req.Path = r.Path
	case *wire.GetEphemeralsRequest:
		out.Req.Path = r.PrefixPath
	case *wire.GetAllChildrenNumberRequest:
		out.Req.Path = r.Path
	case *wire.CheckWatchesRequest:
		out.Req.Path, out.WatcherType = r.Path, tree.WatcherType(r.Type)
	case *wire.RemoveWatchesRequest:
		out.Req.Path, out.WatcherType = r.Path, tree.WatcherType(r.Type)
	case *wire.AddWatchRequest:
		out.Req.Path, out.WatchMode = r.Path, tree.WatchMode(r.Mode)
	case *wire.AuthRequest:
		out.Auth = tree.ID{Scheme: r.Scheme, ID: string(r.Auth)}
		info.auth = out.Auth
	case *wire.ReconfigRequest:
		out.Req = reconfigStandIn
	case *wire.SetWatchesRequest:
		out.SetWatches = tree.SetWatches{RelativeZxid: r.RelativeZxid,
			Data: r.DataWatches, Exist: r.ExistWatches, Child: r.ChildWatches}
	case *wire.SetWatches2Request:
		out.SetWatches = tree.SetWatches{RelativeZxid: r.RelativeZxid,
			Data: r.DataWatches, Exist: r.ExistWatches, Child: r.ChildWatches,
			Persistent: r.PersistentWatches, PersistentRecursive: r.PersistentRecursiveWatches}
	case wire.MultiOp:
		// create (all four), delete, setData, a stand-alone check (which
		// the replica refuses without a transaction).
		out.Req = multiOp(r)
	case *wire.SetACLRequest:
		out.Req.Path, out.Req.ACL, out.Req.Version = r.Path, toACL(r.ACL), r.Version
	}
	return out, info
}

// multiOp converts a request that may stand inside multi or multiRead.
func multiOp(op wire.MultiOp) tree.Request {
	out := tree.Request{Op: tree.OpCode(op.Opcode())}
	switch r := op.(type) {
	case *wire.CreateRequest:
		setCreate(&out, r)
	case *wire.Create2Request:
		setCreate(&out, (*wire.CreateRequest)(r))
	case *wire.CreateContainerRequest:
		setCreate(&out, (*wire.CreateRequest)(r))
	case *wire.CreateTTLRequest:
		setCreate(&out, &wire.CreateRequest{Path: r.Path, Data: r.Data, ACL: r.ACL, Flags: r.Flags})
		out.TTL = r.TTL
	case *wire.DeleteRequest:
		out.Path, out.Version = r.Path, r.Version
	case *wire.SetDataRequest:
		out.Path, out.Data, out.Version = r.Path, r.Data, r.Version
	case *wire.CheckVersionRequest:
		out.Path, out.Version = r.Path, r.Version
	case *wire.GetDataRequest:
		out.Path = r.Path
	case *wire.GetChildrenRequest:
		out.Path = r.Path
	}
	return out
}

func setCreate(out *tree.Request, r *wire.CreateRequest) {
	out.Path, out.Data, out.ACL, out.Flags = r.Path, r.Data, toACL(r.ACL), r.Flags
}

func isCreate(op wire.Opcode) bool {
	switch op {
	case wire.OpCreate, wire.OpCreate2, wire.OpCreateContainer, wire.OpCreateTTL:
		return true
	}
	return false
}

func toACL(acl []wire.ACL) []tree.ACL {
	if acl == nil {
		return nil
	}
	out := make([]tree.ACL, len(acl))
	for i, a := range acl {
		out[i] = tree.ACL{Perms: a.Perms, ID: tree.ID{Scheme: a.ID.Scheme, ID: a.ID.ID}}
	}
	return out
}

func fromACL(acl []tree.ACL) []wire.ACL {
	out := make([]wire.ACL, len(acl))
	for i, a := range acl {
		out[i] = wire.ACL{Perms: a.Perms, ID: wire.Id{Scheme: a.ID.Scheme, ID: a.ID.ID}}
	}
	return out
}

func fromStat(s tree.Stat) wire.Stat {
	return wire.Stat{Czxid: s.Czxid, Mzxid: s.Mzxid, Ctime: s.Ctime, Mtime: s.Mtime,
		Version: s.Version, Cversion: s.Cversion, Aversion: s.Aversion,
		EphemeralOwner: s.EphemeralOwner, DataLength: s.DataLength,
		NumChildren: s.NumChildren, Pzxid: s.Pzxid}
}

func errCode(err error) wire.ErrCode { return wire.ErrCode(tree.CodeOf(err)) }

// encodeConnected is the ConnectResponse for a KindConnected; a session
// of 0 is ZooKeeper's refusal (timeOut 0, sessionId 0, zero passwd).
func encodeConnected(r replica.Response, readOnly bool) []byte {
	req := wire.ConnectRequest{HasReadOnly: readOnly}
	if r.Session == 0 {
		return wire.EncodeConnectResponse(req.Refuse())
	}
	return wire.EncodeConnectResponse(req.Accept(r.Timeout, r.Session, r.Passwd))
}

// encodeWatch is a notification frame: xid -1, zxid -1, SyncConnected.
func encodeWatch(e tree.Event) []byte {
	return wire.EncodeNotification(&wire.WatcherEvent{
		Type: wire.EventType(e.Type), State: wire.StateSyncConnected, Path: e.Path})
}

// encodeReply is the frame of a KindReply answering the request info
// describes.
func encodeReply(r replica.Response, info reqInfo) []byte {
	h := wire.ReplyHeader{Xid: r.Xid, Zxid: r.Zxid, Err: errCode(r.Err)}
	switch {
	case info.unknown:
		h.Zxid = -1
		return wire.EncodeReply(h, nil)
	case info.op == wire.OpReconfig:
		h.Err = wire.ErrReconfigDisabled
		return wire.EncodeReply(h, nil)
	case info.op == wire.OpAuth:
		// ZooKeeper answers auth as soon as it reads it, outside its
		// request pipeline, with zxid 0.
		h.Zxid = 0
	case info.whoAmI != nil:
		h.Err = wire.ErrOK
		return wire.EncodeReply(h, info.whoAmI)
	}
	return wire.EncodeReply(h, replyBody(r, info))
}

// replyBody is the record after the header, or nil when ZooKeeper sends
// none: after an error (but for multiRead's END-only body), and for ops
// that answer nothing.
func replyBody(r replica.Response, info reqInfo) wire.Response {
	if r.Err != nil {
		if r.Op == tree.OpMultiRead && !info.mixedKinds && tree.CodeOf(r.Err) == tree.CodeOf(tree.ErrMarshallingError) {
			return &wire.MultiResponse{}
		}
		return nil
	}
	switch r.Op {
	case tree.OpCreate:
		return &wire.CreateResponse{Path: r.Result.Path}
	case tree.OpCreate2, tree.OpCreateContainer, tree.OpCreateTTL:
		return &wire.Create2Response{Path: r.Result.Path, Stat: fromStat(r.Result.Stat)}
	case tree.OpSetData, tree.OpSetACL:
		return &wire.StatResponse{Stat: fromStat(r.Result.Stat)}
	case tree.OpExists:
		return &wire.StatResponse{Stat: fromStat(r.Stat)}
	case tree.OpGetData:
		return &wire.GetDataResponse{Data: r.Data, Stat: fromStat(r.Stat)}
	case tree.OpGetACL:
		return &wire.GetACLResponse{ACL: fromACL(r.ACL), Stat: fromStat(r.Stat)}
	case tree.OpGetChildren:
		return &wire.GetChildrenResponse{Children: nonNil(r.Children)}
	case tree.OpGetChildren2:
		return &wire.GetChildren2Response{Children: nonNil(r.Children), Stat: fromStat(r.Stat)}
	case tree.OpSync:
		return &wire.SyncResponse{Path: r.Result.Path}
	case tree.OpMulti:
		return multiResults(r.Result.Multi, info.multiFlags)
	case tree.OpMultiRead:
		return readResults(r.Reads)
	case tree.OpGetEphemerals:
		return &wire.GetEphemeralsResponse{Ephemerals: nonNil(r.Paths)}
	case tree.OpGetAllChildrenNumber:
		return &wire.GetAllChildrenNumberResponse{TotalNumber: r.Number}
	case replica.OpAddWatch:
		return &wire.ErrorResponse{Err: wire.ErrOK}
	}
	// delete, ping, auth, setWatches, checkWatches, removeWatches,
	// closeSession: header only.
	return nil
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// multiResults is a multi's body. A create inside multi is answered by
// its flags (ZooKeeper 3.8.0): container and TTL creates as create2 with
// a Stat, every other create as create with the path only.
func multiResults(results []tree.Result, flags []int32) *wire.MultiResponse {
	out := &wire.MultiResponse{Results: make([]wire.MultiResult, len(results))}
	for i, res := range results {
		var m wire.MultiResult
		switch res.Op {
		case tree.OpError:
			m = wire.MultiError(errCode(res.Err))
		case tree.OpCreate, tree.OpCreate2, tree.OpCreateContainer, tree.OpCreateTTL:
			f := int32(-1)
			if i < len(flags) {
				f = flags[i]
			}
			switch f {
			case tree.FlagContainer, tree.FlagPersistentTTL, tree.FlagPersistentSequentialTTL:
				m = wire.MultiResult{Type: wire.OpCreate2, Body: &wire.Create2Response{Path: res.Path, Stat: fromStat(res.Stat)}}
			default:
				m = wire.MultiResult{Type: wire.OpCreate, Body: &wire.CreateResponse{Path: res.Path}}
			}
		case tree.OpSetData:
			m = wire.MultiResult{Type: wire.OpSetData, Body: &wire.StatResponse{Stat: fromStat(res.Stat)}}
		default: // delete, check
			m = wire.MultiResult{Type: wire.Opcode(res.Op)}
		}
		out.Results[i] = m
	}
	return out
}

// readResults is a multiRead's body: each op's answer or error.
func readResults(reads []tree.ReadResult) *wire.MultiResponse {
	out := &wire.MultiResponse{Results: make([]wire.MultiResult, len(reads))}
	for i, rr := range reads {
		switch {
		case rr.Err != nil:
			out.Results[i] = wire.MultiError(errCode(rr.Err))
		case rr.Op == tree.OpGetData:
			out.Results[i] = wire.MultiResult{Type: wire.OpGetData, Body: &wire.GetDataResponse{Data: rr.Data, Stat: fromStat(rr.Stat)}}
		default:
			out.Results[i] = wire.MultiResult{Type: wire.OpGetChildren, Body: &wire.GetChildrenResponse{Children: nonNil(rr.Children)}}
		}
	}
	return out
}

// whoAmI is ZooKeeper's answer to whoAmI: the connection's identities,
// "ip" with the client's address first added, then the digest ids of its
// auth requests, as ZooKeeper iterates them. A digest id's
// user is the part before the colon (DigestAuthenticationProvider).
func whoAmI(ip string, digests []tree.ID) *wire.WhoAmIResponse {
	ids := tree.IdentityOrder(append([]tree.ID{{Scheme: "ip", ID: ip}}, digests...))
	out := &wire.WhoAmIResponse{ClientInfo: make([]wire.ClientInfo, len(ids))}
	for i, id := range ids {
		user := id.ID
		if id.Scheme == "digest" {
			user, _, _ = strings.Cut(user, ":")
		}
		out.ClientInfo[i] = wire.ClientInfo{AuthScheme: id.Scheme, User: user}
	}
	return out
}

// javaHostAddress writes an address as Java's getHostAddress does, which
// is how ZooKeeper names a client in its "ip" identity: IPv6 in eight
// groups of hex without compression ("0:0:0:0:0:0:0:1", not "::1").
func javaHostAddress(ip net.IP) string {
	if v4 := ip.To4(); v4 != nil || len(ip) != net.IPv6len {
		return ip.String()
	}
	groups := make([]string, 8)
	for i := range groups {
		groups[i] = strconv.FormatUint(uint64(ip[2*i])<<8|uint64(ip[2*i+1]), 16)
	}
	return strings.Join(groups, ":")
}
