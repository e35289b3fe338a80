package storage

import (
	"errors"
	"os"
	"syscall"
)

// preallocate gives f real blocks for [off, off+n), reading as zeros, so
// appends neither grow the file nor allocate at fsync time.
func preallocate(f *os.File, off, n int64) error {
	for {
		err := syscall.Fallocate(int(f.Fd()), 0, off, n)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EOPNOTSUPP), errors.Is(err, syscall.ENOSYS):
			// A file system without fallocate still reads a hole as zeros.
			return f.Truncate(off + n)
		}
		return err
	}
}
