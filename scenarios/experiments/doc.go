// Package experiments runs the simulator experiments behind `zabsim report`
// and turns runs into the plain input types of package reports.
//
// Each experiment builds its worlds from the scenario catalogue, runs every
// seed in parallel on a bounded number of goroutines (each world stays on
// one goroutine, so every run is deterministic), reduces each run to the
// few numbers its figure needs as soon as the run ends, and returns them
// in seed order: the same seeds give the same numbers however many runs
// were under way at once.
//
//	Latency       commit latency of acknowledged writes by ensemble size, no faults
//	Availability  writes that succeed and time with a leader, by crashed servers
//	QuorumSweep   lost acknowledged writes and split-brain epochs by quorum size, under partitions
//	Timeline      one faulty run: ops, faults, leader changes, role bands
//	Elections     election time by tickTime and finalize wait, under leader crashes
//	Throughput    completed operations per simulated second by client count
//
// Verdicts are never decided here: lost acknowledged writes are counted
// from the violations linearize reported, and failed checks reach the run
// report as linearize wrote them. What is measured here (latency, time
// with a leader, roles over time) is observation of the run, taken by a
// trace observer that reads the servers' status without scheduling
// anything, so an observed run has the trace hash of an unobserved one.
//
// Report writes every figure and the index page of `zabsim report`;
// Failure prepares one failing seed for the page of `zabsim run --report`.
package experiments
