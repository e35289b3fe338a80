// Package live runs the pure ZooKeeper server of protocol/replica in real
// time: real sockets, real files, real clients. It is the simulator's
// twin (sim/ensemble's host): the same server core, fed the same inputs,
// its Readies carried out by the same protocol.Carrier.
//
// # One event loop per server
//
// Start builds a Server: it opens the storage directory (package
// storage), loads what it holds into protocol.Recovered, builds the
// replica from it, and binds the peer ports (package transport) and the
// client port. One goroutine, the loop, then owns the replica; nothing
// else touches it. It selects over
//
//   - a ticker, calling Tick as often as real time says (a stall of the
//     whole process is not counted, so that a paused server does not
//     time out every peer at once when it resumes);
//   - the transport's Inbound, calling Step (a reset arrives as the
//     MsgReset the core expects);
//   - client events from the connections' readers, calling Connect,
//     Submit and Disconnect.
//
// After each input it takes in whatever else is already waiting (up to
// batchMax), then hands every Ready the replica has to a protocol.Carrier,
// as the simulator does. The Carrier sends a Ready's early messages at
// once (an established leader's PROPOSALs and COMMITs, a learner's
// forwarded requests: none depends on this server's disk) and the loop
// hands its client responses to the connections (an answer reveals only
// committed state, which a quorum has on disk). The storage work goes to
// the disk goroutine a batch at a time: it appends the log records of
// every Ready handed out since the last batch began, fsyncs them once
// (group commit), and writes epoch and snapshot files atomically.
// Meanwhile the loop goes on stepping, ticking, submitting and sending.
// When the batch is durable, the loop sends the messages that waited for
// it (a follower's ACKs, everything of election, discovery and sync) and
// calls Advance for each of its Readies, which lets a leader count its
// own ACKs. A follower therefore never ACKs what a crash could still
// lose. A storage failure or a Ready with Fatal set stops the server, as
// ZooKeeper exits (Err then matches ErrFatal).
//
// # The client port
//
// Each client connection has a reader goroutine and a writer goroutine.
// The reader reads frames (cmd/internal/wire, jute.maxbuffer 1,048,575
// bytes by default), decodes them and turns them into replica requests
// (convert.go is the one place where wire types meet replica types); the
// writer takes every response the loop queued since its last turn,
// encodes them and writes them with one flush. As in ZooKeeper 3.8:
//
//   - the first four bytes may be a four-letter word instead of a frame
//     length (fourletter.go; 4lw.commands.whitelist, srvr by default);
//   - an oversized frame gets no answer and closes the connection; the
//     session survives and can be resumed;
//   - an unknown opcode is answered UNIMPLEMENTED with zxid -1, in order,
//     and then the connection closes;
//   - a frame that does not decode closes that connection, with a log
//     line; no other connection notices.
//
// The loop never waits for a client: a writer whose queue (outQueue
// frames) is full has its connection cut. Every queue is bounded: client
// events (eventQueue; readers wait), frames per connection, requests a
// client pipelines before its session exists (earlyMax), and the
// replica's own limits (connections, outstanding requests per session).
//
// # Ensembles and configuration
//
// ParseZooConfig reads zoo.cfg (DESIGN.md §8) with errors that name the
// file, line and key and match the Err* sentinels; ReadMyID reads
// dataDir/myid. StartEnsemble runs an ensemble of in-process servers on
// loopback (zabsim ensemble, and the tests), each with its own directory
// and sockets, and can stop and restart them from their disks.
package live
