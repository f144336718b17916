package bus_test

import (
	"context"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/bus"
)

func TestBus(t *testing.T) {
	b := bus.New()
	var got []string
	cancelA := b.Subscribe(func(c app.Change) { got = append(got, "a:"+c.UserID) })
	b.Subscribe(func(c app.Change) { got = append(got, "b:"+c.UserID) })
	b.Publish(context.Background(), app.Change{Kind: app.ChangeRead, UserID: "1"})
	cancelA()
	b.Publish(context.Background(), app.Change{Kind: app.ChangeRead, UserID: "2"})
	want := []string{"a:1", "b:1", "b:2"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}
