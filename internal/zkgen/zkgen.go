// Package zkgen holds the random draws the differential tests against a
// real ZooKeeper share: weighted choices, znode data (null, empty, short,
// longer) and versions (any, or a small one that is often wrong).
package zkgen

import (
	"math/rand/v2"
	"strings"
)

// Pick returns an index drawn with the given weights, which must not all
// be zero.
func Pick(r *rand.Rand, weights ...int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

// Weighted is a value drawn with a weight by Choose.
type Weighted[T any] struct {
	Weight int
	Value  T
}

// Choose draws one of choices by weight.
func Choose[T any](r *rand.Rand, choices []Weighted[T]) T {
	w := make([]int, len(choices))
	for i, c := range choices {
		w[i] = c.Weight
	}
	return choices[Pick(r, w...)].Value
}

// Data is a node's data: nil (ZooKeeper's null, kept apart from empty),
// empty, one of three one-byte values (so equal data recurs), or up to 40
// bytes.
func Data(r *rand.Rand) []byte {
	switch Pick(r, 15, 15, 50, 20) {
	case 0:
		return nil
	case 1:
		return []byte{}
	case 2:
		return []byte{byte('a' + r.IntN(3))}
	default:
		return []byte(strings.Repeat("x", 1+r.IntN(40)))
	}
}

// Version is -1 (any) half of the time, else 0 to 3.
func Version(r *rand.Rand) int32 {
	if r.IntN(2) == 0 {
		return -1
	}
	return int32(r.IntN(4))
}
