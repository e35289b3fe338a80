package testlog

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// fakeTB records lines and holds cleanups until the test says it ended.
type fakeTB struct {
	testing.TB
	lines    []string
	cleanups []func()
}

func (f *fakeTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }

func (f *fakeTB) Logf(format string, args ...any) {
	f.lines = append(f.lines, fmt.Sprintf(format, args...))
}

func (f *fakeTB) end() {
	for _, fn := range f.cleanups {
		fn()
	}
}

func TestLogfDropsAfterTheEnd(t *testing.T) {
	f := &fakeTB{TB: t}
	logf := Logf(f)
	logf("during the test: %d", 1)
	f.end()
	logf("after the test: %d", 2)
	require.Equal(t, []string{"during the test: 1"}, f.lines)
}
