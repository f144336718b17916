package push

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/belfry/belfry/app"
)

// SendTest queues a test push to userID's device id. Errors: ENOTFOUND
// when userID has no such device, ECONFLICT while push is off.
func (s *Service) SendTest(ctx context.Context, userID, id string) error {
	if !s.Enabled() {
		return app.Errorf(app.ECONFLICT, "Push is off: set push.enabled = true (BELFRY_PUSH_ENABLED).")
	}
	now := s.d.Clock.Now()
	payload, _ := json.Marshal(message{Kind: app.PushTest, Tag: "belfry-test", Title: "Belfry test notification",
		Body: "Pushes reach this device.", Level: string(app.LevelInfo), Icon: iconPath(app.LevelInfo), URL: "/preferences"})
	n, err := s.d.Store.QueuePushes(ctx, []*app.Push{{SubscriptionID: id, UserID: userID, Kind: app.PushTest, Payload: payload,
		Urgency: "normal", TTL: testTTL, NextAttemptAt: now, CreatedAt: now}})
	if err != nil {
		return err
	}
	if n == 0 {
		return app.Errorf(app.ENOTFOUND, "Device not found.")
	}
	s.kick.Kick()
	return nil
}

// deviceName guesses a device's name from its browser's User-Agent.
func deviceName(ua string) string {
	browser, system := "Browser", ""
	for _, b := range []struct{ token, name string }{{"Edg/", "Edge"}, {"Firefox/", "Firefox"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"}} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	for _, o := range []struct{ token, name string }{{"Android", "Android"}, {"iPhone", "iPhone"}, {"iPad", "iPad"},
		{"Windows", "Windows"}, {"Mac OS X", "macOS"}, {"Linux", "Linux"}} {
		if strings.Contains(ua, o.token) {
			system = o.name
			break
		}
	}
	if system == "" {
		return browser
	}
	return browser + " on " + system
}

// testTTL is how long a test push may wait for its device.
const testTTL = 5 * time.Minute
