// Package lint holds tests that keep the code base honest about rules the
// compiler cannot check: above all, that the protocol core (protocol/ and
// tree/) stays pure, so that the simulator, the model checker and the live
// server all run the same deterministic code.
package lint
