// Package tree is the znode data tree with Apache ZooKeeper 3.8's exact
// client-visible semantics: what every replica agrees on and what clients
// see. Users compare zabsim against a real ZooKeeper, so Stat fields,
// error codes, sequential names, children order and watch events follow
// measurements of ZooKeeper 3.8.0 (shared/ZK-SEMANTICS.md), not a
// simplification.
//
// The tree is split the way ZooKeeper splits it, because replication
// needs the split:
//
//   - The leader's Preparer validates a request against the applied Tree
//     plus its not-yet-applied prepared changes and fixes everything a
//     replica must not decide on its own (sequential names, the ephemeral
//     owner, ctime/mtime from the leader's clock, new versions). A request
//     ZooKeeper refuses still becomes a transaction (an OpError Txn) and
//     uses up a zxid, as in ZooKeeper.
//   - Every replica calls Tree.Apply(zxid, txn), a pure function of the
//     tree and the Txn, which returns the client's Result and the watch
//     Events to send. After applying, the leader calls Preparer.Applied;
//     on losing leadership, Preparer.Reset drops what was prepared.
//   - Reads (GetData, Exists, GetChildren, GetACL, GetEphemerals,
//     GetAllChildrenNumber, MultiRead) and watch management (AddWatch,
//     RemoveWatches, SetWatches) run on the replica a client is connected
//     to. sync needs nothing from the tree. A watch notifies only a
//     session that may READ the node when it fires, with the identities
//     the session holds then: the server layer reports addauth through
//     Tree.SetAuth.
//
// Transactions have a canonical binary encoding (Txn.Marshal,
// UnmarshalTxn) because they go into logs, messages and digests; the tree
// has a canonical snapshot (EncodeSnapshot, DecodeSnapshot) and a 64-bit
// Digest kept up to date by every Apply so that replicas compare in O(1).
//
// Where zabsim knowingly differs from ZooKeeper 3.8.0:
//
//   - A stand-alone check is refused with Unimplemented and never becomes
//     a transaction (3.8.0 logs it and can no longer load its own log).
//   - A payload over Config.DataLengthMax is refused with BadArguments and
//     no transaction; ZooKeeper closes the connection instead.
//   - A multi with a read op inside becomes a MarshallingError transaction
//     and drops its earlier ops' pending changes (ZooKeeper leaks them).
//   - closeSession deletes paths in sorted order where ZooKeeper uses
//     hash order.
//   - Children order, and GetEphemerals' order (a clone of the session's
//     hash set), follow java.util.HashSet except for Java's tree bins and
//     tables past 2^20 slots (see javaSet). After a restart from a local
//     snapshot the ephemeral sets are rebuilt in snapshot order, as
//     ZooKeeper rebuilds its own, but from a snapshot of another zxid than
//     ZooKeeper's, so their order may differ from ZooKeeper's then.
//   - Quota accounting under /zookeeper/quota, reconfig and TTL nodes
//     (extendedTypesEnabled) are not implemented; session validity
//     (SessionExpired, SessionMoved) is the server layer's check.
//
// The package is pure: no clock, goroutines, OS, network or global
// randomness, and no output depends on map iteration order. Bad client
// input yields a ZooKeeper error (sentinels such as ErrNoNode with Code);
// a panic means a broken invariant.
package tree
