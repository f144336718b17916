package push

import (
	"encoding/json"

	"github.com/belfry/belfry/app"
)

// summarise folds, for each device, the notification pushes of one claim
// (and summaries held back earlier) into one summary push when there are
// several: the first carries "N new notifications" and the others are
// marked merged into it. Other kinds pass unchanged.
func (s *Service) summarise(cs []*app.PushClaim) []*app.PushClaim {
	counts, rows := map[string]int{}, map[string]int{}
	for _, c := range cs {
		if w := weight(c.Push); w > 0 {
			counts[c.Subscription.ID] += w
			rows[c.Subscription.ID]++
		}
	}
	out := cs[:0:0]
	heads := map[string]*app.PushClaim{}
	for _, c := range cs {
		sub := c.Subscription.ID
		if weight(c.Push) == 0 || rows[sub] < 2 {
			out = append(out, c)
			continue
		}
		head := heads[sub]
		if head == nil {
			m := message{Kind: app.PushSummary, Tag: "belfry-summary", Title: app.Count(counts[sub], "new notification"),
				Body: "Open Belfry to read them.", Level: string(app.LevelInfo), Icon: iconPath(app.LevelInfo), URL: "/", Count: counts[sub]}
			c.Push.Payload, _ = json.Marshal(m)
			c.Push.Kind, c.Push.Topic = app.PushSummary, "belfry-summary"
			heads[sub] = c
			out = append(out, c)
			continue
		}
		if c.Push.Urgency == "high" {
			head.Push.Urgency = "high"
		}
		c.Push.Status, c.Push.LastError = app.PushMerged, "Sent as part of a summary push."
		head.Merged = append(head.Merged, c.Push)
	}
	return out
}

// weight is how many notifications p stands for: one for a notification
// push, its count for a summary held back earlier, none for the rest.
func weight(p *app.Push) int {
	switch p.Kind {
	case app.PushNotify:
		return 1
	case app.PushSummary:
		var m message
		if json.Unmarshal(p.Payload, &m) == nil && m.Count > 0 {
			return m.Count
		}
		return 1
	}
	return 0
}
