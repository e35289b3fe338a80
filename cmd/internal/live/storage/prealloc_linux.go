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

// datasync is fdatasync: it flushes f's data and only the metadata needed
// to read it back (size, block map), not the timestamps, so an append
// into written blocks commits nothing to the file system's journal.
func datasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}
