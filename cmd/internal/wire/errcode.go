package wire

import "strconv"

// ErrCode is the err field of a ReplyHeader, of a MultiHeader and of an
// ErrorResponse: ZooKeeper's KeeperException.Code as a number. It stays a
// number here; mapping it to the tree package's errors is the server's job.
type ErrCode int32

// Error codes of ZooKeeper 3.8 (KeeperException.Code) plus the C client's
// -9, -116 and -117, which go-zookeeper also names.
const (
	ErrOK                           ErrCode = 0
	ErrSystemError                  ErrCode = -1
	ErrRuntimeInconsistency         ErrCode = -2
	ErrDataInconsistency            ErrCode = -3
	ErrConnectionLoss               ErrCode = -4
	ErrMarshallingError             ErrCode = -5
	ErrUnimplemented                ErrCode = -6
	ErrOperationTimeout             ErrCode = -7
	ErrBadArguments                 ErrCode = -8
	ErrInvalidState                 ErrCode = -9
	ErrUnknownSession               ErrCode = -12
	ErrNewConfigNoQuorum            ErrCode = -13
	ErrReconfigInProgress           ErrCode = -14
	ErrAPIError                     ErrCode = -100
	ErrNoNode                       ErrCode = -101
	ErrNoAuth                       ErrCode = -102
	ErrBadVersion                   ErrCode = -103
	ErrNoChildrenForEphemerals      ErrCode = -108
	ErrNodeExists                   ErrCode = -110
	ErrNotEmpty                     ErrCode = -111
	ErrSessionExpired               ErrCode = -112
	ErrInvalidCallback              ErrCode = -113
	ErrInvalidACL                   ErrCode = -114
	ErrAuthFailed                   ErrCode = -115
	ErrClosing                      ErrCode = -116
	ErrNothing                      ErrCode = -117
	ErrSessionMoved                 ErrCode = -118
	ErrNotReadOnly                  ErrCode = -119
	ErrEphemeralOnLocalSession      ErrCode = -120
	ErrNoWatcher                    ErrCode = -121
	ErrRequestTimeout               ErrCode = -122
	ErrReconfigDisabled             ErrCode = -123
	ErrSessionClosedRequireSASLAuth ErrCode = -124
	ErrQuotaExceeded                ErrCode = -125
	ErrThrottledOp                  ErrCode = -127
)

// Names are ZooKeeper's own upper-case spellings, so logs can be grepped
// against ZooKeeper's and against ZK-SEMANTICS.md.
var errCodeNames = map[ErrCode]string{
	ErrOK: "OK", ErrSystemError: "SYSTEMERROR",
	ErrRuntimeInconsistency: "RUNTIMEINCONSISTENCY",
	ErrDataInconsistency:    "DATAINCONSISTENCY", ErrConnectionLoss: "CONNECTIONLOSS",
	ErrMarshallingError: "MARSHALLINGERROR", ErrUnimplemented: "UNIMPLEMENTED",
	ErrOperationTimeout: "OPERATIONTIMEOUT", ErrBadArguments: "BADARGUMENTS",
	ErrInvalidState: "INVALIDSTATE", ErrUnknownSession: "UNKNOWNSESSION",
	ErrNewConfigNoQuorum: "NEWCONFIGNOQUORUM", ErrReconfigInProgress: "RECONFIGINPROGRESS",
	ErrAPIError: "APIERROR", ErrNoNode: "NONODE", ErrNoAuth: "NOAUTH",
	ErrBadVersion: "BADVERSION", ErrNoChildrenForEphemerals: "NOCHILDRENFOREPHEMERALS",
	ErrNodeExists: "NODEEXISTS", ErrNotEmpty: "NOTEMPTY",
	ErrSessionExpired: "SESSIONEXPIRED", ErrInvalidCallback: "INVALIDCALLBACK",
	ErrInvalidACL: "INVALIDACL", ErrAuthFailed: "AUTHFAILED", ErrClosing: "CLOSING",
	ErrNothing: "NOTHING", ErrSessionMoved: "SESSIONMOVED", ErrNotReadOnly: "NOTREADONLY",
	ErrEphemeralOnLocalSession: "EPHEMERALONLOCALSESSION", ErrNoWatcher: "NOWATCHER",
	ErrRequestTimeout: "REQUESTTIMEOUT", ErrReconfigDisabled: "RECONFIGDISABLED",
	ErrSessionClosedRequireSASLAuth: "SESSIONCLOSEDREQUIRESASLAUTH",
	ErrQuotaExceeded:                "QUOTAEXCEEDED", ErrThrottledOp: "THROTTLEDOP",
}

func (c ErrCode) String() string {
	if n, ok := errCodeNames[c]; ok {
		return n
	}
	return "ERR(" + strconv.Itoa(int(c)) + ")"
}
