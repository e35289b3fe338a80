package explore

// Partial-order reduction by sleep sets (Godefroid). When a state's
// successors are generated in order, a choice b explored before choice a
// need not be explored again after a if a and b are independent: the
// state a then b reaches is the one b then a reached. b goes into the
// sleep set of the state after a and stays asleep along a's descendants
// for as long as the choices taken there are independent of it. Sleep
// sets prune transitions, never states: every reachable state is still
// visited, so every state invariant is still checked.
//
// Independence is judged from footprints. A choice at server X changes
// X's peer, state machine and disk, pops the head of one link into X and
// appends to the tails of links out of X. Two such choices at different
// servers commute: a head pop and a tail append of a non-empty FIFO
// commute, and neither reads what the other writes. What breaks this is
// recorded as a footprint flag and makes a choice dependent:
//   - global: it cleared links (a connection reset, a crash, a fatal exit,
//     a cut or a heal), which loses messages another choice would deliver;
//   - budget: it used a shared budget (writes, crashes, timeouts of a
//     serving server), which can disable another choice of the same kind,
//     and a write's payload is numbered by the budget used;
//   - ghost: it read or wrote the invariants' ghost variables, whose
//     checks depend on the order (a leader establishing before or after
//     another server commits);
//   - a timeout is enabled only while nothing is in flight to its server,
//     and a message to a server that is down is lost, so a timeout and a
//     restart depend on every choice that sends to their server;
//   - a notification pushed out of a full election link is one the
//     receiver would otherwise have delivered, so a choice that pushes one
//     out depends on every choice at the receiver.
//
// A choice stays asleep only if it was "plain" (no global or ghost flag)
// when its footprint was taken. Its footprint in a descendant state is
// the same, since everything taken in between was independent of it and
// left its server, and the head of its link, alone.

// footprint is what one applied choice touched.
type footprint struct {
	server uint64 // 0 for Heal
	kind   ChoiceKind
	sentTo uint16 // servers it sent (or tried to send) messages to
	// replaced: servers whose election link from this one it pushed a
	// notification out of.
	replaced uint16
	global   bool
	budget   bool
	ghost    bool
}

// plain choices may sleep.
func (f footprint) plain() bool { return !f.global && !f.ghost && f.server != 0 }

// independent reports whether choices with footprints a and b commute and
// cannot disable each other.
func independent(a, b footprint) bool {
	switch {
	case a.server == b.server || a.server == 0 || b.server == 0:
		return false
	case a.global || b.global:
		return false
	case a.budget && b.budget:
		return false
	case a.ghost && b.ghost:
		return false
	case dependsOnSendsTo(a.kind) && b.sentTo&(1<<(a.server-1)) != 0:
		return false
	case dependsOnSendsTo(b.kind) && a.sentTo&(1<<(b.server-1)) != 0:
		return false
	case a.replaced&(1<<(b.server-1)) != 0 || b.replaced&(1<<(a.server-1)) != 0:
		return false
	}
	return true
}

// dependsOnSendsTo: choices whose outcome changes when a message to their
// server is sent before them (one in flight disables a timeout; one sent
// before a restart is lost).
func dependsOnSendsTo(k ChoiceKind) bool { return k == Timeout || k == Restart }

// asleep is the footprint assumed for a choice inherited in a sleep set,
// known only by its label: it may send to every server, and a timeout, a
// write or a loss may use a budget.
func asleep(c Choice) footprint {
	return footprint{server: c.To, kind: c.Kind, sentTo: ^uint16(0), replaced: ^uint16(0), budget: c.Kind == Timeout || c.Kind == Write || c.Kind == Lose}
}
