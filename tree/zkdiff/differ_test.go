package zkdiff

import (
	"fmt"
	"slices"
	"strings"
)

// treeEpoch and treeTick make the clock the tree side is given: the
// transaction with zxid z happens at treeTime(z), so every ctime and mtime
// tree reports can be checked exactly against the zxid that set it.
const (
	treeEpoch = 1_700_000_000_000
	treeTick  = 10
)

func treeTime(zxid int64) int64 { return treeEpoch + zxid*treeTick }

// ordered is a map from int64 to int64 kept sorted by key, for the
// neighbour lookups that check order is preserved.
type ordered struct{ keys, vals []int64 }

func (m *ordered) find(k int64) (int, bool) { return slices.BinarySearch(m.keys, k) }

func (m *ordered) insert(i int, k, v int64) {
	m.keys = slices.Insert(m.keys, i, k)
	m.vals = slices.Insert(m.vals, i, v)
}

// differ compares the two sides' results. Zxids cannot be equal (ZooKeeper
// also spends zxids on createSession), so it builds the bijection between
// them as they appear, and requires it to stay a bijection and to keep
// order. ZooKeeper's times come from its clock, so for them it checks only
// that each zxid has one time and that times do not go back as zxids grow;
// tree's times must be exactly treeTime of the zxid.
type differ struct {
	zk2tree ordered // ZooKeeper zxid → tree zxid
	tree2zk map[int64]int64
	zkTimes ordered // ZooKeeper zxid → the ctime/mtime it carried
}

func newDiffer() *differ { return &differ{tree2zk: map[int64]int64{}} }

// compare returns "" when zr and tr agree, else what differs.
func (d *differ) compare(o op, zr, tr result) string {
	var zz, tz []int64
	zs := render(o, zr, func(v int64) string { zz = append(zz, v); return "z" })
	ts := render(o, tr, func(v int64) string { tz = append(tz, v); return "z" })
	if zs != ts {
		return "results differ"
	}
	for i := range zz {
		if p := d.pair(zz[i], tz[i]); p != "" {
			return p
		}
	}
	for _, s := range zr.stats() {
		for _, p := range [][2]int64{{s.Czxid, s.Ctime}, {s.Mzxid, s.Mtime}} {
			if msg := d.zkTime(p[0], p[1]); msg != "" {
				return msg
			}
		}
	}
	for _, s := range tr.stats() {
		if s.Ctime != treeTime(s.Czxid) || s.Mtime != treeTime(s.Mzxid) {
			return fmt.Sprintf("tree: ctime %d / mtime %d are not the times of czxid %#x (%d) / mzxid %#x (%d)",
				s.Ctime, s.Mtime, s.Czxid, treeTime(s.Czxid), s.Mzxid, treeTime(s.Mzxid))
		}
	}
	return ""
}

func (d *differ) pair(z, t int64) string {
	i, ok := d.zk2tree.find(z)
	if ok {
		if d.zk2tree.vals[i] != t {
			return fmt.Sprintf("ZooKeeper zxid %#x matched tree zxid %#x before, now tree says %#x", z, d.zk2tree.vals[i], t)
		}
		return ""
	}
	if prev, ok := d.tree2zk[t]; ok {
		return fmt.Sprintf("tree zxid %#x matched ZooKeeper zxid %#x before, now ZooKeeper says %#x", t, prev, z)
	}
	if i > 0 && d.zk2tree.vals[i-1] > t {
		return fmt.Sprintf("order: ZooKeeper zxid %#x > %#x but tree zxid %#x < %#x", z, d.zk2tree.keys[i-1], t, d.zk2tree.vals[i-1])
	}
	if i < len(d.zk2tree.keys) && d.zk2tree.vals[i] < t {
		return fmt.Sprintf("order: ZooKeeper zxid %#x < %#x but tree zxid %#x > %#x", z, d.zk2tree.keys[i], t, d.zk2tree.vals[i])
	}
	d.zk2tree.insert(i, z, t)
	d.tree2zk[t] = z
	return ""
}

func (d *differ) zkTime(zxid, ms int64) string {
	i, ok := d.zkTimes.find(zxid)
	if ok {
		if d.zkTimes.vals[i] != ms {
			return fmt.Sprintf("ZooKeeper: zxid %#x has times %d and %d", zxid, d.zkTimes.vals[i], ms)
		}
		return ""
	}
	if (i > 0 && d.zkTimes.vals[i-1] > ms) || (i < len(d.zkTimes.keys) && d.zkTimes.vals[i] < ms) {
		return fmt.Sprintf("ZooKeeper: time %d of zxid %#x is out of order with its neighbours", ms, zxid)
	}
	d.zkTimes.insert(i, zxid, ms)
	return ""
}

// show renders r for a report, each zxid with its counterpart on the other
// side when one is known.
func (d *differ) show(o op, r result, zkSide bool) string {
	return render(o, r, func(v int64) string {
		if zkSide {
			if i, ok := d.zk2tree.find(v); ok {
				return fmt.Sprintf("%#x(tree %#x)", v, d.zk2tree.vals[i])
			}
		} else if z, ok := d.tree2zk[v]; ok {
			return fmt.Sprintf("%#x(zk %#x)", v, z)
		}
		return fmt.Sprintf("%#x", v)
	})
}

func fmtEvents(evs []event) string {
	if len(evs) == 0 {
		return "none"
	}
	parts := make([]string, len(evs))
	for i, e := range evs {
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}
