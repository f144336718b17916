package cli

import (
	"context"

	"github.com/belfry/belfry/app/hub"
	"github.com/belfry/belfry/ui"
)

// capabilities are wired after the JSON API, in order: each registers its
// routes on s.Engine, starts its goroutines with s.Go and adds its shutdown
// work with s.OnClose.
var capabilities = []capability{
	wireHub,
	wireUI,
}

// wireHub serves /ws/notification/: every change on the bus is pushed to
// the user's sockets, and sockets whose credentials go away are closed.
func wireHub(_ context.Context, s *Server) error {
	s.Hub = hub.New(hub.Deps{
		Config: s.Config, Notifications: s.Notifications, Mutes: s.Mutes,
		Changes: s.Bus, Logger: s.Logger,
	})
	s.Bus.Subscribe(s.Hub.Handle)
	s.Auth.OnRevoke(s.Hub.Revoke)
	s.Hub.Register(s.Engine, s.API.Authenticate())
	s.OnClose(func(context.Context) error { return s.Hub.Close() })
	return nil
}

// wireUI serves the web pages, their htmx partials and the static assets.
func wireUI(_ context.Context, s *Server) error {
	hint := "First start? The admin password was printed once in Belfry's log; reset it with: belfry user passwd admin"
	if s.Config.Auth.AdminPassword != "" {
		hint = "First start? The admin password is the one set by auth.admin_password (BELFRY_AUTH_ADMIN_PASSWORD)."
	}
	u, err := ui.New(ui.Deps{
		Config: s.Config, Types: s.Types, Auth: s.Auth, Users: s.Users, Tokens: s.Tokens,
		Notifications: s.Notifications, Preferences: s.Preferences, Mutes: s.Mutes,
		Changes: s.Bus, FirstRunHint: hint, Logger: s.Logger,
	})
	if err != nil {
		return err
	}
	u.Register(s.Engine, s.API.Authenticate())
	return nil
}
