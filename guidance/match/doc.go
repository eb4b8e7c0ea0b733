// Package match ranks short courses and earn-while-you-learn openings for
// one young person: the matching engine behind Pai Tor's suggestions.
//
// A Catalog is built once (NewCatalog) from everything on offer and is then
// immutable and shared: per-item facts (coordinates, day bits, minutes,
// education rank, labour-law flags, search index) are computed there, so
// Rank only compares numbers. Rank is pure (no I/O) and deterministic.
//
// Rank works in four steps:
//
//  1. Hard rules, never broken, each exclusion counted by code in
//     Ranking.Excluded (see the Excl constants): reachable (travel distance
//     from the shared location or province seat; "any" = same region or
//     any_km; "online" = online items only; no online-only course without a
//     device), open now or soon, age, labour law (no openings under 15; under
//     18 — or age unknown — no night, hazardous or 22:00–06:00 work, checked
//     from the hours as well as the flags), education, skills (an opening
//     without training that needs a skill the person said they lack), free
//     time, budget, refinements and typed search.
//  2. A score: a weighted sum of components (weights.yaml) — interests,
//     RIASEC, what the person needs most, cost, distance, schedule, barriers,
//     what it earns, regional demand, skills, 👍/👎 feedback, search
//     relevance — kept per result in Result.Breakdown.
//  3. Diversity: among the top Limit at most per_provider items from one
//     provider or employer, and not all from one field.
//  4. Explanations: 2–4 short Thai/English phrases per result
//     (reasons.yaml), earn-while-learning pairs (a course and an opening that
//     fit together in time and place) and skill gaps (an opening out of reach
//     and the course that leads to it).
package match
