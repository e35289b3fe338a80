package replica

// Session ids and passwords are derived the way ZooKeeper derives them, so
// that a client resuming a session on another server presents a password
// that server can check without asking anyone.

// superSecret is ZooKeeper's SessionTrackerImpl password seed.
const superSecret int64 = 0xB3415C00

// passwdLen is the length of a session password (16 bytes in ZooKeeper).
const passwdLen = 16

// Passwd is ZooKeeper's generatePasswd: sixteen bytes of
// java.util.Random seeded with id ^ superSecret.
func Passwd(id int64) []byte {
	r := newJavaRandom(id ^ superSecret)
	out := make([]byte, passwdLen)
	for i := 0; i < len(out); {
		rnd := r.nextInt()
		for n := min(len(out)-i, 4); n > 0; n-- {
			out[i] = byte(rnd)
			i++
			rnd >>= 8
		}
	}
	return out
}

// javaRandom is java.util.Random's 48-bit linear congruential generator.
type javaRandom struct{ seed int64 }

const (
	javaMultiplier = 0x5DEECE66D
	javaAddend     = 0xB
	javaMask       = (1 << 48) - 1
)

func newJavaRandom(seed int64) *javaRandom {
	return &javaRandom{seed: (seed ^ javaMultiplier) & javaMask}
}

func (r *javaRandom) nextInt() int32 {
	r.seed = (r.seed*javaMultiplier + javaAddend) & javaMask
	return int32(r.seed >> 16)
}

// firstSessionID is SessionTrackerImpl.initializeNextSessionId: the server
// id in the top byte and the clock below it, so ids from different
// servers, and from one server's successive runs, do not collide.
func firstSessionID(sid uint64, nowMs int64) int64 {
	id := int64(uint64(nowMs<<24)>>8) | int64(sid<<56)
	if id == containerOwner {
		id++
	}
	return id
}

// containerOwner is the ephemeralOwner value that marks a container node;
// no session may have it.
const containerOwner int64 = -1 << 63

// negotiate clamps a requested session timeout into [min, max], as
// ZooKeeperServer.processConnectRequest does.
func negotiate(requested, minMs, maxMs int32) int32 {
	return max(minMs, min(requested, maxMs))
}

// tracked is a session in the leader's tracker (SessionTrackerImpl).
type tracked struct {
	timeout int32
	expires int64 // ms; a multiple of tickTime, as ZooKeeper's ExpiryQueue rounds
	// heard is when this leader last heard from the session (a request,
	// a learner's touch, its creation or this leader's start), kept apart
	// from expires so that an expiry can be judged against it.
	heard int64
	// owner is the server whose client connection last validated the
	// session; 0 until one does after a leader change.
	owner   uint64
	closing bool
}

// Expiry is a leader expiring a session, with what it knew then: checkers
// require At >= Heard + Timeout, a whole timeout of silence (all times on
// the leader's own clock, in ms).
type Expiry struct {
	Session   int64
	At, Heard int64
	TimeoutMs int32
}
