package tree

import (
	"maps"
	"slices"
)

// The digest is the wrapping sum of one 64-bit hash per node and per
// session. A sum does not depend on order, so Apply updates it in O(1) per
// changed node (subtract the old term, add the new), and replicas compare
// whole trees by one number. Each term is finalised with a strong mixer so
// that related nodes do not cancel out.

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvBytes(h uint64, b []byte) uint64 {
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func fnvUint64(h, v uint64) uint64 {
	for range 8 {
		h ^= v & 0xff
		h *= fnvPrime
		v >>= 8
	}
	return h
}

// mix64 is SplitMix64's finaliser.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// hashBytes keeps null and empty data apart.
func hashBytes(b []byte) uint64 {
	if b == nil {
		return mix64(1)
	}
	return mix64(fnvBytes(fnvUint64(fnvOffset, uint64(len(b))), b))
}

func hashACL(acl []ACL) uint64 {
	h := fnvUint64(fnvOffset, uint64(len(acl)))
	for _, a := range acl {
		h = fnvUint64(h, uint64(uint32(a.Perms)))
		h = fnvUint64(fnvString(h, a.ID.Scheme), uint64(len(a.ID.Scheme)))
		h = fnvUint64(fnvString(h, a.ID.ID), uint64(len(a.ID.ID)))
	}
	return mix64(h)
}

func hashNode(n *node) uint64 {
	h := fnvUint64(fnvString(fnvOffset, n.path), uint64(len(n.path)))
	for _, v := range [...]uint64{
		n.dataHash, n.aclHash, uint64(n.czxid), uint64(n.mzxid), uint64(n.pzxid),
		uint64(n.ctime), uint64(n.mtime), uint64(uint32(n.version)), uint64(uint32(n.cversion)),
		uint64(uint32(n.aversion)), uint64(n.ephemeralOwner), uint64(n.children.Len()),
	} {
		h = fnvUint64(h, v)
	}
	return mix64(h ^ 0x6e6f6465) // "node": keeps node and session terms apart
}

func hashSession(id int64, timeout int32, present bool) uint64 {
	if !present {
		return 0
	}
	return mix64(fnvUint64(fnvUint64(fnvOffset, uint64(id)), uint64(uint32(timeout))) ^ 0x73657373)
}

// RecomputeDigest computes the digest from scratch, ignoring every cached
// hash; tests hold it equal to Digest after every apply.
func (t *Tree) RecomputeDigest() uint64 {
	var sum uint64
	for _, path := range sortedKeys(t.nodes) {
		n := t.nodes[path]
		copyNode := *n
		copyNode.dataHash = hashBytes(n.data)
		copyNode.aclHash = hashACL(n.acl)
		sum += hashNode(&copyNode)
	}
	for id, timeout := range t.sessions {
		sum += hashSession(id, timeout, true)
	}
	return sum
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range maps.Keys(m) {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
