package wire

import "fmt"

// Request is a decoded request record; its concrete type says which opcode
// it came with. The unexported method keeps the set closed, so a server's
// type switch over it can be exhaustive.
type Request interface {
	Opcode() Opcode
	String() string
	encode(e *encoder)
}

// CreateRequest is create (1). Flags: 0 persistent, 1 ephemeral,
// 2 sequential, 3 ephemeral sequential, 4 container, 5/6 TTL.
type CreateRequest struct {
	Path  string
	Data  []byte
	ACL   []ACL
	Flags int32
}

// Create2Request is create2 (15): the same record, answered with a Stat.
type Create2Request CreateRequest

// CreateContainerRequest is createContainer (19): the same record.
type CreateContainerRequest CreateRequest

// CreateTTLRequest is createTTL (21).
type CreateTTLRequest struct {
	Path  string
	Data  []byte
	ACL   []ACL
	Flags int32
	TTL   int64
}

// DeleteRequest is delete (2).
type DeleteRequest struct {
	Path    string
	Version int32
}

// DeleteContainerRequest is deleteContainer (20). Its body is the bare
// path bytes with no length prefix: ZooKeeper only ever builds it inside the
// server (ContainerManager) and reads it back as the whole buffer. From a
// client, 3.8.0 reads the header into the path too and answers BADARGUMENTS.
type DeleteContainerRequest struct {
	Path string
}

// ExistsRequest is exists (3).
type ExistsRequest struct {
	Path  string
	Watch bool
}

// GetDataRequest is getData (4).
type GetDataRequest struct {
	Path  string
	Watch bool
}

// SetDataRequest is setData (5).
type SetDataRequest struct {
	Path    string
	Data    []byte
	Version int32
}

// GetACLRequest is getACL (6).
type GetACLRequest struct {
	Path string
}

// SetACLRequest is setACL (7).
type SetACLRequest struct {
	Path    string
	ACL     []ACL
	Version int32
}

// GetChildrenRequest is getChildren (8).
type GetChildrenRequest struct {
	Path  string
	Watch bool
}

// GetChildren2Request is getChildren2 (12).
type GetChildren2Request struct {
	Path  string
	Watch bool
}

// SyncRequest is sync (9).
type SyncRequest struct {
	Path string
}

// PingRequest is ping (11); it has no body.
type PingRequest struct{}

// CheckVersionRequest is check (13). ZooKeeper 3.8.0 logs a stand-alone
// check as a txn it cannot read back (ZK-SEMANTICS.md §2); a server must
// accept it only inside multi.
type CheckVersionRequest struct {
	Path    string
	Version int32
}

// ReconfigRequest is reconfig (16). Its fields are ustrings that the Java
// client sends as null when unused, so they are kept as buffers (nil =
// null), which share the ustring wire form.
type ReconfigRequest struct {
	JoiningServers []byte
	LeavingServers []byte
	NewMembers     []byte
	CurConfigID    int64
}

// CheckWatchesRequest is checkWatches (17). Type: 1 children, 2 data, 3 any.
type CheckWatchesRequest struct {
	Path string
	Type int32
}

// RemoveWatchesRequest is removeWatches (18).
type RemoveWatchesRequest struct {
	Path string
	Type int32
}

// AuthRequest is auth (100), ZooKeeper's AuthPacket.
type AuthRequest struct {
	Type   int32
	Scheme string
	Auth   []byte
}

// SetWatchesRequest is setWatches (101): re-arms a reconnecting client's
// watches, firing those that changed after RelativeZxid.
type SetWatchesRequest struct {
	RelativeZxid int64
	DataWatches  []string
	ExistWatches []string
	ChildWatches []string
}

// SASLRequest is sasl (102), GetSASLRequest.
type SASLRequest struct {
	Token []byte
}

// GetEphemeralsRequest is getEphemerals (103).
type GetEphemeralsRequest struct {
	PrefixPath string
}

// GetAllChildrenNumberRequest is getAllChildrenNumber (104).
type GetAllChildrenNumberRequest struct {
	Path string
}

// SetWatches2Request is setWatches2 (105): setWatches plus persistent watches.
type SetWatches2Request struct {
	RelativeZxid               int64
	DataWatches                []string
	ExistWatches               []string
	ChildWatches               []string
	PersistentWatches          []string
	PersistentRecursiveWatches []string
}

// AddWatchRequest is addWatch (106). Mode: 0 persistent, 1 persistent recursive.
type AddWatchRequest struct {
	Path string
	Mode int32
}

// WhoAmIRequest is whoAmI (107); it has no body.
type WhoAmIRequest struct{}

// CreateSessionRequest is createSession (-10). ZooKeeper builds it inside
// the server from a ConnectRequest with the timeout as its only field; a
// client that sends it gets it decoded so the server can refuse it.
type CreateSessionRequest struct {
	TimeOut int32
}

// CloseSessionRequest is closeSession (-11); it has no body.
type CloseSessionRequest struct{}

func (*CreateRequest) Opcode() Opcode               { return OpCreate }
func (*Create2Request) Opcode() Opcode              { return OpCreate2 }
func (*CreateContainerRequest) Opcode() Opcode      { return OpCreateContainer }
func (*CreateTTLRequest) Opcode() Opcode            { return OpCreateTTL }
func (*DeleteRequest) Opcode() Opcode               { return OpDelete }
func (*DeleteContainerRequest) Opcode() Opcode      { return OpDeleteContainer }
func (*ExistsRequest) Opcode() Opcode               { return OpExists }
func (*GetDataRequest) Opcode() Opcode              { return OpGetData }
func (*SetDataRequest) Opcode() Opcode              { return OpSetData }
func (*GetACLRequest) Opcode() Opcode               { return OpGetACL }
func (*SetACLRequest) Opcode() Opcode               { return OpSetACL }
func (*GetChildrenRequest) Opcode() Opcode          { return OpGetChildren }
func (*GetChildren2Request) Opcode() Opcode         { return OpGetChildren2 }
func (*SyncRequest) Opcode() Opcode                 { return OpSync }
func (*PingRequest) Opcode() Opcode                 { return OpPing }
func (*CheckVersionRequest) Opcode() Opcode         { return OpCheck }
func (*ReconfigRequest) Opcode() Opcode             { return OpReconfig }
func (*CheckWatchesRequest) Opcode() Opcode         { return OpCheckWatches }
func (*RemoveWatchesRequest) Opcode() Opcode        { return OpRemoveWatches }
func (*AuthRequest) Opcode() Opcode                 { return OpAuth }
func (*SetWatchesRequest) Opcode() Opcode           { return OpSetWatches }
func (*SASLRequest) Opcode() Opcode                 { return OpSASL }
func (*GetEphemeralsRequest) Opcode() Opcode        { return OpGetEphemerals }
func (*GetAllChildrenNumberRequest) Opcode() Opcode { return OpGetAllChildrenNumber }
func (*SetWatches2Request) Opcode() Opcode          { return OpSetWatches2 }
func (*AddWatchRequest) Opcode() Opcode             { return OpAddWatch }
func (*WhoAmIRequest) Opcode() Opcode               { return OpWhoAmI }
func (*CreateSessionRequest) Opcode() Opcode        { return OpCreateSession }
func (*CloseSessionRequest) Opcode() Opcode         { return OpCloseSession }

func createString(op Opcode, r *CreateRequest) string {
	return fmt.Sprintf("%s{path=%q data=%s acl=%s flags=%d}", op, r.Path, shortData(r.Data), aclString(r.ACL), r.Flags)
}

func (r *CreateRequest) String() string  { return createString(OpCreate, r) }
func (r *Create2Request) String() string { return createString(OpCreate2, (*CreateRequest)(r)) }
func (r *CreateContainerRequest) String() string {
	return createString(OpCreateContainer, (*CreateRequest)(r))
}
func (r *CreateTTLRequest) String() string {
	return fmt.Sprintf("createTTL{path=%q data=%s acl=%s flags=%d ttl=%d}", r.Path, shortData(r.Data), aclString(r.ACL), r.Flags, r.TTL)
}
func (r *DeleteRequest) String() string {
	return fmt.Sprintf("delete{path=%q version=%d}", r.Path, r.Version)
}
func (r *DeleteContainerRequest) String() string {
	return fmt.Sprintf("deleteContainer{path=%q}", r.Path)
}
func (r *ExistsRequest) String() string {
	return fmt.Sprintf("exists{path=%q watch=%t}", r.Path, r.Watch)
}
func (r *GetDataRequest) String() string {
	return fmt.Sprintf("getData{path=%q watch=%t}", r.Path, r.Watch)
}
func (r *SetDataRequest) String() string {
	return fmt.Sprintf("setData{path=%q data=%s version=%d}", r.Path, shortData(r.Data), r.Version)
}
func (r *GetACLRequest) String() string { return fmt.Sprintf("getACL{path=%q}", r.Path) }
func (r *SetACLRequest) String() string {
	return fmt.Sprintf("setACL{path=%q acl=%s version=%d}", r.Path, aclString(r.ACL), r.Version)
}
func (r *GetChildrenRequest) String() string {
	return fmt.Sprintf("getChildren{path=%q watch=%t}", r.Path, r.Watch)
}
func (r *GetChildren2Request) String() string {
	return fmt.Sprintf("getChildren2{path=%q watch=%t}", r.Path, r.Watch)
}
func (r *SyncRequest) String() string { return fmt.Sprintf("sync{path=%q}", r.Path) }
func (*PingRequest) String() string   { return "ping{}" }
func (r *CheckVersionRequest) String() string {
	return fmt.Sprintf("check{path=%q version=%d}", r.Path, r.Version)
}
func (r *ReconfigRequest) String() string {
	return fmt.Sprintf("reconfig{joining=%s leaving=%s newMembers=%s curConfigId=%#x}",
		shortData(r.JoiningServers), shortData(r.LeavingServers), shortData(r.NewMembers), r.CurConfigID)
}
func (r *CheckWatchesRequest) String() string {
	return fmt.Sprintf("checkWatches{path=%q type=%d}", r.Path, r.Type)
}
func (r *RemoveWatchesRequest) String() string {
	return fmt.Sprintf("removeWatches{path=%q type=%d}", r.Path, r.Type)
}
func (r *AuthRequest) String() string {
	// The auth bytes are a credential: print their length only.
	return fmt.Sprintf("auth{type=%d scheme=%q auth=%s}", r.Type, r.Scheme, passwdString(r.Auth))
}
func (r *SetWatchesRequest) String() string {
	return fmt.Sprintf("setWatches{relativeZxid=%#x data=%s exist=%s child=%s}", r.RelativeZxid,
		stringsString(r.DataWatches), stringsString(r.ExistWatches), stringsString(r.ChildWatches))
}
func (r *SASLRequest) String() string { return fmt.Sprintf("sasl{token=%s}", passwdString(r.Token)) }
func (r *GetEphemeralsRequest) String() string {
	return fmt.Sprintf("getEphemerals{prefixPath=%q}", r.PrefixPath)
}
func (r *GetAllChildrenNumberRequest) String() string {
	return fmt.Sprintf("getAllChildrenNumber{path=%q}", r.Path)
}
func (r *SetWatches2Request) String() string {
	return fmt.Sprintf("setWatches2{relativeZxid=%#x data=%s exist=%s child=%s persistent=%s persistentRecursive=%s}",
		r.RelativeZxid, stringsString(r.DataWatches), stringsString(r.ExistWatches), stringsString(r.ChildWatches),
		stringsString(r.PersistentWatches), stringsString(r.PersistentRecursiveWatches))
}
func (r *AddWatchRequest) String() string {
	return fmt.Sprintf("addWatch{path=%q mode=%d}", r.Path, r.Mode)
}
func (*WhoAmIRequest) String() string { return "whoAmI{}" }
func (r *CreateSessionRequest) String() string {
	return fmt.Sprintf("createSession{timeOut=%d}", r.TimeOut)
}
func (*CloseSessionRequest) String() string { return "closeSession{}" }
