// Package app holds Belfry's domain vocabulary: notifications, users, tokens,
// preferences and mutes, their validation, the error model, the configuration
// and the small interfaces that services consume. It imports no infrastructure.
package app

import (
	"errors"
	"fmt"
	"time"
)

// Error kinds. Every error that reaches a client carries one of them; a single
// table in the HTTP layer maps kinds to statuses.
const (
	EINVALID         = "invalid"
	EUNAUTHENTICATED = "unauthenticated"
	EFORBIDDEN       = "forbidden"
	ENOTFOUND        = "not_found"
	ECONFLICT        = "conflict"
	ERATELIMIT       = "rate_limited"
	ETOOLARGE        = "too_large"
	ETIMEOUT         = "timeout"
	EFULL            = "storage_full" // the disk holding the database is full
	EUNAVAILABLE     = "unavailable"  // busy or not ready: try again shortly
	EINTERNAL        = "internal"
)

// Wire codes named by the specs, plus Belfry's generic ones.
const (
	CodeInvalidParameter      = "INVALID_PARAMETER"
	CodeUnauthenticated       = "UNAUTHENTICATED"
	CodeInvalidToken          = "AUTH_INVALID_TOKEN"
	CodeForbidden             = "FORBIDDEN"
	CodeNotFound              = "NOT_FOUND"
	CodeConflict              = "CONFLICT"
	CodeRateLimit             = "RATE_LIMIT_EXCEEDED"
	CodeTooLarge              = "PAYLOAD_TOO_LARGE"
	CodeRequestTimeout        = "REQUEST_TIMEOUT"
	CodeInternal              = "INTERNAL"
	CodeStorageFull           = "STORAGE_FULL"
	CodeUnavailable           = "UNAVAILABLE"
	CodeNotificationNotFound  = "NOTIFICATION_NOT_FOUND"
	CodeNotificationDenied    = "NOTIFICATION_ACCESS_DENIED"
	CodeNotificationResponded = "NOTIFICATION_ALREADY_RESPONDED"
)

// defaultCodes gives the wire code of a kind when the error names none.
var defaultCodes = map[string]string{
	EINVALID:         CodeInvalidParameter,
	EUNAUTHENTICATED: CodeUnauthenticated,
	EFORBIDDEN:       CodeForbidden,
	ENOTFOUND:        CodeNotFound,
	ECONFLICT:        CodeConflict,
	ERATELIMIT:       CodeRateLimit,
	ETOOLARGE:        CodeTooLarge,
	ETIMEOUT:         CodeRequestTimeout,
	EFULL:            CodeStorageFull,
	EUNAVAILABLE:     CodeUnavailable,
	EINTERNAL:        CodeInternal,
}

// Error is an error meant for a person: Kind classifies it, Code is the wire
// code (empty means the kind's default) and Message is a full sentence.
// RetryAfter, when positive, says how soon the same request may succeed
// (ERATELIMIT, EUNAVAILABLE); HTTP answers carry it as Retry-After.
type Error struct {
	Kind       string
	Code       string
	Message    string
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	return fmt.Sprintf("belfry: %s: %s", e.Kind, e.Message)
}

// Errorf returns an *Error of the given kind with a formatted message.
func Errorf(kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// CodedErrorf is Errorf with an explicit wire code.
func CodedErrorf(kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorKind returns the kind of err, EINTERNAL for errors that are not *Error
// and "" for nil.
func ErrorKind(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return EINTERNAL
}

// ErrorCode returns the wire code of err.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		if e.Code != "" {
			return e.Code
		}
		return defaultCodes[e.Kind]
	}
	return CodeInternal
}

// ErrorRetryAfter returns the RetryAfter of err, 0 when it has none.
func ErrorRetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// RetrySeconds is a RetryAfter in whole seconds, as Retry-After and
// messages say it: rounded up (forgiving a microsecond of float noise, so
// that exactly one second is never announced as two), and at least 1.
func RetrySeconds(d time.Duration) int {
	return max(int((d+time.Second-time.Microsecond)/time.Second), 1)
}

// ErrorMessage returns the human message of err; internal errors are never
// shown as they are.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
