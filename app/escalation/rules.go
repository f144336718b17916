package escalation

import (
	"context"

	"github.com/belfry/belfry/app"
)

// RuleInput is what a caller sets of a rule.
type RuleInput struct {
	Type     string               `json:"type"`
	MinLevel app.Level            `json:"min_level"`
	Steps    []app.EscalationStep `json:"steps"`
}

// List returns owner's rules, oldest first.
func (s *Service) List(ctx context.Context, owner *app.User) ([]*app.EscalationRule, error) {
	return s.d.Store.ListEscalationRules(ctx, owner.ID)
}

// Get returns owner's rule id. Errors: ENOTFOUND.
func (s *Service) Get(ctx context.Context, owner *app.User, id string) (*app.EscalationRule, error) {
	rules, err := s.List(ctx, owner)
	if err != nil {
		return nil, err
	}
	for _, r := range rules {
		if r.ID == id {
			return r, nil
		}
	}
	return nil, app.Errorf(app.ENOTFOUND, "Escalation rule not found.")
}

// Create validates in and stores it as a new rule of owner. Errors:
// EINVALID naming the field, EFORBIDDEN for a user step a non-admin may
// not take.
func (s *Service) Create(ctx context.Context, owner *app.User, in RuleInput) (*app.EscalationRule, error) {
	r := &app.EscalationRule{UserID: owner.ID, Type: in.Type, MinLevel: in.MinLevel, Steps: in.Steps}
	if err := s.check(ctx, owner, r); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock() // a dispatch reading the old rules waits for the new
	rules, err := s.d.Store.ListEscalationRules(ctx, owner.ID)
	if err != nil {
		return nil, err
	}
	if len(rules) >= app.MaxEscalationRules {
		return nil, app.Errorf(app.EINVALID, "You have %d escalation rules, the most there may be: change or delete one.", len(rules))
	}
	s.forget(owner.ID)
	return r, s.d.Store.CreateEscalationRule(ctx, r)
}

// Update replaces owner's rule id with in; the ladders it already started
// keep their steps. Errors: those of Create, ENOTFOUND.
func (s *Service) Update(ctx context.Context, owner *app.User, id string, in RuleInput) (*app.EscalationRule, error) {
	r := &app.EscalationRule{ID: id, UserID: owner.ID, Type: in.Type, MinLevel: in.MinLevel, Steps: in.Steps}
	if err := s.check(ctx, owner, r); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forget(owner.ID)
	return r, s.d.Store.UpdateEscalationRule(ctx, r)
}

// Delete removes owner's rule id and stops its ladders in flight.
// Errors: ENOTFOUND.
func (s *Service) Delete(ctx context.Context, owner *app.User, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forget(owner.ID)
	return s.d.Store.DeleteEscalationRule(ctx, owner.ID, id, s.d.Clock.Now())
}

// check validates r for owner: its fields, then what its steps name. A
// webhook step names one of owner's webhooks; an e-mail step needs e-mail
// on; a user step names another user, who must be an admin unless owner
// is one (as only admins may notify other users).
func (s *Service) check(ctx context.Context, owner *app.User, r *app.EscalationRule) error {
	if err := r.Validate(s.d.Types); err != nil {
		return err
	}
	for i, st := range r.Steps {
		if err := s.checkStep(ctx, owner, st); err != nil {
			if app.ErrorKind(err) == app.EINVALID || app.ErrorKind(err) == app.EFORBIDDEN {
				return app.Errorf(app.ErrorKind(err), "Step %d: %s", i+1, app.ErrorMessage(err))
			}
			return err
		}
	}
	return nil
}

func (s *Service) checkStep(ctx context.Context, owner *app.User, st app.EscalationStep) error {
	switch st.Action {
	case app.EscalateEmail:
		if s.d.Emails == nil {
			return app.Errorf(app.EINVALID, "e-mail is off on this server (email.host and email.from), so there is nothing to e-mail with.")
		}
	case app.EscalateWebhook:
		id, err := app.ParseID(st.WebhookID)
		if err == nil {
			_, err = s.d.Hooks.Get(ctx, owner.ID, id)
		}
		if err != nil && (app.ErrorKind(err) == app.EINVALID || app.ErrorKind(err) == app.ENOTFOUND) {
			return app.Errorf(app.EINVALID, "field webhook_id: %q is not one of your webhooks.", st.WebhookID)
		}
		return err
	case app.EscalateUser:
		u, err := s.d.Users.FindUserByName(ctx, st.User)
		switch {
		case app.ErrorKind(err) == app.ENOTFOUND:
			return app.Errorf(app.EINVALID, "field user: there is no user %q.", st.User)
		case err != nil:
			return err
		case u.ID == owner.ID:
			return app.Errorf(app.EINVALID, "field user: a ladder cannot escalate to its own owner; name another user.")
		case !owner.IsAdmin && !u.IsAdmin:
			return app.Errorf(app.EFORBIDDEN, "field user: only admins may escalate to a user who is not an admin.")
		}
	}
	return nil
}
