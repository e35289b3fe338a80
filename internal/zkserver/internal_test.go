package zkserver

import (
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Start retries on another port only when it can tell from the log that the
// port was taken, so that log line and the error's log tail matter.
func TestFailedStartQuotesLogTail(t *testing.T) {
	Require(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port

	s, err := launch(t.TempDir(), 0, port, nil, nil)
	require.NoError(t, err)
	defer s.Stop()
	err = s.waitReady(time.Now().Add(ReadyTimeout))
	require.Error(t, err)
	require.Contains(t, err.Error(), strconv.Itoa(port))
	require.Contains(t, err.Error(), "Address already in use")
}
