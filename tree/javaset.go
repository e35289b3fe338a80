package tree

// javaSet is a java.util.HashSet<String> of OpenJDK 17, kept so that it
// iterates as ZooKeeper's do: buckets by the spread String.hashCode, each
// bucket in insertion order, doubling (and splitting buckets in order)
// when the size passes 3/4 of the table. Deletes never shrink the table.
//
// ZooKeeper keeps a node's children in one created with capacity 8 (the
// zero javaSet), so getChildren lists them in its order (measured:
// /zookeeper lists [config quota] although quota was added first), and a
// session's ephemeral paths in one of the default capacity, 16
// (newJavaSet), which getEphemerals clones.
//
// Not reproduced: a Java bucket holding 8 or more names in a table of 64 or
// more slots becomes a red-black tree whose iteration order differs; it
// needs names chosen to collide. Nor is the table grown past
// javaSetCapacityMax slots (a set of more than 786,432 names keeps
// the order it had there), which bounds what a snapshot can ask for.
type javaSet struct {
	buckets [][]javaSetEntry
	size    int
}

type javaSetEntry struct {
	hash int32
	name string
}

const (
	childSetCapacityInitial = 8  // new HashSet<>(8) in DataNode.addChild
	javaSetCapacityDefault  = 16 // new HashSet<>()
	javaSetBucketListMax    = 8  // Java's TREEIFY_THRESHOLD
	javaSetTreeifyCapacity  = 64
	javaSetCapacityMax      = 1 << 20
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

func (c *javaSet) Len() int { return c.size }

func (c *javaSet) index(hash int32) int { return int(hash) & (len(c.buckets) - 1) }

func (c *javaSet) Contains(name string) bool {
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

// newJavaSet is an empty set whose table has capacity slots (a power of
// two).
func newJavaSet(capacity int) *javaSet {
	return &javaSet{buckets: make([][]javaSetEntry, capacity)}
}

// Add inserts name; it reports false when name was already there.
func (c *javaSet) Add(name string) bool {
	if c.buckets == nil {
		c.buckets = make([][]javaSetEntry, childSetCapacityInitial)
	}
	h := javaSpread(javaStringHash(name))
	for _, e := range c.buckets[c.index(h)] {
		if e.name == name {
			return false
		}
	}
	c.add(javaSetEntry{hash: h, name: name})
	return true
}

// add is HashMap.putVal for a name not in the set.
func (c *javaSet) add(e javaSetEntry) {
	i := c.index(e.hash)
	c.buckets[i] = append(c.buckets[i], e)
	// Java resizes instead of building a tree bin while the table is small.
	if len(c.buckets[i]) > javaSetBucketListMax && len(c.buckets) < javaSetTreeifyCapacity {
		c.grow()
	}
	c.size++
	if c.size > len(c.buckets)*3/4 {
		c.grow()
	}
}

// clone is HashSet.clone: HashMap.clone sizes a new table for the
// current size (JDK 17's putMapEntries: tableSizeFor((float)size/0.75f +
// 1), so a table of 2 for one name, 32 for twelve) and puts the names in
// this set's iteration order. The clone may thus list them in an order
// of its own, which depends on how large this set once was.
func (c *javaSet) clone() *javaSet {
	if c.size == 0 {
		return &javaSet{}
	}
	quotient := float32(c.size) / 0.75 // rounded to float32 as Java does
	want := int(float32(quotient + 1))
	capacity := 1
	for capacity < want && capacity < javaSetCapacityMax {
		capacity *= 2
	}
	out := newJavaSet(capacity)
	for _, bucket := range c.buckets {
		for _, e := range bucket {
			out.add(e)
		}
	}
	return out
}

func (c *javaSet) grow() {
	if len(c.buckets) >= javaSetCapacityMax {
		return
	}
	old := c.buckets
	c.buckets = make([][]javaSetEntry, 2*len(old))
	for _, bucket := range old {
		for _, e := range bucket {
			i := c.index(e.hash)
			c.buckets[i] = append(c.buckets[i], e)
		}
	}
}

// Remove deletes name; it reports false when name was not there.
func (c *javaSet) Remove(name string) bool {
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
func (c *javaSet) Names() []string {
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
func (c *javaSet) capacity() int { return len(c.buckets) }

// restore rebuilds a set from a snapshot: inserting the names in their
// iteration order into a table of the same size gives the same layout.
func restoreJavaSet(capacity int, names []string) (javaSet, bool) {
	var c javaSet
	if capacity == 0 {
		return c, len(names) == 0
	}
	if capacity < childSetCapacityInitial || capacity > javaSetCapacityMax || capacity&(capacity-1) != 0 ||
		(len(names) > capacity*3/4 && capacity < javaSetCapacityMax) {
		return c, false
	}
	c.buckets = make([][]javaSetEntry, capacity)
	for _, name := range names {
		h := javaSpread(javaStringHash(name))
		i := c.index(h)
		for _, e := range c.buckets[i] {
			if e.name == name {
				return c, false
			}
		}
		c.buckets[i] = append(c.buckets[i], javaSetEntry{hash: h, name: name})
		c.size++
	}
	return c, true
}
