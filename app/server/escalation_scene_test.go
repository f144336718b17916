package server_test

import (
	"context"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/escalation"
)

// escalationRule makes a fresh escalation rule of the owner's and returns
// its id.
func (s *scene) escalationRule() string {
	s.t.Helper()
	ctx := context.Background()
	if old, _ := s.Escalation.List(ctx, s.owner); len(old) >= app.MaxEscalationRules-1 { // the matrix makes hundreds
		for _, r := range old {
			_ = s.Escalation.Delete(ctx, s.owner, r.ID)
		}
	}
	r, err := s.Escalation.Create(ctx, s.owner, escalation.RuleInput{MinLevel: app.LevelError,
		Steps: []app.EscalationStep{{DelayMinutes: 30, Action: app.EscalateRepeat}}})
	if err != nil {
		s.t.Fatal(err)
	}
	return r.ID
}

func escalationRulePath(s *scene) string {
	return "/api/notifications/escalations/" + s.escalationRule()
}

// escalationBody is a valid rule for the matrix's POST and PUT.
const escalationBody = `{"min_level":"error","steps":[{"delay_minutes":30,"action":"repeat"}]}`
