//go:build !linux

package storage

import "os"

// preallocate extends f to off+n; the hole reads as zeros, which is all
// the log format needs (without fallocate, blocks come at write time).
func preallocate(f *os.File, off, n int64) error { return f.Truncate(off + n) }

// datasync is fsync where fdatasync is not to be had.
func datasync(f *os.File) error { return f.Sync() }
