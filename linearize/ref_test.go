package linearize

import (
	"fmt"
	"path"
	"sort"
)

// refTree is a sequential reference implementation of the parts of
// ZooKeeper the checkers judge: executing operations in linearization order
// yields a history and a ground truth that must pass every check.
type refTree struct {
	nodes   map[string]refNode
	zxid    Zxid
	txns    []Txn
	seqNext map[string]int64
}

type refNode struct {
	data         string
	version      int32
	czxid, mzxid Zxid
	owner        int64
}

func newRefTree() *refTree {
	return &refTree{nodes: map[string]refNode{}, zxid: MakeZxid(1, 0), seqNext: map[string]int64{}}
}

func (t *refTree) effect(p string) Effect {
	n, ok := t.nodes[p]
	if !ok {
		return Effect{Path: p}
	}
	return Effect{Path: p, Exists: true, Data: n.data, Version: n.version, Czxid: uint64(n.czxid), Mzxid: uint64(n.mzxid), Owner: n.owner}
}

// sub validates and applies one request against nodes (speculatively when
// nodes is a copy), returning its result.
func (t *refTree) sub(nodes map[string]refNode, req Request, session int64, z Zxid) Result {
	n, ok := nodes[req.Path]
	switch req.Kind {
	case KindCreate:
		p := req.Path
		if req.Sequential {
			parent := path.Dir(p)
			p = fmt.Sprintf("%s%010d", p, t.seqNext[parent])
			t.seqNext[parent]++
		}
		if _, ok := nodes[p]; ok {
			return Result{Err: CodeNodeExists}
		}
		owner := int64(0)
		if req.Ephemeral {
			owner = session
		}
		nodes[p] = refNode{data: req.Data, czxid: z, mzxid: z, owner: owner}
		return Result{Created: p}
	case KindDelete, KindSetData, KindCheck:
		if !ok {
			return Result{Err: CodeNoNode}
		}
		if req.Version != -1 && req.Version != n.version {
			return Result{Err: CodeBadVersion}
		}
		switch req.Kind {
		case KindDelete:
			delete(nodes, req.Path)
		case KindSetData:
			n.data, n.version, n.mzxid = req.Data, n.version+1, z
			nodes[req.Path] = n
		}
		return Result{Stat: Stat{Version: n.version, Czxid: uint64(n.czxid), Mzxid: uint64(n.mzxid)}}
	}
	panic("refTree: not a write: " + req.Kind.String())
}

// exec runs op at its linearization point and fills in its reply.
func (t *refTree) exec(op *Operation) {
	op.Outcome = OutcomeOK
	switch op.Req.Kind {
	case KindGetData, KindExists:
		n, ok := t.nodes[op.Req.Path]
		op.Zxid = t.zxid
		switch {
		case ok:
			op.Res = Result{Data: n.data, Exists: true, Stat: Stat{Version: n.version, Czxid: uint64(n.czxid), Mzxid: uint64(n.mzxid)}}
		case op.Req.Kind == KindExists:
			op.Res = Result{}
		default:
			op.Res, op.Outcome = Result{Err: CodeNoNode}, OutcomeFailed
		}
		return
	case KindSync:
		op.Zxid = t.zxid
		return
	}
	t.zxid++
	op.Zxid = t.zxid
	txn := Txn{Zxid: t.zxid, Request: op.ID(), Kind: TxnWrite}
	if op.Req.Kind == KindCloseSession {
		txn.Kind, txn.Session = TxnCloseSession, op.Session
		for _, p := range sortedKeys(t.nodes) {
			if t.nodes[p].owner == op.Session {
				delete(t.nodes, p)
				txn.Effects = append(txn.Effects, Effect{Path: p})
			}
		}
		t.txns = append(t.txns, txn)
		return
	}
	reqs := []Request{op.Req}
	if op.Req.Kind == KindMulti {
		reqs = op.Req.Ops
	}
	spec := make(map[string]refNode, len(t.nodes))
	for k, v := range t.nodes {
		spec[k] = v
	}
	ress := make([]Result, len(reqs))
	failed := false
	var touched []string
	for i, r := range reqs {
		if failed {
			ress[i] = Result{Err: CodeRuntimeInconsistency}
			continue
		}
		ress[i] = t.sub(spec, r, op.Session, t.zxid)
		failed = ress[i].Err != CodeOK
		touched = append(touched, r.Path)
		if ress[i].Created != "" {
			touched[len(touched)-1] = ress[i].Created
		}
	}
	if op.Req.Kind == KindMulti {
		op.Res = Result{Ops: ress}
	} else {
		op.Res = ress[0]
	}
	if failed {
		op.Outcome = OutcomeFailed
		txn.Kind = TxnError
		if op.Req.Kind != KindMulti {
			op.Res.Err = ress[0].Err
		}
		t.txns = append(t.txns, txn)
		return
	}
	t.nodes = spec
	seen := map[string]bool{}
	for _, p := range touched {
		if !seen[p] {
			seen[p] = true
			txn.Effects = append(txn.Effects, t.effect(p))
		}
	}
	t.txns = append(t.txns, txn)
}

func (t *refTree) truth() *GroundTruth {
	g, err := NewGroundTruth(t.txns)
	if err != nil {
		panic(err)
	}
	return g
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
