package explore

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/zabsim/zabsim/protocol"
)

// ChoiceKind is one kind of step the explorer can take.
type ChoiceKind uint8

const (
	Deliver ChoiceKind = iota + 1
	Timeout
	Write
	Crash
	Restart
	Isolate
	Heal
	// Persist carries out the next storage operation of a server's
	// outstanding Ready (with Config.CrashPoints), and sends its messages
	// after the last one, so a crash can fall between any two.
	Persist
	// Lose drops the oldest message of a link without closing it: an
	// election notification, or a follower's ACK, whose loss can only
	// delay a commit (Config.Losses).
	Lose
)

// Choice is one step. For Deliver and Lose, From/To/Ch name the link
// whose oldest message arrives or is lost; for the others To names the
// server.
type Choice struct {
	Kind     ChoiceKind
	From, To uint64
	Ch       protocol.Channel
}

// String is the compact form --replay accepts: d1>2q, d3>1e, l2>1q, t2,
// w3, c1, r1, i2, h.
func (c Choice) String() string {
	switch c.Kind {
	case Deliver, Lose:
		ch := "q"
		if c.Ch == protocol.ChanElection {
			ch = "e"
		}
		verb := "d"
		if c.Kind == Lose {
			verb = "l"
		}
		return fmt.Sprintf("%s%d>%d%s", verb, c.From, c.To, ch)
	case Timeout:
		return "t" + strconv.FormatUint(c.To, 10)
	case Write:
		return "w" + strconv.FormatUint(c.To, 10)
	case Crash:
		return "c" + strconv.FormatUint(c.To, 10)
	case Restart:
		return "r" + strconv.FormatUint(c.To, 10)
	case Isolate:
		return "i" + strconv.FormatUint(c.To, 10)
	case Heal:
		return "h"
	case Persist:
		return "p" + strconv.FormatUint(c.To, 10)
	}
	return "?"
}

// ParseChoices reads a comma-separated choice sequence.
func ParseChoices(s string) ([]Choice, error) {
	var out []Choice
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		c, err := parseChoice(f)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func parseChoice(f string) (Choice, error) {
	bad := fmt.Errorf("%w: choice %q (want d<from>><to>e|q, l<from>><to>e|q, t<s>, w<s>, c<s>, r<s>, i<s>, p<s> or h)", ErrSyntax, f)
	if f == "h" {
		return Choice{Kind: Heal}, nil
	}
	kinds := map[byte]ChoiceKind{'t': Timeout, 'w': Write, 'c': Crash, 'r': Restart, 'i': Isolate, 'p': Persist}
	if k, ok := kinds[f[0]]; ok {
		n, err := strconv.ParseUint(f[1:], 10, 8)
		if err != nil || n == 0 {
			return Choice{}, bad
		}
		return Choice{Kind: k, To: n}, nil
	}
	link := map[byte]ChoiceKind{'d': Deliver, 'l': Lose}
	kind, ok := link[f[0]]
	if !ok || len(f) < 5 {
		return Choice{}, bad
	}
	var ch protocol.Channel
	switch f[len(f)-1] {
	case 'e':
		ch = protocol.ChanElection
	case 'q':
		ch = protocol.ChanQuorum
	default:
		return Choice{}, bad
	}
	from, to, ok := strings.Cut(f[1:len(f)-1], ">")
	a, err1 := strconv.ParseUint(from, 10, 8)
	b, err2 := strconv.ParseUint(to, 10, 8)
	if !ok || err1 != nil || err2 != nil || a == 0 || b == 0 {
		return Choice{}, bad
	}
	return Choice{Kind: kind, From: a, To: b, Ch: ch}, nil
}

// label numbers the choices of an n-server world densely from 0, so a set
// of them (a sleep set) fits in a bit mask: the 2n² links first, then six
// kinds per server, then Heal, then the 2n² links again for Lose.
func (c Choice) label(n uint64) uint64 {
	switch c.Kind {
	case Deliver:
		return ((c.From-1)*n+c.To-1)*2 + uint64(c.Ch)
	case Lose:
		return labels(n, false) + ((c.From-1)*n+c.To-1)*2 + uint64(c.Ch)
	case Heal:
		return 2*n*n + 6*n
	case Persist:
		return 2*n*n + 5*n + c.To - 1
	}
	return 2*n*n + uint64(c.Kind-Timeout)*n + c.To - 1
}

// labels is how many labels an n-server world has, with or without Lose.
func labels(n uint64, lossy bool) uint64 {
	if lossy {
		return 4*n*n + 6*n + 1
	}
	return 2*n*n + 6*n + 1
}

// choiceOf is the inverse of label.
func choiceOf(l, n uint64) Choice {
	kind := Deliver
	if base := labels(n, false); l >= base {
		l -= base
		kind = Lose
	}
	if l < 2*n*n {
		link := l / 2
		return Choice{Kind: kind, From: link/n + 1, To: link%n + 1, Ch: protocol.Channel(l % 2)}
	}
	l -= 2 * n * n
	if l == 6*n {
		return Choice{Kind: Heal}
	}
	kind = ChoiceKind(l/n) + Timeout
	if l/n == 5 {
		kind = Persist
	}
	return Choice{Kind: kind, To: l%n + 1}
}
