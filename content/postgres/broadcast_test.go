package postgres_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/postgres/pgtest"
)

// TestStreamAudienceSkipsBlocksWithNoMatch checks that StreamAudience goes on
// past a whole block of 1,000 users with nobody in the audience.
func TestStreamAudienceSkipsBlocksWithNoMatch(t *testing.T) {
	t.Parallel()
	s := pgtest.Open(t)
	ctx := t.Context()
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	user := func(prefix string, i int, province string) string {
		id := fmt.Sprintf("U%s%031x", prefix, i)
		if _, _, err := s.Follow(ctx, id, when); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveProfile(ctx, id, map[string]string{"province": province}, when); err != nil {
			t.Fatal(err)
		}
		return id
	}
	var want []string
	want = append(want, user("0", 0, "TH-40"))
	for i := range 2100 { // two full blocks and more, nobody in the audience
		user("1", i, "TH-50")
	}
	want = append(want, user("f", 1, "TH-40"), user("f", 2, "TH-40"))

	var got []string
	err := s.StreamAudience(ctx, content.Audience{Provinces: []string{"TH-40"}}, func(r content.Recipient) error {
		got = append(got, r.UserID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("streamed %v, want %v", got, want)
	}
}

// TestPruneChunksInBatches prunes more chunks than one statement empties.
func TestPruneChunksInBatches(t *testing.T) {
	t.Parallel()
	s := pgtest.Open(t)
	ctx := t.Context()
	city, err := s.CreateCity(ctx, content.City{Name: "x", Provinces: []string{"TH-40"}})
	if err != nil {
		t.Fatal(err)
	}
	f := content.Festival{ID: uuid.NewString(), CityID: city.ID, TitleTH: "งาน", StartsAt: time.Now(), EndsAt: time.Now()}
	if err := s.SaveFestival(ctx, f); err != nil {
		t.Fatal(err)
	}
	a := content.Announcement{ID: uuid.NewString(), CityID: city.ID, FestivalID: f.ID, Status: content.AnnSending}
	if err := s.SaveAnnouncement(ctx, a); err != nil {
		t.Fatal(err)
	}
	const n = 2345
	chunks := make([]content.Chunk, n)
	for i := range chunks {
		chunks[i] = content.Chunk{AnnouncementID: a.ID, Seq: i, Recipients: []string{fmt.Sprintf("U%032x", i), "U2"}}
	}
	if err := s.SaveChunks(ctx, chunks); err != nil {
		t.Fatal(err)
	}
	sent := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		if err := s.FinishChunk(ctx, a.ID, i, "sent", "", sent); err != nil {
			t.Fatal(err)
		}
	}
	pruned, err := s.PruneChunks(ctx, sent.Add(30*24*time.Hour))
	if err != nil || pruned != n {
		t.Fatalf("PruneChunks = %d, %v; want %d", pruned, err, n)
	}
	st, err := s.Stats(ctx, a.ID)
	if err != nil || st.Targeted != 2*n || st.Sent != 2*n {
		t.Errorf("Stats after pruning = %+v, %v", st, err)
	}
	if c, _ := s.Chunk(ctx, a.ID, n-1); c.Recipients != nil || c.Status != "sent" {
		t.Errorf("last chunk after pruning = %+v", c)
	}
}
