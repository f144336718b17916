package app

import "time"

// Topic is a topic with its number (migration 00010): what the Gotify
// client API calls an application. Name is a notification's ServiceID, ""
// for notifications without one.
type Topic struct {
	Number    int64
	Name      string
	CreatedAt time.Time
}

// NumberedNotification is a notification with the integer ids Gotify's
// clients know it by: its own number and its topic's.
type NumberedNotification struct {
	*Notification
	Number      int64
	TopicNumber int64
}

// NumberedFilter selects a page of one user's numbered notifications,
// highest number first.
type NumberedFilter struct {
	UserID string
	// Topic, when not nil, keeps only the notifications of that topic
	// ("" for those without one).
	Topic *string
	// Before, when positive, keeps only numbers below it.
	Before int64
	Limit  int
}
