package nemesis

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestCrashReported: a server that exits on its own is reported with the
// end of its log; one the harness kills or stops is not.
func TestCrashReported(t *testing.T) {
	cases := []struct {
		name   string
		script string
		end    func(*cluster) error
		want   []string
	}{
		{"exits on its own", "echo fatal: disk on fire; exit 3", nil,
			[]string{"server 1 exited on its own (exit status 3)", "    fatal: disk on fire"}},
		{"killed by the harness", "sleep 30", func(c *cluster) error { return c.kill(1) }, nil},
		{"stopped by the harness", "sleep 30", func(c *cluster) error { c.stopAll(); return nil }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			nw, err := newLoopbackNet(1, 1)
			require.NoError(t, err)
			defer nw.Close()
			c := &cluster{n: 1, dir: t.TempDir(), command: []string{"sh", "-c", tc.script}, net: nw, procs: map[uint64]*process{}}
			require.NoError(t, c.writeConfigs(200*time.Millisecond))
			require.NoError(t, c.start(1))
			if tc.end != nil {
				require.NoError(t, tc.end(c))
			}
			<-c.proc(1).done
			crashes := c.crashReports()
			if tc.want == nil {
				require.Empty(t, crashes)
				return
			}
			require.Len(t, crashes, 1)
			for _, w := range tc.want {
				require.Contains(t, crashes[0], w)
			}
		})
	}
}
