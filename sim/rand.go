package sim

import (
	"math/rand/v2"
	"time"
)

// Rand is a seeded random stream. Streams are derived from the run seed and
// a name only (never from another stream's state), so adding a draw in one
// subsystem does not shift the draws of any other, and forks may be taken
// in any order.
type Rand struct {
	seed uint64
	name string
	r    *rand.Rand
}

// NewRand returns the root stream of a run.
func NewRand(seed uint64) *Rand {
	return newRandNamed(seed, "")
}

func newRandNamed(seed uint64, name string) *Rand {
	s1 := mix64(seed ^ hashString(name))
	s2 := mix64(s1 ^ 0x9e3779b97f4a7c15)
	return &Rand{seed: seed, name: name, r: rand.New(rand.NewPCG(s1, s2))}
}

// Fork returns the stream called name below this one, for example
// Fork("network") or Fork("node/3"). The same seed and path always give the
// same stream.
func (r *Rand) Fork(name string) *Rand {
	path := name
	if r.name != "" {
		path = r.name + "/" + name
	}
	return newRandNamed(r.seed, path)
}

// Name is the stream's path of fork names; the root's is empty.
func (r *Rand) Name() string { return r.name }

// Uint64 returns a uniformly random 64-bit value.
func (r *Rand) Uint64() uint64 { return r.r.Uint64() }

// IntN returns a uniform int in [0, n); it panics if n <= 0.
func (r *Rand) IntN(n int) int { return r.r.IntN(n) }

// Float64 returns a uniform float in [0, 1).
func (r *Rand) Float64() float64 { return r.r.Float64() }

// Chance reports true with probability p (p <= 0 never, p >= 1 always,
// without drawing, so turning a fault off does not consume the stream
// differently from leaving it at zero).
func (r *Rand) Chance(p float64) bool {
	if p <= 0 {
		return false
	}
	if p >= 1 {
		return true
	}
	return r.r.Float64() < p
}

// Between returns a uniform duration in [lo, hi]; hi < lo is a programmer
// error.
func (r *Rand) Between(lo, hi time.Duration) time.Duration {
	if hi < lo {
		panic("sim: Rand.Between with hi < lo")
	}
	if hi == lo {
		return lo
	}
	return lo + time.Duration(r.r.Int64N(int64(hi-lo)+1))
}

// Perm returns a random permutation of [0, n).
func (r *Rand) Perm(n int) []int { return r.r.Perm(n) }

// Shuffle permutes n elements through swap.
func (r *Rand) Shuffle(n int, swap func(i, j int)) { r.r.Shuffle(n, swap) }

// mix64 is the SplitMix64 finaliser: it spreads every input bit over the
// output so that neighbouring seeds give unrelated streams.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// hashString is 64-bit FNV-1a.
func hashString(s string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

const (
	fnvOffset = 0xcbf29ce484222325
	fnvPrime  = 0x100000001b3
)
