package wire

func (r *CreateRequest) encode(e *encoder) {
	e.ustring(r.Path)
	e.buffer(r.Data)
	encodeACLs(e, r.ACL, true)
	e.int32(r.Flags)
}

func (r *Create2Request) encode(e *encoder)         { (*CreateRequest)(r).encode(e) }
func (r *CreateContainerRequest) encode(e *encoder) { (*CreateRequest)(r).encode(e) }

func (r *CreateTTLRequest) encode(e *encoder) {
	e.ustring(r.Path)
	e.buffer(r.Data)
	encodeACLs(e, r.ACL, true)
	e.int32(r.Flags)
	e.int64(r.TTL)
}

func (r *DeleteRequest) encode(e *encoder) {
	e.ustring(r.Path)
	e.int32(r.Version)
}

func (r *DeleteContainerRequest) encode(e *encoder) { e.buf = append(e.buf, r.Path...) }

func (r *ExistsRequest) encode(e *encoder) {
	e.ustring(r.Path)
	e.bool(r.Watch)
}

func (r *GetDataRequest) encode(e *encoder) {
	e.ustring(r.Path)
	e.bool(r.Watch)
}

func (r *SetDataRequest) encode(e *encoder) {
	e.ustring(r.Path)
	e.buffer(r.Data)
	e.int32(r.Version)
}

func (r *GetACLRequest) encode(e *encoder) { e.ustring(r.Path) }

func (r *SetACLRequest) encode(e *encoder) {
	e.ustring(r.Path)
	encodeACLs(e, r.ACL, true)
	e.int32(r.Version)
}

func (r *GetChildrenRequest) encode(e *encoder) {
	e.ustring(r.Path)
	e.bool(r.Watch)
}

func (r *GetChildren2Request) encode(e *encoder) {
	e.ustring(r.Path)
	e.bool(r.Watch)
}

func (r *SyncRequest) encode(e *encoder) { e.ustring(r.Path) }

func (*PingRequest) encode(*encoder) {}

func (r *CheckVersionRequest) encode(e *encoder) {
	e.ustring(r.Path)
	e.int32(r.Version)
}

func (r *ReconfigRequest) encode(e *encoder) {
	e.buffer(r.JoiningServers)
	e.buffer(r.LeavingServers)
	e.buffer(r.NewMembers)
	e.int64(r.CurConfigID)
}

func (r *CheckWatchesRequest) encode(e *encoder) {
	e.ustring(r.Path)
	e.int32(r.Type)
}

func (r *RemoveWatchesRequest) encode(e *encoder) {
	e.ustring(r.Path)
	e.int32(r.Type)
}

func (r *AuthRequest) encode(e *encoder) {
	e.int32(r.Type)
	e.ustring(r.Scheme)
	e.buffer(r.Auth)
}

func (r *SetWatchesRequest) encode(e *encoder) {
	e.int64(r.RelativeZxid)
	e.nullableStrings(r.DataWatches)
	e.nullableStrings(r.ExistWatches)
	e.nullableStrings(r.ChildWatches)
}

func (r *SASLRequest) encode(e *encoder) { e.buffer(r.Token) }

func (r *GetEphemeralsRequest) encode(e *encoder) { e.ustring(r.PrefixPath) }

func (r *GetAllChildrenNumberRequest) encode(e *encoder) { e.ustring(r.Path) }

func (r *SetWatches2Request) encode(e *encoder) {
	e.int64(r.RelativeZxid)
	e.nullableStrings(r.DataWatches)
	e.nullableStrings(r.ExistWatches)
	e.nullableStrings(r.ChildWatches)
	e.nullableStrings(r.PersistentWatches)
	e.nullableStrings(r.PersistentRecursiveWatches)
}

func (r *AddWatchRequest) encode(e *encoder) {
	e.ustring(r.Path)
	e.int32(r.Mode)
}

func (*WhoAmIRequest) encode(*encoder) {}

func (r *CreateSessionRequest) encode(e *encoder) { e.int32(r.TimeOut) }

func (*CloseSessionRequest) encode(*encoder) {}

func decodeCreate(d *decoder) *CreateRequest {
	return &CreateRequest{
		Path:  d.ustring("path"),
		Data:  d.buffer("data"),
		ACL:   decodeACLs(d, "acl"),
		Flags: d.int32("flags"),
	}
}

func decodeCreateTTL(d *decoder) *CreateTTLRequest {
	return &CreateTTLRequest{
		Path:  d.ustring("path"),
		Data:  d.buffer("data"),
		ACL:   decodeACLs(d, "acl"),
		Flags: d.int32("flags"),
		TTL:   d.int64("ttl"),
	}
}

func decodeDelete(d *decoder) *DeleteRequest {
	return &DeleteRequest{Path: d.ustring("path"), Version: d.int32("version")}
}

func decodeSetData(d *decoder) *SetDataRequest {
	return &SetDataRequest{Path: d.ustring("path"), Data: d.buffer("data"), Version: d.int32("version")}
}

func decodeCheck(d *decoder) *CheckVersionRequest {
	return &CheckVersionRequest{Path: d.ustring("path"), Version: d.int32("version")}
}

func decodeGetData(d *decoder) *GetDataRequest {
	return &GetDataRequest{Path: d.ustring("path"), Watch: d.bool("watch")}
}

func decodeGetChildren(d *decoder) *GetChildrenRequest {
	return &GetChildrenRequest{Path: d.ustring("path"), Watch: d.bool("watch")}
}

func decodeSetWatches2(d *decoder) *SetWatches2Request {
	return &SetWatches2Request{
		RelativeZxid:               d.int64("relativeZxid"),
		DataWatches:                stringVector(d, "dataWatches"),
		ExistWatches:               stringVector(d, "existWatches"),
		ChildWatches:               stringVector(d, "childWatches"),
		PersistentWatches:          stringVector(d, "persistentWatches"),
		PersistentRecursiveWatches: stringVector(d, "persistentRecursiveWatches"),
	}
}

// requestDecoders maps each opcode a client may send to its body decoder
// and the record name errors report.
var requestDecoders = map[Opcode]struct {
	record string
	decode func(d *decoder) Request
}{
	OpCreate:  {"CreateRequest", func(d *decoder) Request { return decodeCreate(d) }},
	OpCreate2: {"CreateRequest", func(d *decoder) Request { return (*Create2Request)(decodeCreate(d)) }},
	OpCreateContainer: {"CreateRequest", func(d *decoder) Request {
		return (*CreateContainerRequest)(decodeCreate(d))
	}},
	OpCreateTTL: {"CreateTTLRequest", func(d *decoder) Request { return decodeCreateTTL(d) }},
	OpDelete:    {"DeleteRequest", func(d *decoder) Request { return decodeDelete(d) }},
	OpDeleteContainer: {"DeleteContainerRequest", func(d *decoder) Request {
		return &DeleteContainerRequest{Path: string(d.take("path", d.remaining()))}
	}},
	OpExists: {"ExistsRequest", func(d *decoder) Request {
		return &ExistsRequest{Path: d.ustring("path"), Watch: d.bool("watch")}
	}},
	OpGetData: {"GetDataRequest", func(d *decoder) Request { return decodeGetData(d) }},
	OpSetData: {"SetDataRequest", func(d *decoder) Request { return decodeSetData(d) }},
	OpGetACL:  {"GetACLRequest", func(d *decoder) Request { return &GetACLRequest{Path: d.ustring("path")} }},
	OpSetACL: {"SetACLRequest", func(d *decoder) Request {
		return &SetACLRequest{Path: d.ustring("path"), ACL: decodeACLs(d, "acl"), Version: d.int32("version")}
	}},
	OpGetChildren: {"GetChildrenRequest", func(d *decoder) Request { return decodeGetChildren(d) }},
	OpGetChildren2: {"GetChildren2Request", func(d *decoder) Request {
		return &GetChildren2Request{Path: d.ustring("path"), Watch: d.bool("watch")}
	}},
	OpSync:      {"SyncRequest", func(d *decoder) Request { return &SyncRequest{Path: d.ustring("path")} }},
	OpPing:      {"Ping", func(*decoder) Request { return &PingRequest{} }},
	OpCheck:     {"CheckVersionRequest", func(d *decoder) Request { return decodeCheck(d) }},
	OpMulti:     {"MultiRequest", func(d *decoder) Request { return &MultiRequest{Ops: decodeMultiOps(d)} }},
	OpMultiRead: {"MultiReadRequest", func(d *decoder) Request { return &MultiReadRequest{Ops: decodeMultiOps(d)} }},
	OpReconfig: {"ReconfigRequest", func(d *decoder) Request {
		return &ReconfigRequest{
			JoiningServers: d.buffer("joiningServers"),
			LeavingServers: d.buffer("leavingServers"),
			NewMembers:     d.buffer("newMembers"),
			CurConfigID:    d.int64("curConfigId"),
		}
	}},
	OpCheckWatches: {"CheckWatchesRequest", func(d *decoder) Request {
		return &CheckWatchesRequest{Path: d.ustring("path"), Type: d.int32("type")}
	}},
	OpRemoveWatches: {"RemoveWatchesRequest", func(d *decoder) Request {
		return &RemoveWatchesRequest{Path: d.ustring("path"), Type: d.int32("type")}
	}},
	OpAuth: {"AuthPacket", func(d *decoder) Request {
		return &AuthRequest{Type: d.int32("type"), Scheme: d.ustring("scheme"), Auth: d.buffer("auth")}
	}},
	OpSetWatches: {"SetWatches", func(d *decoder) Request {
		return &SetWatchesRequest{
			RelativeZxid: d.int64("relativeZxid"),
			DataWatches:  stringVector(d, "dataWatches"),
			ExistWatches: stringVector(d, "existWatches"),
			ChildWatches: stringVector(d, "childWatches"),
		}
	}},
	OpSASL: {"GetSASLRequest", func(d *decoder) Request { return &SASLRequest{Token: d.buffer("token")} }},
	OpGetEphemerals: {"GetEphemeralsRequest", func(d *decoder) Request {
		return &GetEphemeralsRequest{PrefixPath: d.ustring("prefixPath")}
	}},
	OpGetAllChildrenNumber: {"GetAllChildrenNumberRequest", func(d *decoder) Request {
		return &GetAllChildrenNumberRequest{Path: d.ustring("path")}
	}},
	OpSetWatches2: {"SetWatches2", func(d *decoder) Request { return decodeSetWatches2(d) }},
	OpAddWatch: {"AddWatchRequest", func(d *decoder) Request {
		return &AddWatchRequest{Path: d.ustring("path"), Mode: d.int32("mode")}
	}},
	OpWhoAmI:        {"WhoAmI", func(*decoder) Request { return &WhoAmIRequest{} }},
	OpCreateSession: {"CreateSession", func(d *decoder) Request { return &CreateSessionRequest{TimeOut: d.int32("timeOut")} }},
	OpCloseSession:  {"CloseSession", func(*decoder) Request { return &CloseSessionRequest{} }},
}
