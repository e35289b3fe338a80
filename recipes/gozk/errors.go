package gozk

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/go-zookeeper/zk"

	"github.com/zabsim/zabsim/tree"
)

// ErrClosed: the call was made on, or was cut short by, a connection the
// program closed. It is not a connection loss, which recipes retry.
var ErrClosed = errors.New("gozk: connection closed by Close")

// serverErrors pairs go-zookeeper's errors for ZooKeeper's reply codes
// with tree's sentinels for the same codes.
var serverErrors = []struct {
	zk   error
	tree *tree.Error
}{
	{zk.ErrAPIError, tree.ErrAPIError},
	{zk.ErrNoNode, tree.ErrNoNode},
	{zk.ErrNoAuth, tree.ErrNoAuth},
	{zk.ErrBadVersion, tree.ErrBadVersion},
	{zk.ErrNoChildrenForEphemerals, tree.ErrNoChildrenForEphemerals},
	{zk.ErrNodeExists, tree.ErrNodeExists},
	{zk.ErrNotEmpty, tree.ErrNotEmpty},
	{zk.ErrSessionExpired, tree.ErrSessionExpired},
	{zk.ErrInvalidACL, tree.ErrInvalidACL},
	{zk.ErrAuthFailed, tree.ErrAuthFailed},
	{zk.ErrSessionMoved, tree.ErrSessionMoved},
	{zk.ErrBadArguments, tree.ErrBadArguments},
}

// unknownCode is how go-zookeeper spells a reply code it has no error
// for (RuntimeInconsistency, say, which a failed multi gives the ops
// after the failing one).
const unknownCode = "unknown error: "

// mapError turns an error of go-zookeeper into tree's sentinel for the
// same condition, so recipes test it with errors.Is as they do in the
// simulator. closed says whether the program closed the connection.
func mapError(err error, closed bool) error {
	if err == nil {
		return nil
	}
	for _, m := range serverErrors {
		if errors.Is(err, m.zk) {
			return m.tree
		}
	}
	if code, ok := strings.CutPrefix(err.Error(), unknownCode); ok {
		if n, perr := strconv.ParseInt(code, 10, 32); perr == nil {
			if e, ok := tree.ErrorForCode(int32(n)); ok && e != nil {
				return e
			}
		}
	}
	var netErr net.Error
	lost := errors.Is(err, zk.ErrConnectionClosed) || errors.Is(err, zk.ErrNoServer) || errors.As(err, &netErr)
	switch {
	case errors.Is(err, zk.ErrClosing), closed && lost:
		return fmt.Errorf("%w (%v)", ErrClosed, err)
	case lost:
		// A reply that never came, a request flushed because no server
		// answered, or a write to a dead socket: the effect is unknown.
		return fmt.Errorf("%w (%v)", tree.ErrConnectionLoss, err)
	case errors.Is(err, zk.ErrInvalidPath), errors.Is(err, zk.ErrInvalidFlags):
		return fmt.Errorf("%w (%v)", tree.ErrBadArguments, err)
	}
	return fmt.Errorf("gozk: %w", err)
}
