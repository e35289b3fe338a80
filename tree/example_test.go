package tree_test

import (
	"fmt"

	"github.com/zabsim/zabsim/tree"
)

// The leader prepares, every replica applies, the leader then tells its
// preparer what has been applied.
func Example() {
	t := tree.New(tree.Config{})
	leader := tree.NewPreparer(t)
	client := tree.Caller{Session: 0x100}
	zxid := int64(0)
	write := func(req tree.Request) {
		zxid++
		txn, err := leader.Prepare(zxid, client, 1_700_000_000_000, req)
		if err != nil { // not a transaction: answer err, no zxid used
			fmt.Println("refused:", err)
			zxid--
			return
		}
		result, events := t.Apply(zxid, txn) // on every replica
		leader.Applied(zxid)
		for _, e := range events {
			fmt.Println(e)
		}
		fmt.Println(result)
	}
	write(tree.Request{Op: tree.OpCreate, Path: "/app", ACL: tree.WorldACL(tree.PermAll)})
	if _, err := t.Exists(client, "/app/lock-0000000000", true); err != nil {
		fmt.Println("exists:", err)
	}
	write(tree.Request{Op: tree.OpCreate, Path: "/app/lock-", ACL: tree.WorldACL(tree.PermAll), Flags: tree.FlagEphemeralSequential})
	write(tree.Request{Op: tree.OpCheck, Path: "/app"})
	write(tree.Request{Op: tree.OpCloseSession}) // the exists watch was one-shot: no event

	// Output:
	// create OK /app stat{czxid=0x1 mzxid=0x1 pzxid=0x1 ctime=1700000000000 mtime=1700000000000 version=0 cversion=0 aversion=0 owner=0x0 dataLength=0 numChildren=0}
	// exists: zk: NoNode
	// event session=0x100 NodeCreated /app/lock-0000000000
	// create OK /app/lock-0000000000 stat{czxid=0x2 mzxid=0x2 pzxid=0x2 ctime=1700000000000 mtime=1700000000000 version=0 cversion=0 aversion=0 owner=0x100 dataLength=0 numChildren=0}
	// refused: zk: Unimplemented
	// closeSession OK
}
