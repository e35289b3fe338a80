package live

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/zabsim/zabsim/cmd/internal/wire"
)

// zxidMap pairs ZooKeeper's zxids with zabsim's as they appear. The two
// ensembles number transactions differently (epochs, elections), so the
// pairing must only stay one-to-one and keep order.
type zxidMap struct {
	zk, zs []int64 // sorted by zk; zs sorted with it while order holds
}

// pair records that zk's zxid z answers zabsim's s, or says why it cannot.
func (m *zxidMap) pair(z, s int64) string {
	i, found := slices.BinarySearch(m.zk, z)
	if found {
		if m.zs[i] != s {
			return fmt.Sprintf("ZooKeeper zxid %#x was paired with zabsim's %#x, now with %#x", z, m.zs[i], s)
		}
		return ""
	}
	if j := slices.Index(m.zs, s); j >= 0 {
		return fmt.Sprintf("zabsim zxid %#x was paired with ZooKeeper's %#x, now with %#x", s, m.zk[j], z)
	}
	if (i > 0 && m.zs[i-1] > s) || (i < len(m.zs) && m.zs[i] < s) {
		return fmt.Sprintf("order: ZooKeeper zxid %#x and zabsim zxid %#x fall on different sides of earlier pairs", z, s)
	}
	m.zk = slices.Insert(m.zk, i, z)
	m.zs = slices.Insert(m.zs, i, s)
	return ""
}

// statsOf lists pointers to every Stat in a response, in order.
func statsOf(r wire.Response) []*wire.Stat {
	switch r := r.(type) {
	case *wire.Create2Response:
		return []*wire.Stat{&r.Stat}
	case *wire.StatResponse:
		return []*wire.Stat{&r.Stat}
	case *wire.GetDataResponse:
		return []*wire.Stat{&r.Stat}
	case *wire.GetACLResponse:
		return []*wire.Stat{&r.Stat}
	case *wire.GetChildren2Response:
		return []*wire.Stat{&r.Stat}
	case *wire.MultiResponse:
		var out []*wire.Stat
		for _, res := range r.Results {
			out = append(out, statsOf(res.Body)...)
		}
		return out
	}
	return nil
}

// diffCompare checks op i's answers on both sides, then rewrites them in
// place into the form they must share: zxids and times cleared (they are
// checked through the pairing and the op windows), ephemeral owners named
// by slot. It returns "" or what differs.
func diffCompare(m *zxidMap, i int, zk, zs *diffSide, za, sa *answer) string {
	if za.hdr.Err != sa.hdr.Err {
		return "error codes differ"
	}
	zst, sst := statsOf(za.resp), statsOf(sa.resp)
	if len(zst) != len(sst) {
		return "results differ"
	}
	if za.hdr.Zxid > 0 || sa.hdr.Zxid > 0 {
		if msg := m.pair(za.hdr.Zxid, sa.hdr.Zxid); msg != "" {
			return "reply header: " + msg
		}
	}
	for k := range zst {
		z, s := zst[k], sst[k]
		for _, p := range [][2]int64{{z.Czxid, s.Czxid}, {z.Mzxid, s.Mzxid}, {z.Pzxid, s.Pzxid}} {
			if p[0] == 0 && p[1] == 0 {
				continue
			}
			if msg := m.pair(p[0], p[1]); msg != "" {
				return "stat: " + msg
			}
		}
		for _, side := range []struct {
			s  *diffSide
			st *wire.Stat
		}{{zk, z}, {zs, s}} {
			if msg := side.s.checkTimes(side.st); msg != "" {
				return msg
			}
		}
	}
	for _, side := range []struct {
		s  *diffSide
		st []*wire.Stat
	}{{zk, zst}, {zs, sst}} {
		for _, st := range side.st {
			st.Czxid, st.Mzxid, st.Pzxid, st.Ctime, st.Mtime = 0, 0, 0, 0, 0
			if st.EphemeralOwner != 0 {
				st.EphemeralOwner = side.s.ownerCode(st.EphemeralOwner)
			}
		}
	}
	if !reflect.DeepEqual(za.resp, sa.resp) {
		return "results differ"
	}
	return ""
}

// checkTimes ties a Stat's ctime and mtime to the ops that made its czxid
// and mzxid ("which earlier op's time is this"): one time per zxid, times
// in the order of their ops, and none after its op had its answer nor
// more than the side's lagMs before the op was sent. A zxid no op of this
// run made (the root's 0) has no op.
func (s *diffSide) checkTimes(st *wire.Stat) string {
	for _, p := range [][2]int64{{st.Czxid, st.Ctime}, {st.Mzxid, st.Mtime}} {
		op, ok := s.zxidOp[p[0]]
		if !ok {
			if p[0] != 0 {
				return fmt.Sprintf("%s: zxid %#x in a Stat was made by no op of this run", s.name, p[0])
			}
			continue
		}
		// A millisecond either side: the server and the test read the
		// clock at different moments of the same millisecond.
		w := s.windows[op]
		if p[1] > w.end+1 || (s.lagMs >= 0 && p[1] < w.start-1-s.lagMs) {
			return fmt.Sprintf("%s: time %d of zxid %#x (op %d) is outside the op's window [%d, %d]", s.name, p[1], p[0], op, w.start, w.end)
		}
		s.maxLagMs = max(s.maxLagMs, w.start-p[1])
		i, found := slices.BinarySearch(s.timedOps, op)
		if found {
			if s.opTimes[i] != p[1] {
				return fmt.Sprintf("%s: zxid %#x (op %d) has times %d and %d", s.name, p[0], op, s.opTimes[i], p[1])
			}
			continue
		}
		if (i > 0 && s.opTimes[i-1] > p[1]) || (i < len(s.opTimes) && s.opTimes[i] < p[1]) {
			return fmt.Sprintf("%s: time %d of zxid %#x (op %d) is out of order with the times of other ops", s.name, p[1], p[0], op)
		}
		s.timedOps = slices.Insert(s.timedOps, i, op)
		s.opTimes = slices.Insert(s.opTimes, i, p[1])
	}
	return ""
}

// ownerCode is a session id's name in owners, or -1 for a session this
// run did not open.
func (s *diffSide) ownerCode(id int64) int64 {
	if code, ok := s.owners[id]; ok {
		return code
	}
	return -1
}

// show prints an answer for a mismatch report, zxids as the server sent them.
func show(a answer) string {
	if a.resp == nil {
		return a.hdr.String()
	}
	return a.hdr.String() + " " + a.resp.String()
}

// sameEvents compares two slots' notifications as sets: ZooKeeper sends
// one frame per path and type, in an order that depends on its hash sets.
func sameEvents(a, b []wire.WatcherEvent) bool {
	return slices.Equal(eventSet(a), eventSet(b))
}

func eventSet(evs []wire.WatcherEvent) []wire.WatcherEvent {
	out := slices.Clone(evs)
	slices.SortFunc(out, func(x, y wire.WatcherEvent) int {
		if c := strings.Compare(x.Path, y.Path); c != 0 {
			return c
		}
		return int(x.Type) - int(y.Type)
	})
	return out
}
