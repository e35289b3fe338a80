// Package protocol is zabsim's pure core of ZooKeeper's replication
// protocol: Fast Leader Election and Zab (discovery, synchronization,
// broadcast) over opaque transactions, as Apache ZooKeeper 3.8 runs them
// with the post-2023 sync fixes (shared/ZAB.md §1-2).
//
// A Peer is driven in the style of etcd-io/raft: Step feeds it a message,
// Tick a unit of time, Propose a transaction (on a serving leader); its
// work comes out as a Ready (storage operations to carry out in order,
// then messages, plus events for traces and checkers) and Advance tells it
// the Ready was carried out. Carry is the one function both hosts use to
// carry out a Ready, so the persist-before-send order cannot differ
// between the simulator and the live server. The layer above (the server
// with its tree and sessions) plugs in as the App state machine.
//
// Persistence is modelled step by step because real bugs live between the
// steps: a follower's NEWLEADER handling appends and fsyncs the synced
// history, then writes currentEpoch, then ACKs, each a separate storage
// operation a crash can interrupt. acceptedEpoch and currentEpoch are
// checked on start exactly as QuorumPeer.loadDataBase checks them.
//
// Where zabsim knowingly differs from ZooKeeper 3.8:
//
//   - A leader's PROPOSAL leaves after its own log write is durable
//     (Ready's rule); ZooKeeper sends it in parallel with the write.
//   - The on-disk txnlog sync (case d of syncFollower) uses the entries the
//     peer still holds in memory, bounded by TxnLogSyncMax entries instead
//     of a byte budget.
//   - Snapshots are taken every SnapCount logged entries without
//     ZooKeeper's random offset, and are never fuzzy.
//   - Reconfiguration, local sessions, the oracle of 2-server ensembles and
//     the pre-Zab-1.0 protocol are not modelled.
//
// Everything here is pure: no goroutines, clocks, files, sockets or global
// randomness, and nothing depends on map iteration order
// (internal/lint enforces it).
package protocol
