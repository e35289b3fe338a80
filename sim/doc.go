// Package sim is zabsim's deterministic world: a virtual clock, an event
// scheduler, a simulated network and simulated disks, all driven by one
// seeded random source, so that a run is a pure function of its seed.
//
// Why one goroutine: the only way to make a distributed run reproducible
// bit for bit is to own every source of nondeterminism. The scheduler pops
// events in (time, sequence) order and runs them one at a time; nothing in
// a run reads the wall clock, the global random source, or a map in its
// iteration order. The same seed therefore gives the same trace, and the
// trace hash (a running 64-bit hash over a canonical encoding of every
// event) proves it.
//
// The pieces:
//
//   - Sim owns the clock, the scheduler, the random streams, the network,
//     the nodes and the trace. RunFor and RunUntil advance it under hard
//     limits on events and simulated time, so no run can loop forever.
//   - Rand forks named streams ("network", "node/3", ...) derived from the
//     seed and the name only, so a new draw in one subsystem never shifts
//     the draws of another.
//   - Network delivers messages between node ids after a per-link latency,
//     with loss, duplication, optional reordering, bounded link queues and
//     partitions (symmetric or one-way). By default a link is FIFO like a
//     TCP connection, and a reset drops what is in flight, as TCP would.
//   - Disk is a per-node append-only record store plus small named files.
//     Writes complete after a latency, Sync makes them durable after an
//     fsync latency, and a crash keeps durable data, keeps each unsynced
//     record with a configurable probability and may tear the last one.
//     Records carry checksums, so a torn record is found on load.
//   - Nodes host a Process (the code under test: a toy in sim's tests, a
//     Zab peer later). A node can crash (all volatile state and pending
//     I/O is dropped), restart (a new Process is built from its disk
//     alone), pause and resume. Ticks reach each node at its own rate, so
//     clock skew is a per-node tick rate.
//
// sim knows nothing about ZooKeeper; hosts for the protocol live elsewhere
// and plug in through Process and NodeContext.
package sim
