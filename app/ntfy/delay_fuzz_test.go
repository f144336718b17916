package ntfy

import (
	"testing"
	"time"
)

// FuzzDeliveryTime reads an X-Delay value as ntfy's publish does. A
// refusal is ntfy's 400 with 40004 (unreadable) or 40005 (too soon); an
// accepted time is at least ten seconds ahead.
func FuzzDeliveryTime(f *testing.F) {
	for _, s := range []string{"30m", "30min", "2 days", "1639194738", "10am", "tomorrow, 3pm", "Tuesday, 7am", "5s", "-5m", "whenever", "", "8:30pm"} {
		f.Add(s)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	zone, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		at, err := deliveryTime(value{s, `header "X-Delay"`}, now, zone)
		if err != nil {
			e, ok := err.(*apiError)
			if !ok || e.HTTP != 400 || (e.Code != 40004 && e.Code != 40005) || e.Message == "" {
				t.Fatalf("deliveryTime(%q): %v", s, err)
			}
			return
		}
		if at.Sub(now) < minDelay {
			t.Fatalf("deliveryTime(%q) = %s, less than %s ahead", s, at, minDelay)
		}
	})
}
