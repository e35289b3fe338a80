package wire

import "strconv"

// Opcode is the type field of a RequestHeader and of a MultiHeader.
type Opcode int32

// Opcodes as in ZooKeeper 3.8's ZooDefs.OpCode.
const (
	OpNotification         Opcode = 0
	OpCreate               Opcode = 1
	OpDelete               Opcode = 2
	OpExists               Opcode = 3
	OpGetData              Opcode = 4
	OpSetData              Opcode = 5
	OpGetACL               Opcode = 6
	OpSetACL               Opcode = 7
	OpGetChildren          Opcode = 8
	OpSync                 Opcode = 9
	OpPing                 Opcode = 11
	OpGetChildren2         Opcode = 12
	OpCheck                Opcode = 13
	OpMulti                Opcode = 14
	OpCreate2              Opcode = 15
	OpReconfig             Opcode = 16
	OpCheckWatches         Opcode = 17
	OpRemoveWatches        Opcode = 18
	OpCreateContainer      Opcode = 19
	OpDeleteContainer      Opcode = 20
	OpCreateTTL            Opcode = 21
	OpMultiRead            Opcode = 22
	OpAuth                 Opcode = 100
	OpSetWatches           Opcode = 101
	OpSASL                 Opcode = 102
	OpGetEphemerals        Opcode = 103
	OpGetAllChildrenNumber Opcode = 104
	OpSetWatches2          Opcode = 105
	OpAddWatch             Opcode = 106
	OpWhoAmI               Opcode = 107
	OpCreateSession        Opcode = -10
	OpCloseSession         Opcode = -11
	// OpError marks a failed op's result inside a multi response and the
	// END header that closes every multi request and response.
	OpError Opcode = -1
)

var opcodeNames = map[Opcode]string{
	OpNotification: "notification", OpCreate: "create", OpDelete: "delete",
	OpExists: "exists", OpGetData: "getData", OpSetData: "setData",
	OpGetACL: "getACL", OpSetACL: "setACL", OpGetChildren: "getChildren",
	OpSync: "sync", OpPing: "ping", OpGetChildren2: "getChildren2",
	OpCheck: "check", OpMulti: "multi", OpCreate2: "create2",
	OpReconfig: "reconfig", OpCheckWatches: "checkWatches",
	OpRemoveWatches: "removeWatches", OpCreateContainer: "createContainer",
	OpDeleteContainer: "deleteContainer", OpCreateTTL: "createTTL",
	OpMultiRead: "multiRead", OpAuth: "auth", OpSetWatches: "setWatches",
	OpSASL: "sasl", OpGetEphemerals: "getEphemerals",
	OpGetAllChildrenNumber: "getAllChildrenNumber", OpSetWatches2: "setWatches2",
	OpAddWatch: "addWatch", OpWhoAmI: "whoAmI", OpCreateSession: "createSession",
	OpCloseSession: "closeSession", OpError: "error",
}

func (o Opcode) String() string {
	if n, ok := opcodeNames[o]; ok {
		return n
	}
	return "op(" + strconv.Itoa(int(o)) + ")"
}

// Special xids. The server echoes whatever xid a request carries, so these
// matter only to the side that chooses them: notifications always go out
// with XidNotification, and a ping reply always with XidPing (ZooKeeper
// answers a ping with PING_XID whatever the request said).
const (
	XidNotification int32 = -1
	XidPing         int32 = -2
	XidAuth         int32 = -4
	XidSetWatches   int32 = -8
)
