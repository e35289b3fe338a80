// Package zk runs ZooKeeper servers (protocol/replica) with simulated
// ZooKeeper clients inside the simulator and checks what the clients saw.
//
// A World is one seeded run: an ensemble of servers (sim/ensemble), a
// nemesis schedule, and clients that behave like ZooKeeper's own (connect
// to a shuffled server list, ping, time out, fail over with their session,
// start over when their session expires) while issuing a contended mixed
// workload. Every invocation and response is recorded with virtual times
// for the checkers in linearize, together with the committed transactions
// as ground truth, each connection's watch stream and the Zab record.
package zk
