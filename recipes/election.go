package recipes

import "time"

// Election is ZooKeeper's leader election recipe: candidates line up as
// ephemeral sequential nodes under dir, the lowest leads, and each other
// candidate watches only its predecessor. A leader's term is its node's
// sequence number, so terms grow with every election.
type Election struct {
	l line
}

// NewElection is a candidacy in dir for a client named id.
func NewElection(c Conn, dir, id string) *Election {
	return &Election{l: line{c: c, dir: dir, id: id}}
}

// Campaign blocks until the candidate leads and returns its term.
func (e *Election) Campaign() (int64, error) {
	if _, err := e.l.waitFirst(); err != nil {
		return 0, err
	}
	return Seq(e.l.node), nil
}

// Leading reports whether the leader may still trust it leads (see
// Lock.Holding).
func (e *Election) Leading() bool { return e.l.holding() }

// Resign ends the leadership, or the candidacy.
func (e *Election) Resign() error { return e.l.leave() }

// Candidate campaigns Terms times and leads for Lead each time it wins,
// checking once a Tick that it still may, recording its terms in Log.
type Candidate struct {
	Name  string
	Dir   string
	Log   *Log
	Terms int
	Lead  time.Duration
	Tick  time.Duration
	Think time.Duration
}

// Run runs the candidate on c.
func (k Candidate) Run(c Conn) error {
	e := NewElection(c, k.Dir, k.Name)
	for range k.Terms {
		term, err := e.Campaign()
		if err != nil {
			return err
		}
		k.Log.Record(c, k.Name, Elected, "", term)
		for led := time.Duration(0); led < k.Lead && e.Leading(); led += k.Tick {
			c.Sleep(k.Tick)
		}
		k.Log.Record(c, k.Name, Deposed, "", term)
		if err := e.Resign(); err != nil {
			return err
		}
		c.Sleep(k.Think)
	}
	return nil
}
