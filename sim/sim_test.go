package sim

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSchedulerOrdersByTimeThenSequence(t *testing.T) {
	s := New(Config{Seed: 1})
	var got []string
	at := func(ms int, name string) {
		s.At(Time(time.Duration(ms)*time.Millisecond), func() { got = append(got, name) })
	}
	at(5, "e")
	at(1, "a")
	at(3, "c1")
	at(3, "c2") // same instant: scheduled later, runs later
	at(2, "b")
	at(3, "c3")
	s.After(0, func() { got = append(got, "now") })
	require.ErrorIs(t, s.RunUntil(func() bool { return false }, 0), ErrIdle)
	require.Equal(t, []string{"now", "a", "b", "c1", "c2", "c3", "e"}, got)
	require.Equal(t, Time(5*time.Millisecond), s.Now())
}

func TestSchedulerEventsScheduledWhileRunning(t *testing.T) {
	s := New(Config{Seed: 1})
	var got []int
	s.At(10, func() {
		got = append(got, 1)
		s.At(10, func() { got = append(got, 3) }) // same instant, after what is queued
		s.At(11, func() { got = append(got, 4) })
	})
	s.At(10, func() { got = append(got, 2) })
	require.NoError(t, s.RunFor(time.Second))
	require.Equal(t, []int{1, 2, 3, 4}, got)
	require.Equal(t, Time(time.Second), s.Now(), "RunFor leaves the clock at its end")
}

func TestSchedulerRejectsThePast(t *testing.T) {
	s := New(Config{Seed: 1})
	require.NoError(t, s.RunFor(time.Second))
	require.Panics(t, func() { s.At(0, func() {}) })
	require.Panics(t, func() { s.After(-1, func() {}) })
}

func TestLimitsStopARunThatWouldNotEnd(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		run  func(s *Sim) error
		want error
	}{
		{
			name: "event limit of RunUntil",
			cfg:  Config{Seed: 1},
			run:  func(s *Sim) error { return s.RunUntil(func() bool { return false }, 1000) },
			want: ErrEventLimit,
		},
		{
			name: "world event limit of RunFor",
			cfg:  Config{Seed: 1, EventsMax: 500},
			run:  func(s *Sim) error { return s.RunFor(time.Hour) },
			want: ErrEventLimit,
		},
		{
			name: "time limit",
			cfg:  Config{Seed: 1, TimeMax: time.Minute, EventsMax: 1 << 40},
			run:  func(s *Sim) error { return s.RunUntil(func() bool { return false }, 1<<40) },
			want: ErrTimeLimit,
		},
		{
			name: "RunFor past the time limit",
			cfg:  Config{Seed: 1, TimeMax: time.Minute},
			run:  func(s *Sim) error { return s.RunFor(2 * time.Minute) },
			want: ErrTimeLimit,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(tt.cfg)
			// A process that reschedules itself forever.
			var loop func()
			loop = func() { s.After(time.Millisecond, loop) }
			s.After(0, loop)
			err := tt.run(s)
			require.True(t, errors.Is(err, tt.want), "got %v", err)
		})
	}
}

func TestRandForksAreIndependent(t *testing.T) {
	a := NewRand(7)
	b := NewRand(7)
	// Drawing from one fork must not move another, and fork order must not
	// matter.
	netA := a.Fork("network")
	_ = a.Fork("disk").Uint64()
	diskB := b.Fork("disk")
	netB := b.Fork("network")
	for i := 0; i < 100; i++ {
		require.Equal(t, netA.Uint64(), netB.Uint64())
	}
	require.NotEqual(t, a.Fork("node/1").Uint64(), a.Fork("node/2").Uint64())
	require.NotEqual(t, NewRand(1).Fork("x").Uint64(), NewRand(2).Fork("x").Uint64())
	require.Equal(t, "disk", diskB.Name())
	require.Equal(t, "disk/a", diskB.Fork("a").Name())
}

func TestRandBetween(t *testing.T) {
	r := NewRand(3)
	for i := 0; i < 1000; i++ {
		d := r.Between(10, 20)
		require.GreaterOrEqual(t, d, time.Duration(10))
		require.LessOrEqual(t, d, time.Duration(20))
	}
	require.Equal(t, time.Duration(5), r.Between(5, 5))
	require.Panics(t, func() { r.Between(2, 1) })
	require.False(t, r.Chance(0))
	require.True(t, r.Chance(1))
}

func TestTimeString(t *testing.T) {
	require.Equal(t, "0.000000000s", Time(0).String())
	require.Equal(t, "1.500000000s", Time(1500*time.Millisecond).String())
	require.Equal(t, "-0.000000001s", Time(-1).String())
}
