package check

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/recipes"
)

func logOf(entries ...recipes.Entry) *recipes.Log {
	l := &recipes.Log{}
	for _, e := range entries {
		l.Add(e)
	}
	return l
}

func at(ms int, client string, k recipes.Kind, value int64) recipes.Entry {
	return recipes.Entry{At: time.Duration(ms) * time.Millisecond, Client: client, Kind: k, Value: value}
}

func checks(vs []linearize.Violation) []linearize.Check {
	var out []linearize.Check
	for _, v := range vs {
		out = append(out, v.Check)
	}
	return out
}

func TestLockChecker(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fenced  bool
		entries []recipes.Entry
		want    []linearize.Check
	}{
		{"turns", false, []recipes.Entry{
			at(0, "a", recipes.LockAcquired, 5), at(10, "a", recipes.WriteAccepted, 5), at(10, "a", recipes.LockReleased, 5),
			at(20, "b", recipes.LockAcquired, 7), at(30, "b", recipes.WriteAccepted, 7), at(30, "b", recipes.LockReleased, 7),
		}, nil},
		{"two holders at once", false, []recipes.Entry{
			at(0, "a", recipes.LockAcquired, 5), at(20, "b", recipes.LockAcquired, 7),
			at(25, "b", recipes.LockReleased, 7), at(30, "a", recipes.LockReleased, 5),
		}, []linearize.Check{MutualExclusion}},
		{"a holder that never let go", false, []recipes.Entry{
			at(0, "a", recipes.LockAcquired, 5), at(20, "b", recipes.LockAcquired, 7),
		}, []linearize.Check{MutualExclusion}},
		{"lost, then another takes it", false, []recipes.Entry{
			at(0, "a", recipes.LockAcquired, 5), at(10, "a", recipes.LockLost, 5), at(20, "b", recipes.LockAcquired, 7),
		}, nil},
		{"stale write accepted", false, []recipes.Entry{
			at(0, "a", recipes.LockAcquired, 5), at(20, "b", recipes.LockAcquired, 7), at(25, "b", recipes.WriteAccepted, 7),
			at(25, "b", recipes.LockReleased, 7), at(30, "a", recipes.WriteAccepted, 5), at(30, "a", recipes.LockReleased, 5),
		}, []linearize.Check{MutualExclusion, StaleWrite}},
		{"fenced: overlapping beliefs, stale write refused", true, []recipes.Entry{
			at(0, "a", recipes.LockAcquired, 5), at(20, "b", recipes.LockAcquired, 7), at(25, "b", recipes.WriteAccepted, 7),
			at(25, "b", recipes.LockReleased, 7), at(30, "a", recipes.WriteRejected, 5), at(30, "a", recipes.LockReleased, 5),
		}, nil},
		{"fenced: a resource that took the stale write anyway", true, []recipes.Entry{
			at(0, "a", recipes.LockAcquired, 5), at(20, "b", recipes.LockAcquired, 7), at(25, "b", recipes.WriteAccepted, 7),
			at(30, "a", recipes.WriteAccepted, 5),
		}, []linearize.Check{StaleWrite}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Lock(logOf(tc.entries...), tc.fenced)
			require.NoError(t, err)
			require.Equal(t, tc.want, checks(v))
		})
	}
}

func TestElectionChecker(t *testing.T) {
	for _, tc := range []struct {
		name    string
		entries []recipes.Entry
		want    []linearize.Check
	}{
		{"terms in order", []recipes.Entry{
			at(0, "a", recipes.Elected, 1), at(10, "a", recipes.Deposed, 1), at(20, "b", recipes.Elected, 2), at(30, "b", recipes.Deposed, 2),
		}, nil},
		{"overlapping terms are allowed", []recipes.Entry{
			at(0, "a", recipes.Elected, 1), at(20, "b", recipes.Elected, 2), at(30, "a", recipes.Deposed, 1),
		}, nil},
		{"two leaders of one term", []recipes.Entry{
			at(0, "a", recipes.Elected, 1), at(10, "a", recipes.Deposed, 1), at(20, "b", recipes.Elected, 1),
		}, []linearize.Check{OneLeader, TermOrder}},
		{"a term going back", []recipes.Entry{
			at(0, "a", recipes.Elected, 4), at(10, "a", recipes.Deposed, 4), at(20, "b", recipes.Elected, 3),
		}, []linearize.Check{TermOrder}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Election(logOf(tc.entries...))
			require.NoError(t, err)
			require.Equal(t, tc.want, checks(v))
		})
	}
}

func TestMalformedLogs(t *testing.T) {
	_, err := Lock(logOf(at(0, "a", recipes.LockReleased, 5)), false)
	require.ErrorIs(t, err, ErrMalformed)
	_, err = Lock(logOf(at(0, "a", recipes.LockAcquired, 5), at(1, "a", recipes.LockAcquired, 6)), false)
	require.ErrorIs(t, err, ErrMalformed)
}
