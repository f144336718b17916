package app

// Level is the severity of a notification.
type Level string

// The three levels of the WebSocket spec.
const (
	LevelInfo    Level = "info"
	LevelWarning Level = "warning"
	LevelError   Level = "error"
)

// Valid reports whether l is one of the three levels.
func (l Level) Valid() bool {
	return l == LevelInfo || l == LevelWarning || l == LevelError
}
