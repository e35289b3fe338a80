package linearize

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckLiveness(t *testing.T) {
	term := LeaderTerm{Sid: 1, Epoch: 2, From: 150, To: Infinity}
	answered := done(0, 1, create("/a", "x"), 120, 160, created("/a"), z(1))
	tests := []struct {
		name    string
		live    Liveness
		history []Operation
		want    []Check
	}{
		{name: "leader and answers within the bound", live: Liveness{Heal: 100, Bound: 100, End: 300, Terms: []LeaderTerm{term}},
			history: []Operation{answered, done(1, 1, create("/b", "x"), 10, 20, created("/b"), z(2)), lost(2, 2, 1, create("/c", "x"), 10, 50)}},
		{name: "no leader after the heal", want: []Check{LivenessLeader}, live: Liveness{Heal: 100, Bound: 100, End: 300,
			Terms: []LeaderTerm{{Sid: 1, Epoch: 1, From: 0, To: 90}}}},
		{name: "leader established too late", want: []Check{LivenessLeader}, live: Liveness{Heal: 100, Bound: 40, End: 300, Terms: []LeaderTerm{term}}},
		{name: "request pending at the heal never answered", want: []Check{LivenessPending},
			live:    Liveness{Heal: 100, Bound: 100, End: 300, Terms: []LeaderTerm{term}},
			history: []Operation{lost(0, 0, 1, create("/a", "x"), 90, Infinity)}},
		{name: "request after the heal timed out", want: []Check{LivenessPending},
			live:    Liveness{Heal: 100, Bound: 100, End: 300, Terms: []LeaderTerm{term}},
			history: []Operation{lost(0, 0, 1, create("/a", "x"), 150, 170)}},
		{name: "request answered too slowly", want: []Check{LivenessPending},
			live:    Liveness{Heal: 100, Bound: 30, End: 300, Terms: []LeaderTerm{{Sid: 1, Epoch: 2, From: 110, To: Infinity}}},
			history: []Operation{answered}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := CheckLiveness(tt.live, tt.history)
			require.NoError(t, err)
			require.Equal(t, tt.want, checks(vs), "%v", vs)
		})
	}
	_, err := CheckLiveness(Liveness{Heal: 100, Bound: 100, End: 150}, nil)
	require.ErrorIs(t, err, ErrMalformed)
}
