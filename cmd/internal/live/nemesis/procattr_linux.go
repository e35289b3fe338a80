package nemesis

import "syscall"

// procAttr makes a server die with the harness: a harness killed with
// SIGKILL cannot stop its servers, and they would hold on to their ports
// and namespaces.
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }
