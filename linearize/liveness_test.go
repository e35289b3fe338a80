package linearize

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckLiveness(t *testing.T) {
	healed := Liveness{Heal: 100, Served: 150, Bound: 100, End: 300}
	with := func(fn func(*Liveness)) Liveness {
		l := healed
		fn(&l)
		return l
	}
	answered := done(0, 1, create("/a", "x"), 120, 160, created("/a"), z(1))
	expiry := Operation{Client: ServerClient, Req: Request{Kind: KindCloseSession}, Call: 110, Return: Infinity, GaveUp: Infinity, Outcome: OutcomeUnknown}
	tests := []struct {
		name    string
		live    Liveness
		history []Operation
		want    []Check
	}{
		{name: "leader and answers within the bound", live: healed,
			history: []Operation{answered, done(1, 1, create("/b", "x"), 10, 20, created("/b"), z(2)), lost(2, 2, 1, create("/c", "x"), 10, 50)}},
		{name: "no leader after the heal", want: []Check{LivenessLeader}, live: with(func(l *Liveness) { l.Served = Infinity })},
		{name: "leader established too late", want: []Check{LivenessLeader}, live: with(func(l *Liveness) { l.Served = 250 })},
		{name: "run ended before the bound: the leader is not judged", live: with(func(l *Liveness) { l.Served, l.End = Infinity, 180 })},
		{name: "request pending at the heal never answered", want: []Check{LivenessPending}, live: healed,
			history: []Operation{lost(0, 0, 1, create("/a", "x"), 90, Infinity)}},
		{name: "request answered too slowly", want: []Check{LivenessPending}, live: with(func(l *Liveness) { l.Served, l.Bound = 120, 30 }),
			history: []Operation{answered}},
		{name: "given up, the retry answered within the bound", live: healed,
			history: []Operation{lost(0, 0, 1, create("/a", "x"), 150, 170), done(0, 2, create("/a", "x"), 180, 190, created("/a"), z(1))}},
		{name: "given up, every retry given up past the bound", want: []Check{LivenessPending}, live: healed,
			history: []Operation{
				lost(0, 0, 1, create("/a", "x"), 110, 150), lost(0, 1, 2, create("/a", "x"), 160, 200),
				lost(0, 2, 3, create("/a", "x"), 205, 240), done(0, 3, create("/a", "x"), 245, 250, created("/a"), z(1)),
			}},
		{name: "the client's last request given up: its workload is over", live: healed,
			history: []Operation{answered, lost(0, 1, 2, create("/b", "x"), 170, 180)}},
		{name: "finished before the heal", live: healed,
			history: []Operation{done(0, 1, create("/a", "x"), 10, 20, created("/a"), z(1))}},
		{name: "given up before the heal, the next answered in time", live: healed,
			history: []Operation{lost(0, 0, 1, create("/a", "x"), 10, 90), done(0, 1, create("/a", "x"), 95, 180, created("/a"), z(1))}},
		{name: "disconnected from the heal on, answered late", want: []Check{LivenessPending}, live: healed,
			history: []Operation{lost(0, 0, 1, create("/a", "x"), 10, 90), done(0, 1, create("/a", "x"), 250, 260, created("/a"), z(1))}},
		{name: "still waiting at the end, unanswered for the bound", want: []Check{LivenessPending}, live: with(func(l *Liveness) { l.Waiting = []int{0} }),
			history: []Operation{answered}},
		{name: "still waiting at the end, never connected", want: []Check{LivenessPending}, live: with(func(l *Liveness) { l.Waiting = []int{3} })},
		{name: "still waiting, but the run ends within the bound", live: with(func(l *Liveness) { l.Waiting, l.End = []int{0}, 250 }),
			history: []Operation{answered}},
		{name: "one violation per client", want: []Check{LivenessPending}, live: with(func(l *Liveness) { l.Served, l.Bound = 120, 30 }),
			history: []Operation{lost(0, 0, 1, create("/a", "x"), 110, 160), lost(0, 1, 2, create("/a", "x"), 170, Infinity)}},
		{name: "the servers' own operations are not requests", live: healed, history: []Operation{expiry}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := CheckLiveness(tt.live, tt.history)
			require.NoError(t, err)
			require.Equal(t, tt.want, checks(vs), "%v", vs)
			require.Len(t, vs, len(tt.want), "one violation per check and client")
		})
	}
	for _, bad := range []Liveness{
		with(func(l *Liveness) { l.Bound = 0 }),
		with(func(l *Liveness) { l.End = 90 }),
		with(func(l *Liveness) { l.Served = 90 }),
	} {
		_, err := CheckLiveness(bad, nil)
		require.ErrorIs(t, err, ErrMalformed, "%+v", bad)
	}
}
