// Package thai holds the small pieces of Thai text handling that place
// (province names) and search (typed queries) share: putting combining marks
// in one order and shortening runs people type for emphasis ("ครับบบบ").
package thai

// MarkClass orders Thai combining marks: vowels above and below first, then
// tone marks, then the rest (thanthakhat, nikhahit, yamakkan); 0 for anything
// else. Typing order varies; the rendered text does not.
func MarkClass(r rune) int {
	switch {
	case r == '\u0e31' || (r >= '\u0e34' && r <= '\u0e3a') || r == '\u0e47':
		return 1
	case r >= '\u0e48' && r <= '\u0e4b':
		return 2
	case r >= '\u0e4c' && r <= '\u0e4e':
		return 3
	}
	return 0
}

// ReorderMarks sorts each run of Thai combining marks by MarkClass, in place
// (an insertion sort: runs are one to three marks long).
func ReorderMarks(rs []rune) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && MarkClass(rs[j]) > 0 && MarkClass(rs[j-1]) > MarkClass(rs[j]); j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

// CollapseRuns drops repeated combining marks and shortens runs of three or
// more identical characters to one (a doubled letter, "tt" or "ทท", stays);
// with spaces, runs of spaces become one too. It reuses rs.
func CollapseRuns(rs []rune, spaces bool) []rune {
	out := rs[:0]
	for i := 0; i < len(rs); {
		j := i + 1
		for j < len(rs) && rs[j] == rs[i] {
			j++
		}
		n := j - i
		if n >= 3 || MarkClass(rs[i]) > 0 || (spaces && rs[i] == ' ') {
			n = 1
		}
		out = append(out, rs[i:i+n]...)
		i = j
	}
	return out
}
