// Package linearize decides whether a zabsim run was correct.
//
// The simulator host records what clients saw (a history of Operations),
// what the ensemble committed (a GroundTruth of transactions and their
// effects per path) and what each replica did (a ZabRecord of logs,
// proposals, leadership and acknowledgements). The checkers here turn those
// records into one Verdict that names every failed check with the evidence
// that proves it.
//
// Entry points: a Recorder builds the history (Resolve narrows ambiguous
// writes with the simulator's knowledge), NewGroundTruth indexes the
// committed transactions, and CheckRun runs every check whose input is
// present and returns the Verdict plus the Porcupine result whose
// VisualizePath writes the HTML timeline. Each check is also callable on
// its own (CheckLinearizable, CheckZxidOrder, CheckSessions,
// CheckReadPrefix, CheckAckedWrites, CheckZab, CheckEphemerals,
// CheckSequential, CheckWatches, CheckLiveness).
//
// The package deliberately does not import protocol or tree: its input
// types are plain data, so the checkers judge the server core from the
// outside, the way a client or an auditor of the logs would, and a bug in
// the core cannot leak into the judgement of itself.
//
// Consistency model, following ZooKeeper's documented guarantees:
//   - writes (create, delete, setData, multi, closeSession) are
//     linearizable; they are checked with Porcupine per path, plus a
//     separate zxid/real-time order check that restores the cross-path
//     order that per-path partitioning drops;
//   - plain reads are sequentially consistent and may be stale, so they are
//     checked against the committed prefix at the zxid they were answered
//     at, not against real time;
//   - a read issued right after a sync is checked for linearizability from
//     the sync's invocation;
//   - per session, everything is FIFO.
package linearize
