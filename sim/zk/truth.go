package zk

import (
	"fmt"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/protocol"
	"github.com/zabsim/zabsim/protocol/replica"
	"github.com/zabsim/zabsim/tree"
)

// truthTxns replays the committed transactions on a fresh tree and
// describes each as the checkers want it: who asked (session, cxid), what
// kind, and the state of every path it changed right after it.
func truthTxns(entries []protocol.Entry) ([]linearize.Txn, error) {
	t := tree.New(tree.Config{})
	out := make([]linearize.Txn, 0, len(entries))
	for _, e := range entries {
		txn, err := replica.UnmarshalTxn(e.Txn)
		if err != nil {
			return nil, fmt.Errorf("committed %s: %w", e.Zxid, err)
		}
		if int64(e.Zxid) <= t.Zxid() {
			return nil, fmt.Errorf("committed %s after %#x", e.Zxid, t.Zxid())
		}
		t.Apply(int64(e.Zxid), txn.Tree)
		lt := linearize.Txn{
			Zxid:    linearize.Zxid(e.Zxid),
			Request: linearize.RequestID{Session: txn.Tree.Session, Xid: txn.Cxid},
			Kind:    linearize.TxnWrite,
		}
		switch txn.Tree.Type {
		case tree.OpError:
			lt.Kind = linearize.TxnError
		case tree.OpCreateSession:
			lt.Kind, lt.Session = linearize.TxnCreateSession, txn.Tree.Session
		case tree.OpCloseSession:
			lt.Kind, lt.Session = linearize.TxnCloseSession, txn.Tree.Session
		case tree.OpMulti:
			for _, sub := range txn.Tree.Ops {
				if sub.Type == tree.OpError {
					lt.Kind = linearize.TxnError
				}
			}
		}
		if lt.Kind != linearize.TxnError {
			for _, p := range touched(txn.Tree) {
				lt.Effects = append(lt.Effects, effect(t, p))
			}
		}
		out = append(out, lt)
	}
	return out, nil
}

// touched lists the paths whose node a transaction creates, changes or
// deletes.
func touched(txn tree.Txn) []string {
	switch txn.Type {
	case tree.OpCreate, tree.OpDelete, tree.OpSetData:
		return []string{txn.Path}
	case tree.OpCloseSession:
		return txn.Paths
	case tree.OpMulti:
		var out []string
		for _, sub := range txn.Ops {
			out = append(out, touched(sub)...)
		}
		return out
	}
	return nil
}

func effect(t *tree.Tree, path string) linearize.Effect {
	data, st, err := t.GetData(tree.Caller{}, path, false)
	if err != nil {
		return linearize.Effect{Path: path}
	}
	return linearize.Effect{Path: path, Exists: true, Data: string(data), Version: st.Version,
		Czxid: uint64(st.Czxid), Mzxid: uint64(st.Mzxid), Owner: st.EphemeralOwner}
}
