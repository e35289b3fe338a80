package gozk

import (
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestCallWaitsForAServer: with no server to talk to, go-zookeeper gives
// up on a queued call after trying every address (about a second); the
// adapter queues it again, as the simulated client waits for a
// connection, until Close.
func TestCallWaitsForAServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now

	c, err := Dial(Config{Servers: []string{addr}, SessionTimeout: 2 * time.Second, Logger: quiet{}})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		_, _, err := c.Exists("/x", false)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("the call returned %v without a server", err)
	case <-time.After(2500 * time.Millisecond):
	}
	c.Close()
	select {
	case err := <-done:
		require.ErrorIs(t, err, ErrClosed)
	case <-time.After(5 * time.Second):
		t.Fatal("the call still waits after Close")
	}
	require.Zero(t, c.Session())
}
