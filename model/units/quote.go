package units

import (
	"strconv"
	"unicode/utf8"
)

// MaxQuoted is the most characters of a value an error message quotes: a
// bad value is named, never echoed whole (a file given where a scenario
// name was wanted, a pasted document given as a flag). File names and
// scenario names are quoted whole: they are what the user typed.
const MaxQuoted = 64

// Quote quotes s for an error message as %q does, keeping at most its first
// MaxQuoted characters and then saying how long the whole was:
//
//	Quote("3k/m") = `"3k/m"`
//	Quote(a 1,220-byte file) = `"root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/"… (1,220 bytes)`
func Quote(s string) string {
	if utf8.RuneCountInString(s) <= MaxQuoted {
		return strconv.Quote(s)
	}
	cut, n := 0, 0
	for i := range s {
		if n == MaxQuoted {
			cut = i
			break
		}
		n++
	}
	return strconv.Quote(s[:cut]) + "… (" + Int(int64(len(s))) + " bytes)"
}
