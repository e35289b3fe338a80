package sim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSkewedTicksArriveAtTheSkewedRate(t *testing.T) {
	tests := []struct {
		rate float64
		want uint64
	}{
		{rate: 1, want: 1000},
		{rate: 1.5, want: 1500},
		{rate: 0.5, want: 500},
		{rate: 3, want: 3000},
	}
	for _, tt := range tests {
		s, _ := world(8, 2, 10*time.Millisecond, nil)
		s.Node(1).SetTickRate(tt.rate)
		require.NoError(t, s.RunFor(10*time.Second))
		require.InDelta(t, 1000, s.Node(0).Ticks(), 1, "the unskewed node")
		require.InDelta(t, tt.want, s.Node(1).Ticks(), 1, "rate %v", tt.rate)
	}
	s, _ := world(8, 1, time.Millisecond, nil)
	require.Panics(t, func() { s.Node(0).SetTickRate(0) })
}

func TestCrashRestartRebuildsFromDisk(t *testing.T) {
	cfg := DefaultDisk
	s := New(Config{Seed: 3})
	starts := 0
	var seen [][]byte
	s.AddNode(NodeConfig{Name: "a", Tick: time.Millisecond, Disk: &cfg, Start: func(ctx *NodeContext) Process {
		starts++
		recs, _, err := ctx.Disk().Load()
		require.NoError(t, err)
		seen = recs
		return &recorder{ctx: ctx}
	}})
	d := s.Node(0).Disk()
	_, err := d.Append([]byte("x"))
	require.NoError(t, err)
	d.Sync(nil)
	require.NoError(t, s.RunFor(100*time.Millisecond))
	ticksBefore := s.Node(0).Process().(*recorder).ticks
	require.Greater(t, ticksBefore, 50)
	s.Node(0).Crash()
	require.False(t, s.Node(0).Up())
	require.Nil(t, s.Node(0).Process())
	require.NoError(t, s.RunFor(100*time.Millisecond))
	s.Node(0).Restart()
	require.Panics(t, func() { s.Node(0).Restart() }, "restarting a running node is a bug")
	require.Equal(t, 2, starts)
	require.Equal(t, [][]byte{[]byte("x")}, seen)
	require.Equal(t, uint32(1), s.Node(0).Incarnation())
	require.NoError(t, s.RunFor(100*time.Millisecond))
	require.InDelta(t, 100, s.Node(0).Process().(*recorder).ticks, 1, "the new incarnation ticks; the old one's ticks stopped")
}

func TestStaleIncarnationCannotAct(t *testing.T) {
	s, rec := world(3, 2, 0, nil)
	old := s.Node(0).ctx
	fired := false
	old.After(time.Millisecond, func() { fired = true })
	s.Node(0).Crash()
	s.Node(0).Restart()
	old.Send(1, 1)
	old.After(0, func() { fired = true })
	require.NoError(t, s.RunFor(time.Second))
	require.False(t, fired)
	require.Empty(t, rec(1).got)
	require.False(t, old.Alive())
}

func TestPauseSkipsTicksAndDefersTimers(t *testing.T) {
	s, rec := world(3, 1, time.Millisecond, nil)
	fired := Time(-1)
	ctx := s.Node(0).ctx
	ctx.After(5*time.Millisecond, func() { fired = ctx.Now() })
	s.Node(0).Pause()
	require.True(t, s.Node(0).Paused())
	require.NoError(t, s.RunFor(100*time.Millisecond))
	require.Equal(t, 0, rec(0).ticks)
	require.Equal(t, Time(-1), fired)
	s.Node(0).Resume()
	require.NoError(t, s.RunFor(10*time.Millisecond))
	require.Equal(t, Time(100*time.Millisecond), fired, "the timer ran on resume")
	require.InDelta(t, 10, rec(0).ticks, 1)
}

func TestTraceDescribesEventsWithNames(t *testing.T) {
	s := New(Config{Seed: 1})
	for _, name := range []string{"s1", "s2"} {
		s.AddNode(NodeConfig{Name: name, Start: func(ctx *NodeContext) Process { return &recorder{ctx: ctx} }})
	}
	s.Record(0)
	send(s, 0, 1, "hello")
	s.Net.Partition([]NodeID{0}, []NodeID{1})
	require.NoError(t, s.RunFor(time.Second))
	var lines []string
	for _, e := range s.Trace() {
		lines = append(lines, s.Describe(e))
	}
	require.Equal(t, []string{
		"0.000000000s send s1->s2 #1 hello",
		"0.000000000s fault partition s1 | s2",
	}, lines, "the message waits on the stream link, so no deliver line")
}
