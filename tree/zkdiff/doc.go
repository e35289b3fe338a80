// Package zkdiff holds the differential test of package tree against a real
// Apache ZooKeeper 3.8: the same seeded random requests go to a standalone
// server (through github.com/go-zookeeper/zk) and to tree in-process, and
// every result, error, path, Stat and watch event must agree.
//
//	go test ./tree/zkdiff/ -run TestDifferential -v
//	ZKDIFF_SEED=42 ZKDIFF_OPS=20000 go test ./tree/zkdiff/
//	ZKDIFF_VERBOSE=1 ... logs every op, ZooKeeper's answer and the events
//
// A mismatch names the op number, the op, both answers (each zxid with its
// counterpart on the other side) and the command that reruns the seed up
// to that op.
//
// The test is skipped when ZooKeeper is not installed and CI is unset;
// .ci/setup installs it.
package zkdiff
