// Package zkids knows how ZooKeeper 3.8 keeps a connection's identities
// (its "ip" id and the ids of its auth requests): in a Java hash set, so
// the order it lists them in (whoAmI, the expansion of an "auth" ACL) is
// the set's iteration order, not the order they were added in.
package zkids

import (
	"slices"

	"github.com/zabsim/zabsim/tree"
)

// JavaSetOrder returns ids (given in the order they were added) in the
// order ZooKeeper iterates them: the set is backed by a hash map of 16
// buckets (a connection with at most 12 ids never grows it), iterated by
// bucket of Id.hashCode spread as the map spreads it, in insertion order
// within a bucket. ids itself is not changed.
func JavaSetOrder(ids []tree.ID) []tree.ID {
	const buckets = 16
	bucket := func(id tree.ID) int32 {
		h := 37*(37*17+javaStringHash(id.Scheme)) + javaStringHash(id.ID)
		return (h ^ int32(uint32(h)>>16)) & (buckets - 1)
	}
	out := slices.Clone(ids)
	slices.SortStableFunc(out, func(a, b tree.ID) int { return int(bucket(a) - bucket(b)) })
	return out
}

// javaStringHash is java.lang.String.hashCode for ASCII strings.
func javaStringHash(s string) int32 {
	var h int32
	for i := 0; i < len(s); i++ {
		h = 31*h + int32(s[i])
	}
	return h
}
