// Package transport carries protocol.Message between the servers of a
// live ensemble over TCP, with the connection semantics the protocol core
// was written against: ZooKeeper's QuorumCnxManager for election traffic
// and the learner's socket for everything else. The core is pure, so the
// simulator and this package must agree on what a connection promises;
// sim/ensemble and sim/explore are the reference for that agreement.
//
// # Two channels, because ZooKeeper has two
//
// Notifications only ever matter in their newest form: a server that is
// behind should learn the current vote, not replay the votes it missed.
// So each peer gets a send slot of capacity one that a newer notification
// overwrites, as QuorumCnxManager's queueSendMap does, and the last
// notification is sent again on every new connection (lastMessageSent),
// because the peer may have lost the previous one with the connection
// and FastLeaderElection counts on hearing it. While a notification is
// pending the sender redials with backoff forever, like connectAll: the
// election must go on for as long as the server lives.
//
// Quorum traffic is a Zab session: FIFO, and when it breaks both sides
// start over (the learner re-registers, the leader drops its handler).
// Losing messages silently would be wrong, so breaking is explicit: every
// broken connection is reported once, as the protocol.MsgReset the core
// expects, and what was queued is dropped, as TCP drops what is in
// flight. A MsgReset from the core closes the connection without a local
// report, since the core already knows; the peer hears of it, as in the
// simulator. A dial that fails is reported the same way, the way a
// refused TCP connect fails a learner: the core retries on its own
// schedule, so the transport need not keep messages for a peer that is
// not there.
//
// # Election: one connection per direction
//
// QuorumCnxManager keeps one connection per pair and breaks ties by
// closing the connection dialled by the smaller sid and dialling back
// from the larger, which loses whatever the smaller side had just sent
// and needs care to avoid connection storms. Notifications carry no
// session, so nothing ties the two directions together: here each server
// dials its own outgoing election connection to each peer and only reads
// from the connections peers dial to it. That costs a second socket per
// pair and removes the tie-break entirely.
//
// # Quorum: one connection per pair
//
// The quorum channel cannot be split that way: a reset must cut both
// directions at once, or the two sides could disagree about which session
// a message belongs to. The transport does not know roles (normally the
// learner's FOLLOWERINFO opens the connection, but the core may address
// either side first), so whoever has something to send dials, and dials
// that cross are resolved as QuorumCnxManager does, the larger sid's
// connection winning. The send queue belongs to the peer, not to a
// connection, so what the losing side queued goes out on the winning
// connection: a crossing costs neither a message nor a reset.
//
// The acceptor answers a handshake with a verdict before any frame, so a
// dialer never writes on a connection that is about to be discarded. To
// give that verdict it must tell a dial that crossed with the connection
// it holds (which must lose) from a dial made after the peer closed that
// connection (which must replace it, even though the close has not
// arrived yet). The dialer therefore names the last connection it had up
// with the acceptor, and its boot id: a restarted peer has no memory of
// connections, and its old one may be half open forever.
//
// A new connection's messages are delivered only after everything the
// peer's previous connections delivered, their reset included, so the
// core never sees a message of a new session before the end of the old
// one.
//
// # Defending the core
//
// Frames are a 4-byte big-endian length and protocol.Message.Marshal.
// Peers are not trusted: a length over MaxFrame, a body that does not
// decode, a message on the wrong channel, a RESET (which never travels),
// or a message whose From is not the sid of the handshake or whose To is
// not this server closes that connection and is reported to
// Config.ErrorLog. The last two matter because protocol.Peer.Step panics
// on a message addressed to another server. A frame's buffer grows as its
// bytes arrive, so a length prefix alone cannot make a server allocate
// MaxFrame. A quorum queue that reaches QueueLimit (a peer that does not
// read) resets the connection rather than grow without bound.
//
// Send encodes at once: a protocol.Ready's buffers are reused after
// Advance, and encoding copies the message.
//
// # Writing
//
// Each quorum connection has a writer goroutine that sends everything
// queued with one write. Handing each batch to it cost a wake-up, and
// under load the woken writer waited half a millisecond for a CPU: on a
// client write's four hops between servers that was a good part of its
// latency. So with Config.HostFlushes the host writes its own batches:
// SendSince only queues, and Flush, which the live server's loop calls
// once per iteration, writes each peer's queue with one non-blocking
// write and leaves to the writer only what the socket did not take. One
// of the two writes to a socket at a time, and what a Flush left unsent
// goes before anything queued after it.
//
// # Concurrency
//
// All state is under one mutex that is never held across I/O or a
// blocking channel operation; goroutines are started only through a wait
// group that Close waits for, after closing every listener and tracked
// connection, so Close returns with nothing left running and then closes
// Inbound.
package transport
