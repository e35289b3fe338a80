package zkserver

import "syscall"

// A test binary that dies (a panic, a -timeout) skips its cleanups; the kernel
// then still kills the server instead of leaving a JVM holding a port.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
