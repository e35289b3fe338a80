package wire

import (
	"fmt"
	"strconv"
)

// RequestHeader starts every client frame after the handshake.
type RequestHeader struct {
	Xid    int32
	Opcode Opcode
}

// Header sizes on the wire.
const (
	RequestHeaderSize = 8
	ReplyHeaderSize   = 16
	MultiHeaderSize   = 9
)

func (h RequestHeader) String() string {
	return fmt.Sprintf("reqhdr{xid=%d op=%s}", h.Xid, h.Opcode)
}

func (h RequestHeader) encode(e *encoder) {
	e.int32(h.Xid)
	e.int32(int32(h.Opcode))
}

func decodeRequestHeader(d *decoder) RequestHeader {
	xid := d.int32("xid")
	return RequestHeader{Xid: xid, Opcode: Opcode(d.int32("type"))}
}

// ReplyHeader starts every server frame after the handshake. Zxid is the
// server's last zxid for reads and the request's own zxid for writes.
type ReplyHeader struct {
	Xid  int32
	Zxid int64
	Err  ErrCode
}

// NotificationHeader is the fixed header of every watch notification.
var NotificationHeader = ReplyHeader{Xid: XidNotification, Zxid: -1, Err: ErrOK}

func (h ReplyHeader) String() string {
	return fmt.Sprintf("replyhdr{xid=%d zxid=%#x err=%s}", h.Xid, h.Zxid, h.Err)
}

func (h ReplyHeader) encode(e *encoder) {
	e.int32(h.Xid)
	e.int64(h.Zxid)
	e.int32(int32(h.Err))
}

func decodeReplyHeader(d *decoder) ReplyHeader {
	xid := d.int32("xid")
	zxid := d.int64("zxid")
	return ReplyHeader{Xid: xid, Zxid: zxid, Err: ErrCode(d.int32("err"))}
}

// MultiHeader precedes each op of a multi request and each result of a
// multi response; a header with Done set ends the sequence.
type MultiHeader struct {
	Type Opcode
	Done bool
	Err  ErrCode
}

// multiEnd closes every multi request and response: {-1, true, -1}.
var multiEnd = MultiHeader{Type: OpError, Done: true, Err: -1}

func (h MultiHeader) String() string {
	return fmt.Sprintf("multihdr{type=%s done=%t err=%d}", h.Type, h.Done, int32(h.Err))
}

func (h MultiHeader) encode(e *encoder) {
	e.int32(int32(h.Type))
	e.bool(h.Done)
	e.int32(int32(h.Err))
}

func decodeMultiHeader(d *decoder) MultiHeader {
	t := d.int32("type")
	done := d.bool("done")
	return MultiHeader{Type: Opcode(t), Done: done, Err: ErrCode(d.int32("err"))}
}

// EventType is the type field of a WatcherEvent.
type EventType int32

// Event types of ZooKeeper 3.8's Watcher.Event.EventType.
const (
	EventNone                   EventType = -1
	EventNodeCreated            EventType = 1
	EventNodeDeleted            EventType = 2
	EventNodeDataChanged        EventType = 3
	EventNodeChildrenChanged    EventType = 4
	EventDataWatchRemoved       EventType = 5
	EventChildWatchRemoved      EventType = 6
	EventPersistentWatchRemoved EventType = 7
)

var eventNames = map[EventType]string{
	EventNone: "None", EventNodeCreated: "NodeCreated", EventNodeDeleted: "NodeDeleted",
	EventNodeDataChanged: "NodeDataChanged", EventNodeChildrenChanged: "NodeChildrenChanged",
	EventDataWatchRemoved: "DataWatchRemoved", EventChildWatchRemoved: "ChildWatchRemoved",
	EventPersistentWatchRemoved: "PersistentWatchRemoved",
}

func (t EventType) String() string {
	if n, ok := eventNames[t]; ok {
		return n
	}
	return "event(" + strconv.Itoa(int(t)) + ")"
}

// KeeperState is the state field of a WatcherEvent.
type KeeperState int32

// Keeper states a server can put in an event. Every notification a 3.8
// server sends for a znode change carries StateSyncConnected.
const (
	StateDisconnected      KeeperState = 0
	StateSyncConnected     KeeperState = 3
	StateAuthFailed        KeeperState = 4
	StateConnectedReadOnly KeeperState = 5
	StateSaslAuthenticated KeeperState = 6
	StateExpired           KeeperState = -112
)

var stateNames = map[KeeperState]string{
	StateDisconnected: "Disconnected", StateSyncConnected: "SyncConnected",
	StateAuthFailed: "AuthFailed", StateConnectedReadOnly: "ConnectedReadOnly",
	StateSaslAuthenticated: "SaslAuthenticated", StateExpired: "Expired",
}

func (s KeeperState) String() string {
	if n, ok := stateNames[s]; ok {
		return n
	}
	return "state(" + strconv.Itoa(int(s)) + ")"
}

// WatcherEvent is the body of a notification frame (ReplyHeader xid -1).
type WatcherEvent struct {
	Type  EventType
	State KeeperState
	Path  string
}

func (w *WatcherEvent) String() string {
	return fmt.Sprintf("event{type=%s state=%s path=%q}", w.Type, w.State, w.Path)
}

func (w *WatcherEvent) encode(e *encoder) {
	e.int32(int32(w.Type))
	e.int32(int32(w.State))
	e.ustring(w.Path)
}

func decodeWatcherEvent(d *decoder) *WatcherEvent {
	t := d.int32("type")
	s := d.int32("state")
	return &WatcherEvent{Type: EventType(t), State: KeeperState(s), Path: d.ustring("path")}
}
