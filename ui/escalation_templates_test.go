package ui

import (
	"github.com/belfry/belfry/app"
)

// escalationRenderCases are the escalation section and a notification's
// ladder, with hostile data in every field a user can set.
func escalationRenderCases(usr *app.User, n *app.Notification) []renderCase {
	at := usr.CreatedAt
	card := escalationCard{Rules: []escalationRuleView{{ID: hostile, Match: hostile, Steps: []string{hostile}}},
		Types: []app.NotificationType{{Name: hostile}}, Webhooks: []*app.Webhook{{ID: hostile, Name: hostile}},
		Steps: []quietRow{{Index: 0, Number: 1}}, Result: &alertView{Kind: "error", Message: hostile}}
	sent := []app.EscalationSent{{Step: 1, Action: hostile, Channel: hostile, Detail: hostile, At: at}}
	return []renderCase{
		{"preferences", "escalation_card", card},
		{"preferences", "escalation_card", escalationCard{}},
		{"", "escalation_steps", escalationStepsView{State: app.EscalationActive, Sent: sent, NextNumber: 2, NextAction: hostile, DueAt: at}},
		{"", "escalation_steps", escalationStepsView{State: app.EscalationCancelled, Reason: hostile, EndedAt: &at, Sent: sent}},
		{"", "escalation_steps", escalationStepsView{State: app.EscalationDone}},
		{"", "notification_item", itemView{Notification: n, Escalation: hostile}},
	}
}
