package content

import "slices"

// InterestCodes are the six Holland (RIASEC) interest codes in their fixed
// order: R realistic, I investigative, A artistic, S social, E enterprising,
// C conventional. Courses and openings are tagged with them, the interest
// inventory scores them, and ties between codes are broken by this order.
var InterestCodes = []string{"R", "I", "A", "S", "E", "C"}

// fields is the fixed list of occupation families used across the product.
var fields = []string{
	"agriculture", "food_processing", "care", "hospitality_tourism", "crafts",
	"digital", "trades", "retail", "logistics", "beauty", "office",
	"education_support", "health_support", "creative_media",
}

// Fields returns the fixed occupation-family IDs (a copy): what a course's or
// an opening's Field and an Occupation's ID take.
func Fields() []string { return slices.Clone(fields) }
