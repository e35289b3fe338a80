package linearize

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckWatches(t *testing.T) {
	reg := func(p string, w WatchType, at Zxid) StreamItem {
		return StreamItem{Kind: ItemRegistered, Path: p, Watch: w, Zxid: at}
	}
	note := func(p string, e EventType, at Zxid) StreamItem {
		return StreamItem{Kind: ItemNotified, Path: p, Event: e, Zxid: at}
	}
	reply := func(at Zxid) StreamItem { return StreamItem{Kind: ItemReplied, Zxid: at} }
	tests := []struct {
		name  string
		items []StreamItem
		want  []Check
	}{
		{name: "data watch fires once before newer data", items: []StreamItem{
			reg("/a", WatchData, z(1)), reply(z(1)), note("/a", EventDataChanged, z(2)), reply(z(2)),
		}},
		{name: "one delete consumes data and child watches", items: []StreamItem{
			reg("/a", WatchData, z(1)), reply(z(1)), reg("/a", WatchChild, z(1)), reply(z(1)),
			note("/a", EventDeleted, z(2)), reply(z(3)),
		}},
		{name: "watch fired twice", want: []Check{WatchOnce}, items: []StreamItem{
			reg("/a", WatchData, z(1)), reply(z(1)), note("/a", EventDataChanged, z(2)), note("/a", EventDataChanged, z(3)),
		}},
		{name: "re-registered watch may fire again", items: []StreamItem{
			reg("/a", WatchData, z(1)), reply(z(1)), note("/a", EventDataChanged, z(2)),
			reg("/a", WatchData, z(2)), reply(z(2)), note("/a", EventDataChanged, z(3)),
		}},
		{name: "reply with the new data before the notification", want: []Check{WatchMissed, WatchOrder}, items: []StreamItem{
			reg("/a", WatchData, z(1)), reply(z(1)), reply(z(2)), note("/a", EventDataChanged, z(2)),
		}},
		{name: "notifications out of update order", want: []Check{WatchOrder}, items: []StreamItem{
			reg("/a", WatchData, z(1)), reg("/b", WatchData, z(1)), reply(z(1)),
			note("/b", EventDataChanged, z(3)), note("/a", EventDataChanged, z(2)),
		}},
		{name: "watch never fired although the change is visible", want: []Check{WatchMissed}, items: []StreamItem{
			reg("/a", WatchData, z(1)), reply(z(1)), reply(z(2)),
		}},
		{name: "child watch never fired although a child appeared", want: []Check{WatchMissed}, items: []StreamItem{
			reg("/", WatchChild, z(2)), reply(z(2)), reply(z(3)),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := CheckWatches([]SessionStream{{Session: 0x100, Items: tt.items}}, twoWrites(t))
			require.Equal(t, tt.want, checks(vs), "%v", vs)
		})
	}
}

func TestChildWatchIgnoresTheNodesOwnDataChange(t *testing.T) {
	items := []StreamItem{
		{Kind: ItemRegistered, Path: "/a", Watch: WatchChild, Zxid: z(1)},
		{Kind: ItemReplied, Zxid: z(1)},
		{Kind: ItemReplied, Zxid: z(4)},
	}
	require.Empty(t, CheckWatches([]SessionStream{{Session: 0x100, Items: items}}, twoWrites(t)))
}
