package app

import "fmt"

// Plural is "1 notification", "2 notifications": n and word, with an s
// unless n is 1.
func Plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
