// Package testlog gives servers and clients that a test starts a log
// function that writes to the test's log and outlives the test safely.
package testlog

import (
	"sync"
	"testing"
)

// Logf logs through t until the test ends, then drops lines: servers and
// clients may still log while they stop, and testing panics on a log
// after the end.
func Logf(t testing.TB) func(format string, args ...any) {
	var mu sync.Mutex
	done := false
	t.Cleanup(func() {
		mu.Lock()
		done = true
		mu.Unlock()
	})
	return func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			t.Logf(format, args...)
		}
	}
}
