package spec

import (
	"strconv"
	"unicode/utf8"
)

// maxShown is the most bytes of spec text that an error message shows;
// longer names and values are cut, and "..." marks the cut.
const maxShown = 40

// quote returns text in double quotes, Go-escaped, for an error message.
func quote(text string) string {
	cut, rest := cutShown(text)
	return strconv.Quote(cut) + rest
}

// shorten returns text, cut for an error message.
func shorten(text string) string {
	cut, rest := cutShown(text)
	return cut + rest
}

// cutShown splits text for an error message into the part to show, at
// most maxShown bytes, and "..." when text was cut.
func cutShown(text string) (shown, rest string) {
	if len(text) <= maxShown {
		return text, ""
	}
	end := maxShown
	for end > 0 && !utf8.RuneStart(text[end]) {
		end--
	}
	return text[:end], "..."
}
