package linearize

import (
	"path"
	"sort"
)

// TxnKind classifies a committed transaction for the session checks.
type TxnKind uint8

const (
	// TxnWrite is a create, delete, setData or multi that was applied.
	TxnWrite TxnKind = iota + 1
	// TxnError is a write that failed validation; it uses up a zxid and
	// has no effects.
	TxnError
	TxnCreateSession
	// TxnCloseSession covers client closeSession and expiry alike; its
	// effects are the deletions of the session's ephemerals.
	TxnCloseSession
)

// Effect is the state of one path right after a transaction changed it.
type Effect struct {
	Path    string
	Exists  bool
	Data    string
	Version int32
	Czxid   uint64
	Mzxid   uint64
	// Owner is the ephemeral owner session, 0 for a persistent node.
	Owner int64
}

// Txn is one committed transaction as the simulator applied it.
type Txn struct {
	Zxid    Zxid
	Request RequestID
	Kind    TxnKind
	// Session is the session a TxnCreateSession or TxnCloseSession creates
	// or ends.
	Session int64
	Effects []Effect
}

type versioned struct {
	zxid Zxid
	eff  Effect
}

// GroundTruth is the committed history the simulator agrees on, indexed for
// "value of path p at zxid z" queries. Paths never written are absent,
// except the root, so setup writes (a workload's base path) belong in it.
type GroundTruth struct {
	txns      []Txn
	byPath    map[string][]versioned
	children  map[string][]string
	byRequest map[RequestID]int
	// childChanges lists, per parent, the zxids at which a child appeared
	// or vanished, in order; child watches fire on these.
	childChanges map[string][]Zxid
}

// NewGroundTruth indexes the committed transactions, which must be in
// strictly increasing zxid order.
func NewGroundTruth(txns []Txn) (*GroundTruth, error) {
	g := &GroundTruth{txns: txns, byPath: map[string][]versioned{}, children: map[string][]string{}, byRequest: map[RequestID]int{}, childChanges: map[string][]Zxid{}}
	seenChild := map[string]bool{}
	exists := map[string]bool{}
	for i, t := range txns {
		if i > 0 && t.Zxid <= txns[i-1].Zxid {
			return nil, malformed("ground truth out of order: zxid %s after %s", t.Zxid, txns[i-1].Zxid)
		}
		if t.Request != (RequestID{}) {
			g.byRequest[t.Request] = i
		}
		for _, e := range t.Effects {
			g.byPath[e.Path] = append(g.byPath[e.Path], versioned{zxid: t.Zxid, eff: e})
			if exists[e.Path] != e.Exists && e.Path != "/" {
				exists[e.Path] = e.Exists
				parent := path.Dir(e.Path)
				if cs := g.childChanges[parent]; len(cs) == 0 || cs[len(cs)-1] != t.Zxid {
					g.childChanges[parent] = append(cs, t.Zxid)
				}
			}
			if !seenChild[e.Path] && e.Path != "/" {
				seenChild[e.Path] = true
				parent := path.Dir(e.Path)
				g.children[parent] = append(g.children[parent], e.Path)
			}
		}
	}
	for _, c := range g.children {
		sort.Strings(c)
	}
	return g, nil
}

// ValueAt is the state of p after every transaction up to and including z.
func (g *GroundTruth) ValueAt(p string, z Zxid) Effect {
	vs := g.byPath[p]
	i := sort.Search(len(vs), func(i int) bool { return vs[i].zxid > z })
	if i == 0 {
		// The root exists before any transaction; every other path starts
		// absent.
		return Effect{Path: p, Exists: p == "/"}
	}
	return vs[i-1].eff
}

// ChildrenAt lists the names of p's children at z, sorted.
func (g *GroundTruth) ChildrenAt(p string, z Zxid) []string {
	var out []string
	for _, c := range g.children[p] {
		if g.ValueAt(c, z).Exists {
			out = append(out, path.Base(c))
		}
	}
	return out
}

// Committed reports whether a transaction with this request identity
// committed; it is the resolver Resolve expects.
func (g *GroundTruth) Committed(id RequestID) bool {
	_, ok := g.byRequest[id]
	return ok
}

// At returns the transaction committed at z.
func (g *GroundTruth) At(z Zxid) (Txn, bool) {
	i := sort.Search(len(g.txns), func(i int) bool { return g.txns[i].Zxid >= z })
	if i < len(g.txns) && g.txns[i].Zxid == z {
		return g.txns[i], true
	}
	return Txn{}, false
}

// Txns is the committed transactions in zxid order.
func (g *GroundTruth) Txns() []Txn { return g.txns }

// firstChangeAfter is the zxid of the first transaction after z that
// changed p, or 0 if none did.
func (g *GroundTruth) firstChangeAfter(p string, z Zxid) Zxid {
	vs := g.byPath[p]
	i := sort.Search(len(vs), func(i int) bool { return vs[i].zxid > z })
	if i == len(vs) {
		return 0
	}
	return vs[i].zxid
}

// firstChildChangeAfter is the zxid of the first transaction after z that
// added or removed a child of p, or 0 if none did.
func (g *GroundTruth) firstChildChangeAfter(p string, z Zxid) Zxid {
	cs := g.childChanges[p]
	i := sort.Search(len(cs), func(i int) bool { return cs[i] > z })
	if i == len(cs) {
		return 0
	}
	return cs[i]
}

// firstRemovalAfter is the zxid of the first transaction after z that
// deleted p, or 0 if none did.
func (g *GroundTruth) firstRemovalAfter(p string, z Zxid) Zxid {
	vs := g.byPath[p]
	for i := sort.Search(len(vs), func(i int) bool { return vs[i].zxid > z }); i < len(vs); i++ {
		if !vs[i].eff.Exists {
			return vs[i].zxid
		}
	}
	return 0
}
