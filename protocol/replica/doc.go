// Package replica is one ZooKeeper server as a pure state machine: a Zab
// peer (package protocol) whose replicated state is a znode tree (package
// tree), with sessions, client connections and ZooKeeper's request
// pipeline. It is the one place where protocol and tree meet.
//
// Hosts drive it the way they drive a peer, plus the client side:
// Connect, Submit and Disconnect for client connections; Step and Tick for
// the ensemble; Ready, then Responses, then Advance. Responses are sent
// only after the Ready they came with is durable and sent, so a reply
// never reveals what a crash could still lose.
//
// What follows ZooKeeper 3.8:
//
//   - Sessions are transactions (createSession, closeSession). The server a
//     client connects to picks the session id (its server id in the top
//     byte, its clock below) and the password (java.util.Random seeded
//     with id ^ superSecret, byte for byte ZooKeeper's), so any server can
//     check a resuming client's password. Timeouts are clamped to
//     [2, 20] tickTimes by default.
//   - Only the leader expires sessions, at tickTime boundaries. Requests
//     touch a session; learners collect touches and send them in their
//     ping replies. A new leader gives every known session a fresh timeout.
//   - Writes are forwarded to the leader, checked against the session
//     tracker (SessionExpired, SessionMoved become error transactions that
//     use a zxid, as in ZooKeeper), prepared against pending changes and
//     proposed; every server applies on commit, and the server holding the
//     client's connection answers.
//   - A session's requests complete in order: a read waits for the
//     session's earlier writes and syncs, so it sees its own writes. Reads
//     are answered from the local tree. sync goes to the leader, which
//     answers once everything proposed before it is committed.
//   - Watch notifications are queued at apply time, before the reply of
//     the write that fired them and before any later reply.
//   - A resume revalidates the session at the leader, which makes the new
//     server the session's owner; a server refuses a client whose last
//     seen zxid is ahead of its own; a role change closes every client
//     connection (ZooKeeper restarts its request pipeline) and clients
//     reconnect.
//
// Where zabsim differs: there are no local sessions, read-only mode,
// quotas or reconfig; a stand-alone check is answered Unimplemented
// without a transaction (see package tree).
package replica
