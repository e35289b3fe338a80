package linearize

import "fmt"

// Zxid is a ZooKeeper transaction id: epoch in the high 32 bits, counter in
// the low 32.
type Zxid uint64

// MakeZxid builds a zxid from its epoch and counter.
func MakeZxid(epoch, counter uint32) Zxid { return Zxid(uint64(epoch)<<32 | uint64(counter)) }

// Epoch is the leader epoch that proposed the transaction.
func (z Zxid) Epoch() uint32 { return uint32(z >> 32) }

// Counter is the transaction's position within its epoch, from 1.
func (z Zxid) Counter() uint32 { return uint32(z) }

func (z Zxid) String() string { return fmt.Sprintf("0x%x(%d:%d)", uint64(z), z.Epoch(), z.Counter()) }
