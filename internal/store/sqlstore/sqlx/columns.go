package sqlx

import (
	"fmt"
	"unicode/utf8"
)

// MaxIDLen is the length of every id column of Logto's schema: varchar(21).
const MaxIDLen = 21

// CheckLen reports a value that is empty (when required) or longer than limit characters.
// PostgreSQL enforces varchar(n) itself, SQLite does not; checking here gives both dialects the
// same answer and a clear message instead of a driver error.
func CheckLen(field, value string, required bool, limit int) error {
	if required && value == "" {
		return fmt.Errorf("sqlstore: %s is required", field)
	}
	if n := utf8.RuneCountInString(value); n > limit {
		return fmt.Errorf("sqlstore: %s is %d characters long, more than the %d allowed", field, n, limit)
	}
	return nil
}
