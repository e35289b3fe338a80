package wire

import (
	"fmt"
	"strings"
)

// Response is a reply record that follows a ReplyHeader. A reply without a
// body (an error, or an op such as delete that returns nothing) is a nil
// Response. The unexported method keeps the set closed.
type Response interface {
	String() string
	encode(e *encoder)
}

// CreateResponse answers create (1), and a create inside multi.
type CreateResponse struct {
	Path string
}

// Create2Response answers create2 (15), createContainer (19) and createTTL (21).
type Create2Response struct {
	Path string
	Stat Stat
}

// StatResponse answers exists (3), setData (5) and setACL (7), whose jute
// records (ExistsResponse, SetDataResponse, SetACLResponse) are each just a Stat.
type StatResponse struct {
	Stat Stat
}

// GetDataResponse answers getData (4) and reconfig (16). Data nil is a node
// stored with null data; ZooKeeper sends it back as length -1.
type GetDataResponse struct {
	Data []byte
	Stat Stat
}

// GetACLResponse answers getACL (6).
type GetACLResponse struct {
	ACL  []ACL
	Stat Stat
}

// GetChildrenResponse answers getChildren (8).
type GetChildrenResponse struct {
	Children []string
}

// GetChildren2Response answers getChildren2 (12).
type GetChildren2Response struct {
	Children []string
	Stat     Stat
}

// SyncResponse answers sync (9) with the path as sent.
type SyncResponse struct {
	Path string
}

// GetEphemeralsResponse answers getEphemerals (103) with full paths.
type GetEphemeralsResponse struct {
	Ephemerals []string
}

// GetAllChildrenNumberResponse answers getAllChildrenNumber (104).
type GetAllChildrenNumberResponse struct {
	TotalNumber int32
}

// ErrorResponse is the body of a failed op inside a multi response, and
// also ZooKeeper's answer to addWatch (106), which carries err 0.
type ErrorResponse struct {
	Err ErrCode
}

// ClientInfo is one identity of a session, as whoAmI reports it.
type ClientInfo struct {
	AuthScheme string
	User       string
}

func (c ClientInfo) String() string { return bare(c.AuthScheme) + ":" + bare(c.User) }

// WhoAmIResponse answers whoAmI (107).
type WhoAmIResponse struct {
	ClientInfo []ClientInfo
}

func (r *CreateResponse) String() string { return fmt.Sprintf("created{path=%q}", r.Path) }
func (r *Create2Response) String() string {
	return fmt.Sprintf("created2{path=%q %s}", r.Path, r.Stat)
}
func (r *StatResponse) String() string { return fmt.Sprintf("statResult{%s}", r.Stat) }
func (r *GetDataResponse) String() string {
	return fmt.Sprintf("data{data=%s %s}", shortData(r.Data), r.Stat)
}
func (r *GetACLResponse) String() string {
	return fmt.Sprintf("acl{acl=%s %s}", aclString(r.ACL), r.Stat)
}
func (r *GetChildrenResponse) String() string {
	return fmt.Sprintf("children{%s}", stringsString(r.Children))
}
func (r *GetChildren2Response) String() string {
	return fmt.Sprintf("children2{%s %s}", stringsString(r.Children), r.Stat)
}
func (r *SyncResponse) String() string { return fmt.Sprintf("synced{path=%q}", r.Path) }
func (r *GetEphemeralsResponse) String() string {
	return fmt.Sprintf("ephemerals{%s}", stringsString(r.Ephemerals))
}
func (r *GetAllChildrenNumberResponse) String() string {
	return fmt.Sprintf("allChildrenNumber{%d}", r.TotalNumber)
}
func (r *ErrorResponse) String() string { return fmt.Sprintf("error{err=%s}", r.Err) }
func (r *WhoAmIResponse) String() string {
	parts := make([]string, len(r.ClientInfo))
	for i, c := range r.ClientInfo {
		parts[i] = c.String()
	}
	return "whoAmI{[" + strings.Join(parts, " ") + "]}"
}

func (r *CreateResponse) encode(e *encoder) { e.ustring(r.Path) }

func (r *Create2Response) encode(e *encoder) {
	e.ustring(r.Path)
	r.Stat.encode(e)
}

func (r *StatResponse) encode(e *encoder) { r.Stat.encode(e) }

func (r *GetDataResponse) encode(e *encoder) {
	e.buffer(r.Data)
	r.Stat.encode(e)
}

func (r *GetACLResponse) encode(e *encoder) {
	encodeACLs(e, r.ACL, false)
	r.Stat.encode(e)
}

func (r *GetChildrenResponse) encode(e *encoder) { e.strings(r.Children) }

func (r *GetChildren2Response) encode(e *encoder) {
	e.strings(r.Children)
	r.Stat.encode(e)
}

func (r *SyncResponse) encode(e *encoder) { e.ustring(r.Path) }

func (r *GetEphemeralsResponse) encode(e *encoder) { e.strings(r.Ephemerals) }

func (r *GetAllChildrenNumberResponse) encode(e *encoder) { e.int32(r.TotalNumber) }

func (r *ErrorResponse) encode(e *encoder) { e.int32(int32(r.Err)) }

func (r *WhoAmIResponse) encode(e *encoder) {
	e.int32(int32(len(r.ClientInfo)))
	for _, c := range r.ClientInfo {
		e.ustring(c.AuthScheme)
		e.ustring(c.User)
	}
}

func decodeCreate2Response(d *decoder) Response {
	return &Create2Response{Path: d.ustring("path"), Stat: sub(d, "stat", decodeStat)}
}

func decodeGetDataResponse(d *decoder) Response {
	return &GetDataResponse{Data: d.buffer("data"), Stat: sub(d, "stat", decodeStat)}
}

func decodeGetChildrenResponse(d *decoder) Response {
	return &GetChildrenResponse{Children: stringVector(d, "children")}
}

func decodeStatResponse(d *decoder) Response {
	return &StatResponse{Stat: sub(d, "stat", decodeStat)}
}

func decodeClientInfo(d *decoder) ClientInfo {
	return ClientInfo{AuthScheme: d.ustring("authScheme"), User: d.ustring("user")}
}

// responseDecoders maps an opcode to the record its successful reply
// carries; a nil decoder means the reply has no body.
var responseDecoders = map[Opcode]struct {
	record string
	decode func(d *decoder) Response
}{
	OpCreate:          {"CreateResponse", func(d *decoder) Response { return &CreateResponse{Path: d.ustring("path")} }},
	OpCreate2:         {"Create2Response", decodeCreate2Response},
	OpCreateContainer: {"Create2Response", decodeCreate2Response},
	OpCreateTTL:       {"Create2Response", decodeCreate2Response},
	OpDelete:          {"DeleteResponse", nil},
	OpDeleteContainer: {"DeleteResponse", nil},
	OpExists:          {"ExistsResponse", decodeStatResponse},
	OpGetData:         {"GetDataResponse", decodeGetDataResponse},
	OpReconfig:        {"GetDataResponse", decodeGetDataResponse},
	OpSetData:         {"SetDataResponse", decodeStatResponse},
	OpGetACL: {"GetACLResponse", func(d *decoder) Response {
		return &GetACLResponse{ACL: decodeACLs(d, "acl"), Stat: sub(d, "stat", decodeStat)}
	}},
	OpSetACL:      {"SetACLResponse", decodeStatResponse},
	OpGetChildren: {"GetChildrenResponse", decodeGetChildrenResponse},
	OpGetChildren2: {"GetChildren2Response", func(d *decoder) Response {
		return &GetChildren2Response{Children: stringVector(d, "children"), Stat: sub(d, "stat", decodeStat)}
	}},
	OpSync:          {"SyncResponse", func(d *decoder) Response { return &SyncResponse{Path: d.ustring("path")} }},
	OpPing:          {"PingResponse", nil},
	OpMulti:         {"MultiResponse", func(d *decoder) Response { return decodeMultiResponse(d) }},
	OpMultiRead:     {"MultiResponse", func(d *decoder) Response { return decodeMultiResponse(d) }},
	OpCheckWatches:  {"CheckWatchesResponse", nil},
	OpRemoveWatches: {"RemoveWatchesResponse", nil},
	OpAuth:          {"AuthResponse", nil},
	OpSetWatches:    {"SetWatchesResponse", nil},
	OpSetWatches2:   {"SetWatchesResponse", nil},
	OpGetEphemerals: {"GetEphemeralsResponse", func(d *decoder) Response {
		return &GetEphemeralsResponse{Ephemerals: stringVector(d, "ephemerals")}
	}},
	OpGetAllChildrenNumber: {"GetAllChildrenNumberResponse", func(d *decoder) Response {
		return &GetAllChildrenNumberResponse{TotalNumber: d.int32("totalNumber")}
	}},
	OpAddWatch: {"ErrorResponse", func(d *decoder) Response { return &ErrorResponse{Err: ErrCode(d.int32("err"))} }},
	OpWhoAmI: {"WhoAmIResponse", func(d *decoder) Response {
		return &WhoAmIResponse{ClientInfo: vector(d, "clientInfo", 8, decodeClientInfo)}
	}},
	OpCloseSession: {"CloseSessionResponse", nil},
}
