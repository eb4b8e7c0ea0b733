package place

import "slices"

// editSimilarity is 1 − d/max(len a, len b), where d is the optimal string
// alignment distance between a and b: insertions, deletions, substitutions
// and swaps of neighbouring runes each cost one.
func editSimilarity(a, b []rune) float64 {
	n := max(len(a), len(b))
	if n == 0 {
		return 1
	}
	return 1 - float64(osaDistance(a, b))/float64(n)
}

// osaDistance is the optimal string alignment distance, kept in three rows.
func osaDistance(a, b []rune) int {
	var buf [3 * 48]int
	w := len(b) + 1
	rows := buf[:]
	if 3*w > len(buf) {
		rows = make([]int, 3*w)
	}
	prev2, prev, cur := rows[:w], rows[w:2*w], rows[2*w:3*w]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d = min(d, prev2[j-2]+1)
			}
			cur[j] = d
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// bigrams is the sorted set of a string's neighbouring rune pairs.
func bigrams(rs []rune) []uint64 {
	if len(rs) < 2 {
		return nil
	}
	out := make([]uint64, 0, len(rs)-1)
	for i := 1; i < len(rs); i++ {
		out = append(out, uint64(rs[i-1])<<32|uint64(rs[i]))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// sharesBigram reports whether two sorted bigram sets meet.
func sharesBigram(a, b []uint64) bool {
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			return true
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return false
}
