// Package wire is ZooKeeper's client wire protocol (jute) as a pure codec:
// frames, the connect handshake, request and reply headers, and every
// request and response record a 3.8 server and its clients exchange.
//
// It holds no connection state and does no I/O beyond reading and writing
// one frame, so the live server, tests and fuzzers share one definition of
// the bytes. What a server answers is not decided here: the codec reports
// what arrived (a typed request, an unknown opcode, a malformed body, an
// oversized frame) and the server maps each case to ZooKeeper's behaviour
// as measured in ZK-SEMANTICS.md.
//
// A server's read side is ReadFrame (with DefaultMaxRequestFrame), then
// DecodeConnectRequest for the first frame and DecodeRequest for the rest;
// its write side is EncodeConnectResponse (via ConnectRequest.Accept or
// Refuse), EncodeReply and EncodeNotification, then WriteFrame. A client
// uses EncodeConnectRequest, EncodeRequest and DecodeReply.
//
// Decoding is bounded: every length prefix is checked against the bytes that
// remain before anything is allocated, so a hostile frame costs at most a
// small multiple of its own size, and errors name the field that was wrong.
//
// Null and empty stay distinct where jute keeps them apart: a nil []byte is
// a buffer of length -1 and a nil slice in a request is a vector of count
// -1. Responses never carry null vectors, because go-zookeeper reads a
// vector count as unsigned and would break on -1.
package wire
