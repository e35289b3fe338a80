package tree

// childSet holds a node's child names and iterates them in the order
// ZooKeeper's getChildren returns them. ZooKeeper keeps children in a
// java.util.HashSet created with capacity 8, so the order is that of a
// Java HashMap: buckets by the spread String.hashCode, each bucket in
// insertion order, doubling (and splitting buckets in order) when the size
// passes 3/4 of the table. Deletes never shrink the table. Measured:
// /zookeeper lists [config quota] although quota was added first.
//
// Not reproduced: a Java bucket holding 8 or more names in a table of 64 or
// more slots becomes a red-black tree whose iteration order differs; it
// needs names chosen to collide. Nor is the table grown past
// childSetCapacityMax slots (a node with more than 786,432 children keeps
// the order it had there), which bounds what a snapshot can ask for.
type childSet struct {
	buckets [][]childEntry
	size    int
}

type childEntry struct {
	hash int32
	name string
}

const (
	childSetCapacityInitial = 8 // new HashSet<>(8) in DataNode.addChild
	childSetBucketListMax   = 8 // Java's TREEIFY_THRESHOLD
	childSetTreeifyCapacity = 64
	childSetCapacityMax     = 1 << 20
)

// javaStringHash is java.lang.String.hashCode over UTF-16 code units.
func javaStringHash(s string) int32 {
	var h int32
	for _, r := range s {
		if r > 0xffff {
			r -= 0x10000
			h = 31*h + int32(0xd800+(r>>10))
			h = 31*h + int32(0xdc00+(r&0x3ff))
			continue
		}
		h = 31*h + int32(r)
	}
	return h
}

func javaSpread(h int32) int32 { return h ^ int32(uint32(h)>>16) }

func (c *childSet) Len() int { return c.size }

func (c *childSet) index(hash int32) int { return int(hash) & (len(c.buckets) - 1) }

func (c *childSet) Contains(name string) bool {
	if c.size == 0 {
		return false
	}
	h := javaSpread(javaStringHash(name))
	for _, e := range c.buckets[c.index(h)] {
		if e.name == name {
			return true
		}
	}
	return false
}

// Add inserts name; it reports false when name was already there.
func (c *childSet) Add(name string) bool {
	if c.buckets == nil {
		c.buckets = make([][]childEntry, childSetCapacityInitial)
	}
	h := javaSpread(javaStringHash(name))
	i := c.index(h)
	for _, e := range c.buckets[i] {
		if e.name == name {
			return false
		}
	}
	c.buckets[i] = append(c.buckets[i], childEntry{hash: h, name: name})
	// Java resizes instead of building a tree bin while the table is small.
	if len(c.buckets[i]) > childSetBucketListMax && len(c.buckets) < childSetTreeifyCapacity {
		c.grow()
	}
	c.size++
	if c.size > len(c.buckets)*3/4 {
		c.grow()
	}
	return true
}

func (c *childSet) grow() {
	if len(c.buckets) >= childSetCapacityMax {
		return
	}
	old := c.buckets
	c.buckets = make([][]childEntry, 2*len(old))
	for _, bucket := range old {
		for _, e := range bucket {
			i := c.index(e.hash)
			c.buckets[i] = append(c.buckets[i], e)
		}
	}
}

// Remove deletes name; it reports false when name was not there.
func (c *childSet) Remove(name string) bool {
	if c.size == 0 {
		return false
	}
	i := c.index(javaSpread(javaStringHash(name)))
	for j, e := range c.buckets[i] {
		if e.name == name {
			c.buckets[i] = append(c.buckets[i][:j:j], c.buckets[i][j+1:]...)
			c.size--
			return true
		}
	}
	return false
}

// Names lists the children in ZooKeeper's order.
func (c *childSet) Names() []string {
	out := make([]string, 0, c.size)
	for _, bucket := range c.buckets {
		for _, e := range bucket {
			out = append(out, e.name)
		}
	}
	assert(len(out) == c.size, "child set size %d but %d names", c.size, len(out))
	return out
}

// capacity is the table size, which a snapshot keeps because the order
// depends on it.
func (c *childSet) capacity() int { return len(c.buckets) }

// restore rebuilds a set from a snapshot: inserting the names in their
// iteration order into a table of the same size gives the same layout.
func restoreChildSet(capacity int, names []string) (childSet, bool) {
	var c childSet
	if capacity == 0 {
		return c, len(names) == 0
	}
	if capacity < childSetCapacityInitial || capacity > childSetCapacityMax || capacity&(capacity-1) != 0 ||
		(len(names) > capacity*3/4 && capacity < childSetCapacityMax) {
		return c, false
	}
	c.buckets = make([][]childEntry, capacity)
	for _, name := range names {
		h := javaSpread(javaStringHash(name))
		i := c.index(h)
		for _, e := range c.buckets[i] {
			if e.name == name {
				return c, false
			}
		}
		c.buckets[i] = append(c.buckets[i], childEntry{hash: h, name: name})
		c.size++
	}
	return c, true
}
