package actions

import (
	"slices"
	"strings"
	"testing"
)

// The big event objects are built on first read (buildEvent). Whatever the
// order of reads and api calls, a script sees what an event built in full at
// the start of the action holds.

func TestLazyEventSameAsEager(t *testing.T) {
	in := Input{Event: event(map[string]any{"user.user_metadata": map[string]any{"a": 1}, "transaction.metadata": map[string]any{"t": "0"}})}
	dump := `for (const k of Object.keys(event)) console.log(k + "=" + JSON.stringify(event[k]));`
	out := runJS(t, in, Options{},
		// reads everything at once, before any api call
		`exports.onExecutePostLogin = async (event, api) => { `+dump+`
			api.user.setUserMetadata("b", 2); api.transaction.setMetadata("t", "1") }`,
		// reads after its own api calls, part by part
		`exports.onExecutePostLogin = async (event, api) => {
			api.user.setUserMetadata("c", 3); api.transaction.setMetadata("u", "2");
			const um = event.user.user_metadata, tm = event.transaction.metadata;
			api.transaction.setMetadata("v", "3");
			console.log(JSON.stringify(um), JSON.stringify(tm)); `+dump+` }`)
	wantOK(t, out)
	first, second := out.Logs[0].Console, out.Logs[1].Console
	if len(first) < 10 || len(second) != len(first)+1 {
		t.Fatalf("console %v / %v", first, second)
	}
	if second[0] != `{"a":1,"b":2} {"t":"1","u":"2","v":"3"}` {
		t.Fatalf("second action read %s", second[0])
	}
	// The same event but for the optimistic writes of the first action.
	for i, line := range first {
		want := strings.Replace(line, `"user_metadata":{"a":1}`, `"user_metadata":{"a":1,"b":2}`, 1)
		if strings.HasPrefix(line, "transaction=") {
			want = strings.Replace(want, `"metadata":{"t":"0"}`, `"metadata":{"t":"1","u":"2","v":"3"}`, 1)
		}
		if second[i+1] != want {
			t.Fatalf("second action\n%s\nwant\n%s", second[i+1], want)
		}
	}
	if !strings.HasPrefix(first[len(first)-1], "transaction=") || !slices.ContainsFunc(first, func(l string) bool { return strings.HasPrefix(l, "user=") }) {
		t.Fatalf("keys %v", first)
	}
}

func TestLazyEventBehavesAsData(t *testing.T) {
	out := runJS(t, Input{}, Options{}, `exports.onExecutePostLogin = async (event) => {
		const d = Object.getOwnPropertyDescriptor(event, 'client');
		console.log(d.enumerable, d.configurable, event.client === event.client,
			'value' in Object.getOwnPropertyDescriptor(event, 'client'), Object.getOwnPropertyDescriptor(event, 'client').writable);
		event.request = 5; delete event.connection;
		console.log(event.request, 'connection' in event, JSON.stringify(Object.keys(event)).includes('"connection"'));
		const { user, authorization } = event;
		console.log(user === event.user, Array.isArray(authorization.roles), typeof d.get.call({}), typeof d.get.call(5));
		const copy = { ...event };
		console.log(copy.tenant.id, copy.user === event.user, Object.create(event).client === event.client) }`)
	wantOK(t, out)
	want := []string{"true true true true true", "5 false false", "true true undefined undefined", "authd true true"}
	if got := consoleOf(out); !slices.Equal(got, want) {
		t.Fatalf("console %v\nwant %v", got, want)
	}
}

func TestLazyEventFrozenBeforeRead(t *testing.T) {
	out := runJS(t, Input{}, Options{}, `exports.onExecutePostLogin = async (event) => {
		Object.freeze(event);
		const u = event.user;
		console.log(Object.isFrozen(event), u === event.user, u.email, event.client.name);
		event.user = 1;
		console.log(event.user === u) }`)
	wantOK(t, out)
	if got := consoleOf(out); !slices.Equal(got, []string{"true true user@example.org My SPA", "true"}) {
		t.Fatalf("console %v", got)
	}
}

// An action's event kept in a global and read by a later action still shows
// the first action's view, and the later action's copy is its own.
func TestLazyEventOfEarlierAction(t *testing.T) {
	out := runJS(t, Input{}, Options{},
		`exports.onExecutePostLogin = async (event, api) => { globalThis.first = event; api.user.setUserMetadata("k", 1) }`,
		`exports.onExecutePostLogin = async (event) => {
			event.user.email = "changed";
			console.log(first.user.email, String(first.user.user_metadata.k), event.user.user_metadata.k, first.client !== event.client) }`)
	wantOK(t, out)
	if got := consoleOf(out); !slices.Equal(got, []string{"user@example.org undefined 1 true"}) {
		t.Fatalf("console %v", got)
	}
}
