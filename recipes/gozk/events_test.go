package gozk

import (
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/recipes"
)

func state(s zk.State) zk.Event { return zk.Event{Type: zk.EventSession, State: s} }

func node(t zk.EventType, path string) zk.Event { return zk.Event{Type: t, Path: path} }

// drain takes every queued event.
func drain(q *events) []recipes.Event {
	var out []recipes.Event
	for {
		ev, ok := q.next(0)
		if !ok {
			return out
		}
		out = append(out, ev)
	}
}

func TestEventsMerge(t *testing.T) {
	connect := []zk.Event{state(zk.StateConnecting), state(zk.StateConnected), state(zk.StateHasSession)}
	disconnected := recipes.Event{Type: recipes.EventDisconnected}
	connected := recipes.Event{Type: recipes.EventConnected}
	expired := recipes.Event{Type: recipes.EventExpired}
	for _, tc := range []struct {
		name string
		in   [][]zk.Event
		want []recipes.Event
	}{
		{"the first session is no event", [][]zk.Event{connect}, nil},
		{"failed attempts before the first session are no events", [][]zk.Event{
			{state(zk.StateConnecting), state(zk.StateConnected), state(zk.StateDisconnected)}, connect,
		}, nil},
		{"notifications in order, with their paths", [][]zk.Event{connect, {
			node(zk.EventNodeCreated, "/a"), node(zk.EventNodeDeleted, "/b"),
			node(zk.EventNodeDataChanged, "/c"), node(zk.EventNodeChildrenChanged, "/d"),
		}}, []recipes.Event{
			{Type: recipes.EventNodeCreated, Path: "/a"}, {Type: recipes.EventNodeDeleted, Path: "/b"},
			{Type: recipes.EventNodeDataChanged, Path: "/c"}, {Type: recipes.EventNodeChildrenChanged, Path: "/d"},
		}},
		{"a lost connection and the session back", [][]zk.Event{connect, {state(zk.StateDisconnected)}, connect},
			[]recipes.Event{disconnected, connected}},
		{"failed attempts while down say nothing more", [][]zk.Event{
			connect, {state(zk.StateDisconnected), state(zk.StateConnecting), state(zk.StateConnected), state(zk.StateDisconnected)}, connect,
		}, []recipes.Event{disconnected, connected}},
		{"expiry, then a new session", [][]zk.Event{
			connect, {state(zk.StateDisconnected), state(zk.StateConnecting), state(zk.StateConnected), state(zk.StateExpired),
				// go-zookeeper drops the old session's watches and reports it.
				{Type: zk.EventNotWatching, State: zk.StateDisconnected, Path: "/w", Err: zk.ErrSessionExpired},
				state(zk.StateDisconnected)}, connect,
		}, []recipes.Event{disconnected, expired, connected}},
		{"a notification between disconnections keeps its place", [][]zk.Event{
			connect, {node(zk.EventNodeDeleted, "/x"), state(zk.StateDisconnected)}, connect, {node(zk.EventNodeCreated, "/y")},
		}, []recipes.Event{{Type: recipes.EventNodeDeleted, Path: "/x"}, disconnected, connected, {Type: recipes.EventNodeCreated, Path: "/y"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := newEvents()
			for _, batch := range tc.in {
				for _, ev := range batch {
					q.observe(ev)
				}
			}
			require.Equal(t, tc.want, drain(q))
		})
	}
}

func TestEventsBounded(t *testing.T) {
	q := newEvents()
	for range eventsMax + 3 {
		q.observe(node(zk.EventNodeDataChanged, "/n"))
	}
	require.Equal(t, 3, q.lost())
	require.Len(t, drain(q), eventsMax)
}

func TestEventsNextWaits(t *testing.T) {
	q := newEvents()
	_, ok := q.next(0)
	require.False(t, ok, "a poll of an empty queue")

	begin := time.Now()
	_, ok = q.next(30 * time.Millisecond)
	require.False(t, ok)
	require.GreaterOrEqual(t, time.Since(begin), 30*time.Millisecond)

	go func() {
		time.Sleep(20 * time.Millisecond)
		q.observe(node(zk.EventNodeDeleted, "/lock/a"))
	}()
	ev, ok := q.next(-1)
	require.True(t, ok)
	require.Equal(t, recipes.Event{Type: recipes.EventNodeDeleted, Path: "/lock/a"}, ev)

	go func() {
		time.Sleep(20 * time.Millisecond)
		q.close()
	}()
	_, ok = q.next(-1)
	require.False(t, ok, "Close ends an unbounded wait")
	q.observe(node(zk.EventNodeCreated, "/late"))
	_, ok = q.next(-1)
	require.False(t, ok, "nothing is queued after Close")
}
