package ui

// What the tests of package ui_test need from inside the package.
const (
	// Hostile is user data that would run script if a template forgot to
	// escape; Escaped is how it must appear.
	Hostile = hostile
	Escaped = escaped
	// MaxFormBytes bounds every form the UI accepts.
	MaxFormBytes = maxFormBytes
	// HistoryPageSize is how many messages a channel page shows at first.
	HistoryPageSize = historyPageSize
	// PanelLimit is how many notifications the bell's panel lists.
	PanelLimit = panelLimit
	// ContentSecurityPolicy is the policy of every page.
	ContentSecurityPolicy = contentSecurityPolicy
	// LogPageSize is how many deliveries a webhook's log shows at a time.
	LogPageSize = logPageSize
)
