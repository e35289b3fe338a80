package protocol

// ballots is FLE's recvset or outofelection: the last notification from
// each sender, kept sorted by sid. An ensemble has a handful of voters,
// so a slice beats a map and copies cheaply when the model checker clones
// a peer; iteration is in sid order without sorting.
type ballots []sidBallot

type sidBallot struct {
	sid uint64
	b   ballot
}

// set records sid's ballot.
func (bs *ballots) set(sid uint64, b ballot) {
	s := *bs
	i := 0
	for i < len(s) && s[i].sid < sid {
		i++
	}
	if i < len(s) && s[i].sid == sid {
		s[i].b = b
		return
	}
	s = append(s, sidBallot{})
	copy(s[i+1:], s[i:])
	s[i] = sidBallot{sid: sid, b: b}
	*bs = s
}

// get is sid's ballot, if it sent one.
func (bs ballots) get(sid uint64) (ballot, bool) {
	for _, e := range bs {
		if e.sid == sid {
			return e.b, true
		}
	}
	return ballot{}, false
}
