package explore

// visited is the set of state digests seen, with what the search keeps
// per state: an open-addressing hash table of 64-bit digests, about 24
// bytes a state, instead of a Go map's several times that.
type visited struct {
	keys []uint64 // 0: empty slot
	vals []seenState
	n    int
}

// seenState is what the search remembers of a visited state: the sleep
// set it was last expanded or queued with, and its node.
type seenState struct {
	sleep uint64
	node  int32
}

func newVisited() *visited {
	return &visited{keys: make([]uint64, 1<<16), vals: make([]seenState, 1<<16)}
}

// slot finds d's slot, or the empty one where it belongs.
func (v *visited) slot(d uint64) int {
	if d == 0 {
		d = 1 // 0 marks an empty slot
	}
	mask := len(v.keys) - 1
	i := int(d*0x9e3779b97f4a7c15>>20) & mask
	for v.keys[i] != 0 && v.keys[i] != d {
		i = (i + 1) & mask
	}
	return i
}

func (v *visited) get(d uint64) (seenState, bool) {
	i := v.slot(d)
	return v.vals[i], v.keys[i] != 0
}

// put adds or updates d.
func (v *visited) put(d uint64, s seenState) {
	i := v.slot(d)
	if v.keys[i] == 0 {
		if d == 0 {
			d = 1
		}
		v.keys[i] = d
		v.n++
	}
	v.vals[i] = s
	if v.n*4 > len(v.keys)*3 {
		v.grow()
	}
}

func (v *visited) grow() {
	keys, vals := v.keys, v.vals
	v.keys, v.vals = make([]uint64, 2*len(keys)), make([]seenState, 2*len(keys))
	for i, k := range keys {
		if k != 0 {
			j := v.slot(k)
			v.keys[j], v.vals[j] = k, vals[i]
		}
	}
}
