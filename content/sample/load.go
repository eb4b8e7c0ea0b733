package sample

import (
	"bytes"
	"context"
	"fmt"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/catalogio"
)

// Load puts the sample pack into a catalog store (the embedded default does
// this at start-up, so `make run` has courses and openings to show).
func Load(ctx context.Context, s content.CatalogStore) error {
	files := Files()
	occ, err := catalogio.ParseOccupations("sample/occupations.csv", bytes.NewReader(files["occupations.csv"]), "csv")
	if err != nil {
		return fmt.Errorf("sample: %w", err)
	}
	courses, err := catalogio.ParseCourses("sample/courses.csv", bytes.NewReader(files["courses.csv"]), "csv")
	if err != nil {
		return fmt.Errorf("sample: %w", err)
	}
	openings, err := catalogio.ParseOpenings("sample/openings.csv", bytes.NewReader(files["openings.csv"]), "csv")
	if err != nil {
		return fmt.Errorf("sample: %w", err)
	}
	if n := len(occ.Rejected) + len(courses.Rejected) + len(openings.Rejected); n > 0 {
		return fmt.Errorf("sample: %d rows rejected", n)
	}
	if err := s.UpsertOccupations(ctx, occ.Items); err != nil {
		return fmt.Errorf("sample: %w", err)
	}
	if _, err := s.UpsertCourses(ctx, courses.Items); err != nil {
		return fmt.Errorf("sample: %w", err)
	}
	if _, err := s.UpsertOpenings(ctx, openings.Items); err != nil {
		return fmt.Errorf("sample: %w", err)
	}
	return nil
}
