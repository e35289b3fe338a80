package tree

import "errors"

// Error is a ZooKeeper error: the numeric code a client sees in the reply
// header. The values are sentinels, so callers compare with errors.Is and
// the server layer turns them back into codes with Code.
type Error struct {
	code int32
	name string
}

func (e *Error) Error() string { return "zk: " + e.name }

// Code is the value ZooKeeper puts in ReplyHeader.err.
func (e *Error) Code() int32 { return e.code }

// The errors the tree answers, numbered as ZooKeeper 3.8's KeeperException.Code.
var (
	ErrSystemError             = &Error{-1, "SystemError"}
	ErrRuntimeInconsistency    = &Error{-2, "RuntimeInconsistency"}
	ErrDataInconsistency       = &Error{-3, "DataInconsistency"}
	ErrConnectionLoss          = &Error{-4, "ConnectionLoss"}
	ErrMarshallingError        = &Error{-5, "MarshallingError"}
	ErrUnimplemented           = &Error{-6, "Unimplemented"}
	ErrBadArguments            = &Error{-8, "BadArguments"}
	ErrAPIError                = &Error{-100, "APIError"}
	ErrNoNode                  = &Error{-101, "NoNode"}
	ErrNoAuth                  = &Error{-102, "NoAuth"}
	ErrBadVersion              = &Error{-103, "BadVersion"}
	ErrNoChildrenForEphemerals = &Error{-108, "NoChildrenForEphemerals"}
	ErrNodeExists              = &Error{-110, "NodeExists"}
	ErrNotEmpty                = &Error{-111, "NotEmpty"}
	ErrSessionExpired          = &Error{-112, "SessionExpired"}
	ErrSessionMoved            = &Error{-118, "SessionMoved"}
	ErrInvalidACL              = &Error{-114, "InvalidACL"}
	ErrAuthFailed              = &Error{-115, "AuthFailed"}
	ErrNoWatcher               = &Error{-121, "NoWatcher"}
)

var errorsByCode = map[int32]*Error{}

func init() {
	for _, e := range []*Error{
		ErrSystemError, ErrRuntimeInconsistency, ErrDataInconsistency, ErrMarshallingError,
		ErrUnimplemented, ErrBadArguments, ErrAPIError, ErrNoNode, ErrNoAuth, ErrBadVersion,
		ErrNoChildrenForEphemerals, ErrNodeExists, ErrNotEmpty, ErrSessionExpired,
		ErrInvalidACL, ErrAuthFailed, ErrNoWatcher, ErrConnectionLoss, ErrSessionMoved,
	} {
		errorsByCode[e.code] = e
	}
}

// ErrorForCode returns the sentinel for a ZooKeeper code: nil for 0, and
// false for a code the tree never produces (it cannot name it).
func ErrorForCode(code int32) (*Error, bool) {
	if code == 0 {
		return nil, true
	}
	e, ok := errorsByCode[code]
	return e, ok
}

// CodeOf is err's ZooKeeper code: 0 for nil, SystemError for an error that
// is not one of the sentinels (the server must not invent codes).
func CodeOf(err error) int32 {
	if err == nil {
		return 0
	}
	var e *Error
	if errors.As(err, &e) {
		return e.code
	}
	return ErrSystemError.code
}
