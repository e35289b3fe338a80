package protocol

import "fmt"

// Zxid is ZooKeeper's transaction id: the epoch in the high 32 bits and a
// counter in the low 32 bits, so ordering zxids as integers orders first by
// epoch and then by counter.
type Zxid uint64

// MakeZxid builds the zxid of the counter'th transaction of epoch.
func MakeZxid(epoch, counter uint32) Zxid { return Zxid(uint64(epoch)<<32 | uint64(counter)) }

// Epoch is the high half of z.
func (z Zxid) Epoch() uint32 { return uint32(z >> 32) }

// Counter is the low half of z.
func (z Zxid) Counter() uint32 { return uint32(z) }

// String prints z the way ZooKeeper's logs do (0x100000003), so traces can be
// compared against real server logs.
func (z Zxid) String() string { return fmt.Sprintf("0x%x", uint64(z)) }
