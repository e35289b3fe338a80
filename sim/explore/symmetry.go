package explore

import (
	"github.com/zabsim/zabsim/protocol"
)

// Symmetry reduction. Server ids are not interchangeable in general: FLE
// breaks ties between votes of equal epoch and zxid by sid, so relabelling
// the servers of a state can change who wins its next election. A state's
// digest is therefore taken under every permutation of the ids, keeping
// the least, only when no decision in its future can depend on the order
// of ids. That holds when
//   - the protocol is the faithful one (a mutant may break any of this),
//   - every fault budget is used (no crash, cut or timeout is left), so
//     no server in a role can lose it: a leader steps down, and a learner
//     gives up, only when ticks pass (a timeout choice) or a connection
//     closes (a crash or a cut);
//   - one server leads and serves, every other server that is up follows
//     it, and at most one server is down or LOOKING;
//   - no LOOKING notification is in flight except from that one server.
// Then the only election left is the one server's, which joins the
// established leader through the FOLLOWING and LEADING notifications it
// gets (FLE's outofelection path, which compares no votes), and every
// other step is equivariant under relabelling: majorities and quorums of
// a given size are symmetric, and the leader's per-learner sends in sid
// order go to different links, whose interleaving the search enumerates
// anyway. So a state and its relabelling have relabelled futures, and
// one of them suffices.

// perm is one permutation of the ids 1..n and its inverse.
type perm struct{ to, from protocol.Relabel }

// permutations lists every permutation of 1..n but the identity; none for
// n above 4, where n! digests per state would cost more than they save.
func permutations(n int) []perm {
	if n > 4 {
		return nil
	}
	var out []perm
	ids := make([]uint64, n)
	for i := range ids {
		ids[i] = uint64(i + 1)
	}
	var rec func(k int)
	rec = func(k int) {
		if k == n {
			to, from := make(protocol.Relabel, n+1), make(protocol.Relabel, n+1)
			identity := true
			for i, v := range ids {
				to[i+1], from[v] = v, uint64(i+1)
				identity = identity && v == uint64(i+1)
			}
			if !identity {
				out = append(out, perm{to, from})
			}
			return
		}
		for i := k; i < n; i++ {
			ids[k], ids[i] = ids[i], ids[k]
			rec(k + 1)
			ids[k], ids[i] = ids[i], ids[k]
		}
	}
	rec(0)
	return out
}

// symmetric reports whether the state's future is the same under every
// relabelling of the ids (see above).
func (w *world) symmetric() bool {
	cfg := &w.env.cfg
	if cfg.NoSymmetry || len(cfg.Bugs) > 0 || len(w.env.perms) == 0 ||
		w.crashes < cfg.Crashes || w.cuts < cfg.Partitions || w.isolated != 0 || w.timeouts < cfg.Timeouts {
		return false
	}
	var leader, loose uint64
	for i, s := range w.servers {
		if s.peer == nil {
			loose++
			continue
		}
		st := s.peer.Status()
		switch {
		case st.State == protocol.Leading && st.Serving && leader == 0:
			leader = uint64(i + 1)
		case st.State == protocol.Looking:
			if loose++; loose > 1 {
				return false
			}
		case st.State != protocol.Following:
			return false
		}
	}
	if leader == 0 || loose > 1 {
		return false
	}
	for i, s := range w.servers {
		if s.peer != nil && s.peer.Status().State == protocol.Following && s.peer.Status().Leader != leader {
			return false
		}
		if s.peer != nil && s.peer.Status().State == protocol.Looking {
			continue
		}
		// Only a LOOKING server's own notifications may be in flight.
		for to := range w.servers {
			for _, m := range *w.queue(uint64(i+1), uint64(to+1), protocol.ChanElection) {
				if m.State == protocol.Looking {
					return false
				}
			}
		}
	}
	return true
}
