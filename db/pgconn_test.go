package db

import "testing"

func TestNumberPlaceholders(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT a FROM t WHERE b = ? AND c IN (?, ?)", "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"},
		{"SELECT '?', \"?\" FROM t WHERE x = ?", "SELECT '?', \"?\" FROM t WHERE x = $1"},
		{"SELECT 'it''s ?' WHERE x = ?", "SELECT 'it''s ?' WHERE x = $1"},
		{"SELECT x -- why?\nFROM t WHERE y = ?", "SELECT x -- why?\nFROM t WHERE y = $1"},
		{"WHERE user_id = ?1 UNION SELECT name WHERE user_id = ?1", "WHERE user_id = $1 UNION SELECT name WHERE user_id = $1"},
		{"SELECT id FROM webhook_deliveries INDEXED BY webhook_deliveries_waiting\n\tWHERE id = ?", "SELECT id FROM webhook_deliveries\n\tWHERE id = $1"},
		{"WHERE title LIKE ? ESCAPE '\\' OR body LIKE ?", "WHERE title ILIKE $1 ESCAPE '\\' OR body ILIKE $2"},
		{"SELECT 'unterminated ?", "SELECT 'unterminated ?"},
	} {
		if got := numberPlaceholders(tc.in); got != tc.want {
			t.Errorf("numberPlaceholders(%q)\n = %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// TestBooleansAreIntegers: a Go bool goes into the 0/1 integer columns on
// both engines, and a boolean expression scans back into a bool.
func TestBooleansAreIntegers(t *testing.T) {
	d, _ := mustOpen(t)
	u := mustUser(t, d, "ann")
	exec(t, d, `UPDATE users SET is_admin = ? WHERE id = ?`, true, u.ID)
	var admin int
	var isAdmin bool
	if err := d.read.QueryRow(`SELECT is_admin, is_admin = 1 FROM users WHERE id = ?`, u.ID).Scan(&admin, &isAdmin); err != nil {
		t.Fatal(err)
	}
	if admin != 1 || !isAdmin {
		t.Fatalf("is_admin = %d, %v; want 1, true", admin, isAdmin)
	}
}
