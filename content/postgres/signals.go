package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/paitor/paitor/content"
)

var _ content.SignalStore = (*Store)(nil)

// SaveItem adds an item to the person's saved list; saving it again moves it
// to the top (its time becomes at).
func (s *Store) SaveItem(ctx context.Context, userID, itemID string, at time.Time) error {
	if err := content.ValidSignal(userID, itemID, at); err != nil {
		return fmt.Errorf("postgres: save item: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	_, err := s.pool.Exec(ctx, `
		INSERT INTO saved_items (user_id, item_id, at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id, item_id) DO UPDATE SET at = EXCLUDED.at`, userID, itemID, normalize(at))
	if pgCode(err) == pgForeignKeyViolation {
		return fmt.Errorf("postgres: save item: %w", notFound("user %s not found", userID))
	} else if err != nil {
		return fmt.Errorf("postgres: save item for %s: %w", userID, err)
	}
	return nil
}

// UnsaveItem removes an item from the saved list; removing one that is not
// there is fine.
func (s *Store) UnsaveItem(ctx context.Context, userID, itemID string) error {
	switch {
	case userID == "":
		return fmt.Errorf("postgres: unsave item: %w", invalid("user ID is empty"))
	case itemID == "":
		return fmt.Errorf("postgres: unsave item: %w", invalid("item ID is empty"))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	var known bool
	err := s.pool.QueryRow(ctx, `
		WITH gone AS (DELETE FROM saved_items WHERE user_id = $1 AND item_id = $2)
		SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)`, userID, itemID).Scan(&known)
	if err != nil {
		return fmt.Errorf("postgres: unsave item for %s: %w", userID, err)
	}
	if !known {
		return fmt.Errorf("postgres: unsave item: %w", notFound("user %s not found", userID))
	}
	return nil
}

// SavedItems lists the person's saved item IDs, most recently saved first
// (by item ID among equal times).
func (s *Store) SavedItems(ctx context.Context, userID string) ([]string, error) {
	if userID == "" {
		return nil, fmt.Errorf("postgres: saved items: %w", invalid("user ID is empty"))
	}
	items, err := s.userList(ctx, userID, `
		SELECT s.item_id FROM users u LEFT JOIN saved_items s ON s.user_id = u.id
		WHERE u.id = $1
		ORDER BY s.at DESC, s.item_id COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("postgres: saved items: %w", err)
	}
	return items, nil
}

// RecordFeedback records a vote (+1 or -1); a later vote on the same item
// replaces the earlier one.
func (s *Store) RecordFeedback(ctx context.Context, userID, itemID string, vote int, at time.Time) error {
	if err := content.ValidSignal(userID, itemID, at); err != nil {
		return fmt.Errorf("postgres: record feedback: %w", err)
	}
	if vote != 1 && vote != -1 {
		return fmt.Errorf("postgres: record feedback: %w", invalid("vote %d is not +1 or -1", vote))
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	_, err := s.pool.Exec(ctx, `
		INSERT INTO feedback (user_id, item_id, vote, at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (user_id, item_id) DO UPDATE SET vote = EXCLUDED.vote, at = EXCLUDED.at`,
		userID, itemID, vote, normalize(at))
	if pgCode(err) == pgForeignKeyViolation {
		return fmt.Errorf("postgres: record feedback: %w", notFound("user %s not found", userID))
	} else if err != nil {
		return fmt.Errorf("postgres: record feedback of %s: %w", userID, err)
	}
	return nil
}

// FeedbackScores returns the net votes by item across everyone, for every item
// anyone voted on (0 when the votes cancel out).
func (s *Store) FeedbackScores(ctx context.Context) (map[string]int, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	rows, err := s.pool.Query(ctx, `SELECT item_id, sum(vote) FROM feedback GROUP BY item_id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: feedback scores: %w", err)
	}
	scores := map[string]int{}
	var (
		item string
		net  int
	)
	_, err = pgx.ForEachRow(rows, []any{&item, &net}, func() error {
		scores[item] = net
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: feedback scores: %w", err)
	}
	return scores, nil
}

// RecordClick records a tap on an item's apply or contact link.
func (s *Store) RecordClick(ctx context.Context, userID, itemID string, at time.Time) error {
	if err := content.ValidSignal(userID, itemID, at); err != nil {
		return fmt.Errorf("postgres: record click: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	_, err := s.pool.Exec(ctx, `INSERT INTO clicks (user_id, item_id, at) VALUES ($1, $2, $3)`, userID, itemID, normalize(at))
	if pgCode(err) == pgForeignKeyViolation {
		return fmt.Errorf("postgres: record click: %w", notFound("user %s not found", userID))
	} else if err != nil {
		return fmt.Errorf("postgres: record click of %s: %w", userID, err)
	}
	return nil
}

// Clicks returns the items the person tapped through to, each once, the most
// recently tapped first (the later recorded among equal times).
func (s *Store) Clicks(ctx context.Context, userID string) ([]string, error) {
	if userID == "" {
		return nil, fmt.Errorf("postgres: clicks: %w", invalid("user ID is empty"))
	}
	items, err := s.userList(ctx, userID, `
		SELECT c.item_id FROM users u LEFT JOIN clicks c ON c.user_id = u.id
		WHERE u.id = $1
		GROUP BY c.item_id
		ORDER BY max(c.at) DESC, max(c.id) DESC`)
	if err != nil {
		return nil, fmt.Errorf("postgres: clicks: %w", err)
	}
	return items, nil
}

// userList runs q, a LEFT JOIN from users yielding one nullable item ID per
// row: no row means the user is unknown (ENOTFOUND), a NULL one that the list
// is empty. The list is never nil.
func (s *Store) userList(ctx context.Context, userID, q string) ([]string, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()

	rows, err := s.pool.Query(ctx, q, userID)
	if err != nil {
		return nil, err
	}
	items, err := pgx.CollectRows(rows, pgx.RowTo[*string])
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, notFound("user %s not found", userID)
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		if it != nil {
			out = append(out, *it)
		}
	}
	return out, nil
}
