// Package nemesis injects faults into a simulated ensemble: partitions of
// every shape, crashes and restarts, crashes at named points of the
// protocol, pauses, latency spikes, loss, duplication, clogging, clock
// skew and slow disks.
//
// A fault schedule is data: a list of timed steps, each printed on one line
// and parsed back from it (`+1.5s partition isolate leader`), so a failing
// schedule can be read, edited and replayed by hand. Schedules come from
// the run's seed through generators (swarm style, as TigerBeetle's VOPR
// does: each seed draws which faults are on and how often), are written by
// hand, or are drawn by rapid so that a failing schedule shrinks to a short
// one.
//
// Steps name servers by their ZooKeeper id (1-based) or by a selector that
// is resolved when the step fires (leader, a random follower, a minority,
// all), because "the leader" is only known at that moment. Resolution draws
// from its own seeded stream, so the same seed resolves the same way. The
// nemesis never decides a verdict; it only acts and records what it did.
package nemesis
