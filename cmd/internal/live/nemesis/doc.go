// Package nemesis tests a live zabsim ensemble the way Jepsen tests a
// database: separate `zabsim serve` processes (so SIGKILL and SIGSTOP are
// real and a restart recovers from the disk), go-zookeeper clients under
// load, and a schedule of faults (kill and restart, pause and resume,
// partition and heal, delayed and lossy peer links). The clients' history
// is recorded with wall-clock times in the linearize package's form and
// judged by the checkers the simulator uses, plus a durability check of
// every acknowledged write against the state read back from every server
// after healing.
//
// # What the history knows
//
// go-zookeeper does not hand back a request's xid, nor the zxid and error
// code of its reply header, which the checkers key on. A tap on the
// client's connections (tap.go) reads them off the wire. A request whose
// reply never came (the connection broke, the client gave up) is recorded
// as indeterminate, as Jepsen records it: it may or may not have taken
// effect, and Porcupine is free to place it anywhere after its call.
//
// # The network
//
// As root, each server runs in a network namespace of its own, joined by
// a veth pair to a bridge in the root namespace, where the clients are; a
// partition takes the server's veth down, and the kernel drops its
// traffic. Every peer link also goes through a TCP proxy on the bridge
// that delays it, or makes it lossy (a lost chunk costs a retransmission
// timeout, which is what loss does to a TCP stream): the kernel this was
// built on has no netem qdisc. Namespaces and links are named zbn<pid>-,
// removed when the run ends, and removed by the next run if a crashed run
// left them behind. Without the privilege to make namespaces the servers
// listen on 127.0.0.1 and a partition cuts the proxies of the server's
// peer links instead; the run says which it used.
package nemesis
