package ui

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// navigation is every section of the UI, in order: one entry per section of the UI.
var navigation = []page{
	{Path: "/notifications", Label: "Notifications", Icon: "inbox", Scripts: []string{"inbox.js"}},
	{Path: "/channels", Label: "Channels", Icon: "chat", Scripts: []string{"channels.js"}},
	{Path: "/preferences", Label: "Preferences", Icon: "sliders", Scripts: []string{"push.js"}},
	{Path: "/mutes", Label: "Mutes", Icon: "bell-off"},
	{Path: "/heartbeats", Label: "Heartbeats", Icon: "pulse"},
	{Path: "/scheduled", Label: "Scheduled", Icon: "clock"},
	{Path: "/webhooks", Label: "Webhooks", Icon: "webhook", Scripts: []string{"webhooks.js"}},
	{Path: "/tokens", Label: "API tokens", Icon: "key"},
	{Path: "/admin/users", Label: "Users", Icon: "users", Admin: true},
	{Path: "/admin/routing", Label: "Routing", Icon: "send", Admin: true},
}

// Register adds every route of the UI to r: the static assets, the login
// page, the full pages and the htmx partials under /ui. authenticate
// resolves the caller (web.Authenticate); pages and partials need a browser
// session. Unsafe methods are refused cross-origin by the server's guard.
func (u *UI) Register(r gin.IRouter, authenticate gin.HandlerFunc) {
	r.GET("/static/:hash/*name", u.assets.serve)
	r.HEAD("/static/:hash/*name", u.assets.serve)
	r.GET("/favicon.ico", u.assets.favicon)

	base := r.Group("", u.securityHeaders, authenticate)
	base.GET("/login", u.handleLoginPage)
	pages := base.Group("", u.requireSession)
	parts := base.Group("/ui", u.requireSession)
	pages.GET("/", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/notifications") })

	pages.GET("/notifications", u.handleNotificationsPage)
	parts.GET("/notifications", u.handleNotificationList)
	parts.POST("/notifications/read-all", u.handleMarkAllRead)
	parts.POST("/notifications/delete-read", u.handleDeleteRead)
	parts.DELETE("/notifications/:id", u.handleDeleteNotification)
	parts.POST("/notifications/:id/mute", u.handleMuteNotification)
	parts.GET("/badge", u.handleBadge)

	// The channels pages call the channels service, which checks every
	// right; their live part (channels.js) talks to /ws/channels/ directly.
	// Actions whose effect every member sees — messages, edits, deletions —
	// answer 204 and let the socket's event update every open tab, this
	// one included.
	pages.GET("/channels", u.handleChannelsPage)
	pages.GET("/channels/:id", u.handleChannelPage)
	ch := parts.Group("/channels")
	ch.GET("", u.handleChannelList)
	ch.POST("", u.handleCreateChannel)
	ch.PATCH("/:id", u.handleUpdateChannel)
	ch.DELETE("/:id", u.handleDeleteChannel)
	ch.POST("/:id/join", u.handleJoinChannel)
	ch.POST("/:id/leave", u.handleLeaveChannel)
	ch.GET("/:id/messages", u.handleChannelMessages)
	ch.POST("/:id/messages", u.handlePostMessage)
	ch.PATCH("/:id/messages/:mid", u.handleEditMessage)
	ch.DELETE("/:id/messages/:mid", u.handleDeleteMessage)
	ch.GET("/:id/members", u.handleChannelMembers)
	ch.PUT("/:id/members/:uid/role", u.handleSetMemberRole)
	ch.POST("/:id/kick", u.handleKickMember)
	ch.POST("/:id/bans", u.handleBanUser)
	ch.POST("/:id/unban", u.handleUnbanUser)

	pages.GET("/preferences", u.handlePreferencesPage)
	parts.PUT("/preferences/:key", u.handleSetPreference)
	parts.DELETE("/preferences", u.handleResetPreferences)
	parts.PUT("/email/address", u.handleSetEmailAddress)
	parts.POST("/email/test", u.handleTestEmail)
	parts.PUT("/quiet-hours", u.handleSetQuietHours)
	parts.PUT("/digests", u.handleSetDigests)
	parts.POST("/escalations", u.handleCreateEscalation)
	parts.GET("/notifications/:id/escalation", u.handleNotificationEscalation)
	parts.DELETE("/escalations/:id", u.handleDeleteEscalation)
	// The link of an e-mail: opens the notification, marked read.
	pages.GET("/n/:id", u.handleOpenNotification)

	pages.GET("/mutes", u.handleMutesPage)
	parts.POST("/mutes", u.handleCreateMute)
	parts.DELETE("/mutes/:id", u.handleDeleteMute)

	pages.GET("/heartbeats", u.handleHeartbeatsPage)
	beats := parts.Group("/heartbeats")
	beats.GET("", u.handleHeartbeatList)
	beats.POST("", u.handleCreateHeartbeat)
	beats.POST("/:id/pause", u.handlePauseHeartbeat)
	beats.DELETE("/:id", u.handleDeleteHeartbeat)
	beats.GET("/:id/log", u.handleHeartbeatLog)

	pages.GET("/scheduled", u.handleScheduledPage)
	parts.GET("/scheduled", u.handleScheduledList)
	parts.DELETE("/scheduled/:id", u.handleCancelScheduled)

	pages.GET("/webhooks", u.handleWebhooksPage)
	hooks := parts.Group("/webhooks")
	hooks.POST("", u.handleCreateWebhook)
	hooks.PUT("/:id", u.handleUpdateWebhook)
	hooks.PUT("/:id/enabled", u.handleEnableWebhook)
	hooks.DELETE("/:id", u.handleDeleteWebhook)
	hooks.POST("/:id/test", u.handleTestWebhook)
	hooks.POST("/:id/rotate-secret", u.handleRotateWebhookSecret)
	hooks.GET("/:id/deliveries", u.handleWebhookDeliveries)

	pages.GET("/account", u.handleAccountPage)
	parts.PUT("/account/password", u.handleChangePassword)

	pages.GET("/tokens", u.handleTokensPage)
	parts.POST("/tokens", u.handleCreateToken)
	parts.DELETE("/tokens/:id", u.handleRevokeToken)
	parts.GET("/tokens/:id/mapping", u.handleMappingEditor)
	parts.PUT("/tokens/:id/mapping", u.handleSaveMapping)
	parts.DELETE("/tokens/:id/mapping", u.handleDeleteMapping)

	pages.GET("/admin/users", u.adminOnly(), u.handleUsersPage)
	parts.POST("/users", u.adminOnly(), u.handleCreateUser)
	parts.PUT("/users/:id/password", u.adminOnly(), u.handleSetPassword)
	parts.DELETE("/users/:id", u.adminOnly(), u.handleDeleteUser)

	pages.GET("/admin/routing", u.adminOnly(), u.handleRoutingPage)
	parts.POST("/routing", u.adminOnly(), u.handleCreateRoute)
	parts.PUT("/routing", u.adminOnly(), u.handleChangeRoute)
	parts.DELETE("/routing/:topic", u.adminOnly(), u.handleDeleteRoute)
}
