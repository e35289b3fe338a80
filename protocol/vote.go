package protocol

import "fmt"

// Vote is what a server proposes as leader during Fast Leader Election.
type Vote struct {
	Leader    uint64 // sid of the proposed leader
	Zxid      Zxid   // proposed leader's last processed zxid (in memory)
	PeerEpoch uint32 // proposed leader's epoch
}

// String is stable: golden traces depend on it.
func (v Vote) String() string {
	return fmt.Sprintf("(leader=%d zxid=%s peerEpoch=%d)", v.Leader, v.Zxid, v.PeerEpoch)
}

// VoteGreater reports whether candidate beats current in FLE's
// totalOrderPredicate: peerEpoch first, then zxid, then sid. ZOOKEEPER-1419
// shipped a version that was not a strict total order, so a property test
// checks irreflexivity, asymmetry, transitivity and totality on distinct
// votes.
func VoteGreater(candidate, current Vote) bool {
	if candidate.PeerEpoch != current.PeerEpoch {
		return candidate.PeerEpoch > current.PeerEpoch
	}
	if candidate.Zxid != current.Zxid {
		return candidate.Zxid > current.Zxid
	}
	return candidate.Leader > current.Leader
}
