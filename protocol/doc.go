// Package protocol is zabsim's pure core of ZooKeeper's replication
// protocol: Fast Leader Election and Zab over opaque transactions.
//
// The package is built bottom-up. What exists so far are the pieces every
// later part is defined in terms of: the zxid, the FLE vote order, the
// FLE notification with its canonical encoding, and the quorum verifier. The peer state machine (Step/Tick/Propose/Ready/Advance,
// in the style of etcd-io/raft) is not written yet.
//
// Everything here is pure: no goroutines, clocks, files, sockets or global
// randomness, so that a simulator and a model checker can replay it exactly.
// purity_test.go enforces this.
package protocol
