package check

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/recipes"
)

func keyed(ms int, client string, k recipes.Kind, key string, value int64) recipes.Entry {
	e := at(ms, client, k, value)
	e.Key = key
	return e
}

func TestMembershipChecker(t *testing.T) {
	const bound = time.Second
	joined := func(ms int, m string) recipes.Entry { return keyed(ms, m, recipes.Joined, m, 0) }
	left := func(ms int, m string) recipes.Entry { return keyed(ms, m, recipes.Left, m, 0) }
	view := func(ms int, w, members string) recipes.Entry { return keyed(ms, w, recipes.View, members, 0) }
	pick := func(ms int, w, m string) recipes.Entry { return keyed(ms, w, recipes.Picked, m, 0) }
	for _, tc := range []struct {
		name    string
		entries []recipes.Entry
		want    []linearize.Check
	}{
		{"converged", []recipes.Entry{
			view(0, "w", ""), joined(10, "a"), joined(20, "b"), view(30, "w", "a,b"), left(100, "a"),
			view(110, "w", "b"), pick(500, "w", "b"), view(3000, "w", "b"),
		}, nil},
		{"a stale view", []recipes.Entry{
			joined(10, "a"), joined(20, "b"), view(30, "w", "a,b"), left(100, "a"), view(3000, "w", "a,b"),
		}, []linearize.Check{MembershipConverged}},
		{"a member missing from the view", []recipes.Entry{
			joined(10, "a"), view(30, "w", "a"), joined(100, "b"), view(3000, "w", "a"),
		}, []linearize.Check{MembershipConverged}},
		{"a watcher that stopped hearing", []recipes.Entry{
			joined(10, "a"), view(30, "w", "a"), view(31, "x", "a"), joined(100, "b"), view(110, "x", "a,b"), pick(3000, "x", "b"),
		}, []linearize.Check{MembershipConverged}},
		{"judged on the last settled stretch", []recipes.Entry{
			joined(10, "a"), view(30, "w", "a"), joined(2500, "b"), view(3000, "w", "a"),
		}, nil},
		{"a pick of a member that left long before", []recipes.Entry{
			joined(10, "a"), joined(20, "b"), left(100, "a"), pick(500, "w", "a"), pick(2000, "w", "a"),
		}, []linearize.Check{MembershipPick}},
		{"a pick just before the member records its join", []recipes.Entry{
			pick(500, "w", "a"), joined(600, "a"),
		}, nil},
		{"a pick of a member that never was", []recipes.Entry{
			joined(10, "a"), pick(500, "w", "z"),
		}, []linearize.Check{MembershipPick}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Membership(logOf(tc.entries...), bound)
			require.NoError(t, err)
			require.Equal(t, tc.want, checks(v))
		})
	}
}

func TestConfigChecker(t *testing.T) {
	written := func(ms int, v int64) recipes.Entry { return at(ms, "writer", recipes.ConfigWritten, v) }
	acted := func(ms int, r string, v int64) recipes.Entry { return at(ms, r, recipes.ConfigActed, v) }
	for _, tc := range []struct {
		name    string
		entries []recipes.Entry
		want    []linearize.Check
	}{
		{"every reader on the last version", []recipes.Entry{
			written(0, 1), acted(5, "a", 1), acted(6, "b", 1), written(10, 2), written(20, 3), acted(25, "a", 3),
			acted(26, "b", 2), acted(30, "b", 3),
		}, nil},
		{"a reader going back to an older version", []recipes.Entry{
			written(0, 1), written(10, 2), acted(15, "a", 2), acted(16, "a", 1), acted(20, "a", 2),
		}, []linearize.Check{ConfigOrder}},
		{"a reader left on an old version", []recipes.Entry{
			written(0, 1), acted(5, "a", 1), acted(6, "b", 1), written(10, 2), acted(15, "a", 2),
		}, []linearize.Check{ConfigFinal}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Config(logOf(tc.entries...))
			require.NoError(t, err)
			require.Equal(t, tc.want, checks(v))
		})
	}
}

func TestQueueChecker(t *testing.T) {
	produced := func(ms int, key string) recipes.Entry { return keyed(ms, "p", recipes.Produced, key, 0) }
	consumed := func(ms int, c, item string, zxid int64) recipes.Entry {
		return keyed(ms, c, recipes.Consumed, item, zxid)
	}
	for _, tc := range []struct {
		name    string
		entries []recipes.Entry
		want    []linearize.Check
	}{
		{"in order, once each", []recipes.Entry{
			produced(0, "p-0"), produced(10, "p-1"), produced(20, "p-2"),
			// Recorded out of order, committed in order.
			consumed(30, "a", "p-1-0000000003", 0x105), consumed(31, "b", "p-0-0000000001", 0x104),
			consumed(40, "a", "p-2-0000000005", 0x107),
		}, nil},
		{"consumed before its producer heard back", []recipes.Entry{
			consumed(5, "a", "p-0-0000000001", 0x104), produced(10, "p-0"),
		}, nil},
		{"two consumers of one item", []recipes.Entry{
			produced(0, "p-0"), consumed(30, "a", "p-0-0000000001", 0x104), consumed(31, "b", "p-0-0000000001", 0x105),
		}, []linearize.Check{QueueOnce}},
		{"an item consumed out of order", []recipes.Entry{
			produced(0, "p-0"), produced(10, "p-1"),
			consumed(30, "a", "p-1-0000000003", 0x104), consumed(31, "b", "p-0-0000000001", 0x105),
		}, []linearize.Check{QueueFIFO}},
		{"an item lost", []recipes.Entry{
			produced(0, "p-0"), produced(10, "p-1"), consumed(30, "a", "p-1-0000000003", 0x104),
		}, []linearize.Check{QueueOnce}},
		{"an item invented", []recipes.Entry{
			produced(0, "p-0"), consumed(30, "a", "p-0-0000000001", 0x104), consumed(31, "a", "x-9-0000000002", 0x105),
		}, []linearize.Check{QueueInvented}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Queue(logOf(tc.entries...))
			require.NoError(t, err)
			require.Equal(t, tc.want, checks(v))
		})
	}
	_, err := Queue(logOf(keyed(0, "a", recipes.Consumed, "not-an-item", 1)))
	require.ErrorIs(t, err, ErrMalformed)
}

func TestBarrierChecker(t *testing.T) {
	step := func(ms int, p string, k recipes.Kind) recipes.Entry { return at(ms, p, k, 1) }
	arrive := func(ms int, p string) recipes.Entry { return step(ms, p, recipes.BarrierArrived) }
	enter := func(ms int, p string) recipes.Entry { return step(ms, p, recipes.BarrierEntered) }
	leaving := func(ms int, p string) recipes.Entry { return step(ms, p, recipes.BarrierLeaving) }
	left := func(ms int, p string) recipes.Entry { return step(ms, p, recipes.BarrierLeft) }
	for _, tc := range []struct {
		name    string
		entries []recipes.Entry
		want    []linearize.Check
	}{
		{"a round", []recipes.Entry{
			arrive(0, "a"), arrive(5, "b"), enter(10, "a"), enter(11, "b"),
			leaving(20, "b"), leaving(30, "a"), left(35, "a"), left(36, "b"),
		}, nil},
		{"entered before all arrived", []recipes.Entry{
			arrive(0, "a"), enter(10, "a"), arrive(15, "b"), enter(16, "b"),
			leaving(20, "b"), leaving(30, "a"), left(35, "a"), left(36, "b"),
		}, []linearize.Check{BarrierEnter}},
		{"left before all began to leave", []recipes.Entry{
			arrive(0, "a"), arrive(5, "b"), enter(10, "a"), enter(11, "b"),
			leaving(20, "b"), left(25, "b"), leaving(30, "a"), left(35, "a"),
		}, []linearize.Check{BarrierLeave}},
		{"a round judged on its own", []recipes.Entry{
			arrive(0, "a"), arrive(5, "b"), enter(10, "a"), enter(11, "b"),
			leaving(20, "b"), leaving(30, "a"), left(35, "a"), left(36, "b"),
			at(40, "a", recipes.BarrierArrived, 2), at(50, "a", recipes.BarrierEntered, 2),
		}, []linearize.Check{BarrierEnter}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Barrier(logOf(tc.entries...), 2)
			require.NoError(t, err)
			require.Equal(t, tc.want, checks(v))
		})
	}
}
