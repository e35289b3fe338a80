package gozk

import (
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/go-zookeeper/zk"
	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/tree"
)

func TestMapError(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		closed bool
		want   error
	}{
		{"nil", nil, false, nil},
		{"no node", zk.ErrNoNode, false, tree.ErrNoNode},
		{"node exists", zk.ErrNodeExists, false, tree.ErrNodeExists},
		{"bad version", zk.ErrBadVersion, false, tree.ErrBadVersion},
		{"not empty", zk.ErrNotEmpty, false, tree.ErrNotEmpty},
		{"ephemeral parent", zk.ErrNoChildrenForEphemerals, false, tree.ErrNoChildrenForEphemerals},
		{"session expired", zk.ErrSessionExpired, false, tree.ErrSessionExpired},
		{"session moved", zk.ErrSessionMoved, false, tree.ErrSessionMoved},
		{"no auth", zk.ErrNoAuth, false, tree.ErrNoAuth},
		{"invalid acl", zk.ErrInvalidACL, false, tree.ErrInvalidACL},
		{"server bad arguments", zk.ErrBadArguments, false, tree.ErrBadArguments},
		{"a code go-zookeeper cannot name", fmt.Errorf("unknown error: %v", int32(-2)), false, tree.ErrRuntimeInconsistency},
		{"reply lost with the connection", zk.ErrConnectionClosed, false, tree.ErrConnectionLoss},
		{"no server answered", zk.ErrNoServer, false, tree.ErrConnectionLoss},
		{"write to a dead socket", &net.OpError{Op: "write", Net: "tcp", Err: errors.New("broken pipe")}, false, tree.ErrConnectionLoss},
		{"closed by the program", zk.ErrConnectionClosed, true, ErrClosed},
		{"no server after Close", zk.ErrNoServer, true, ErrClosed},
		{"closing", zk.ErrClosing, false, ErrClosed},
		{"invalid path", zk.ErrInvalidPath, false, tree.ErrBadArguments},
		{"invalid flags", fmt.Errorf("Create with TTL flag disallowed: %w", zk.ErrInvalidFlags), false, tree.ErrBadArguments},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mapError(tc.err, tc.closed)
			if tc.want == nil {
				require.NoError(t, got)
				return
			}
			require.ErrorIs(t, got, tc.want)
		})
	}
}

func TestMapErrorKeepsWhatItCannotName(t *testing.T) {
	for _, err := range []error{errors.New("something else"), fmt.Errorf("unknown error: %v", int32(-999))} {
		got := mapError(err, false)
		require.ErrorIs(t, got, err)
		require.NotErrorIs(t, got, tree.ErrConnectionLoss)
		require.Contains(t, got.Error(), "gozk: ")
	}
}

func TestDialRefusesBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{SessionTimeout: 1},
		{Servers: []string{"127.0.0.1:1"}},
	} {
		_, err := Dial(cfg)
		require.ErrorIs(t, err, ErrConfig)
	}
}
