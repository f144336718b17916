package app

import "strconv"

// Count writes n and word, with an "s" unless n is 1: "1 commit",
// "14 notifications". Every sentence that counts something says it this way.
func Count(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
