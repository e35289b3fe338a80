package live

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/cmd/internal/wire"
)

// A log write that fails ends the server with ErrFatal, as ZooKeeper
// exits when its log cannot be written, and does not hang its shutdown:
// the disk goroutine's one answer for the failed batch is all there is.
// The log segment's descriptor is swapped for /dev/full, whose writes
// fail with ENOSPC. Not parallel: its free ports could be ones a
// parallel test's stopped server is about to bind again.
func TestLogWriteFailureEndsTheServer(t *testing.T) {
	dir := t.TempDir()
	s := startOne(t, Config{Dir: dir})

	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	require.NoError(t, err)
	defer full.Close()
	fds, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	swapped := 0
	for _, e := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err != nil || !strings.HasPrefix(target, dir) || !strings.HasPrefix(filepath.Base(target), "log.") {
			continue
		}
		fd, err := strconv.Atoi(e.Name())
		require.NoError(t, err)
		require.NoError(t, syscall.Dup3(int(full.Fd()), fd, syscall.O_CLOEXEC))
		swapped++
	}
	require.Positive(t, swapped, "no log segment open under %s", dir)

	// A new session is a transaction: its log write fails.
	nc, err := net.DialTimeout("tcp", s.ClientAddr(), 5*time.Second)
	require.NoError(t, err)
	defer nc.Close()
	(&rawClient{t: t, nc: nc}).write(wire.EncodeConnectRequest(&wire.ConnectRequest{TimeOut: 4000, Passwd: make([]byte, wire.PasswdSize)}))
	select {
	case <-s.Done():
	case <-time.After(20 * time.Second):
		t.Fatal("the server neither stopped nor failed after its log write failed")
	}
	require.True(t, errors.Is(s.Err(), ErrFatal), "Err = %v", s.Err())
}
