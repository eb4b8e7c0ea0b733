package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/paitor/paitor/content"
)

func testPing(t *testing.T, s content.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func testFollowCreatesUserOnce(t *testing.T, s content.Store) {
	id := NewUserID(t)

	u, created := mustFollow(t, s, id, at(0))
	if !created {
		t.Error("first Follow: created = false, want true")
	}
	if u.ID != id || u.Status != content.StatusFollowing || !u.CanReceive() {
		t.Errorf("first Follow: got %+v, want %s following", u, id)
	}
	if u.Role != content.RoleUnknown {
		t.Errorf("first Follow: Role = %q, want empty", u.Role)
	}
	assertTime(t, "FollowedAt", u.FollowedAt, stored(at(0)))
	if !u.BlockedAt.IsZero() {
		t.Errorf("BlockedAt = %v, want zero", u.BlockedAt)
	}
	if u.CreatedAt.IsZero() || u.UpdatedAt.IsZero() {
		t.Errorf("CreatedAt = %v, UpdatedAt = %v, want both set", u.CreatedAt, u.UpdatedAt)
	}

	u2, created := mustFollow(t, s, id, at(5))
	if created {
		t.Error("second Follow: created = true, want false")
	}
	if u2.Status != content.StatusFollowing {
		t.Errorf("second Follow: Status = %q, want following", u2.Status)
	}
	assertTime(t, "second Follow: FollowedAt", u2.FollowedAt, stored(at(5)))
	assertTime(t, "second Follow: CreatedAt", u2.CreatedAt, u.CreatedAt)
	if u2.UpdatedAt.Before(u.UpdatedAt) {
		t.Errorf("second Follow: UpdatedAt %v went back from %v", u2.UpdatedAt, u.UpdatedAt)
	}

	if got := mustUser(t, s, id); got != u2 {
		t.Errorf("User after Follow = %+v, want %+v", got, u2)
	}
}

func testUnfollowBlocks(t *testing.T, s content.Store) {
	id := NewUserID(t)
	mustFollow(t, s, id, at(0))
	if err := s.SetRole(t.Context(), id, content.RoleParent); err != nil {
		t.Fatalf("SetRole: %v", err)
	}

	if err := s.Block(t.Context(), id, at(1)); err != nil {
		t.Fatalf("Block: %v", err)
	}
	u := mustUser(t, s, id)
	if u.Status != content.StatusBlocked {
		t.Errorf("Status = %q, want blocked", u.Status)
	}
	if u.CanReceive() {
		t.Error("CanReceive() = true for a blocked user")
	}
	assertTime(t, "BlockedAt", u.BlockedAt, stored(at(1)))
	assertTime(t, "FollowedAt (kept)", u.FollowedAt, stored(at(0)))
	if u.Role != content.RoleParent {
		t.Errorf("Role = %q after Block, want parent (kept)", u.Role)
	}

	// Blocking twice is harmless and moves BlockedAt.
	if err := s.Block(t.Context(), id, at(2)); err != nil {
		t.Fatalf("second Block: %v", err)
	}
	u = mustUser(t, s, id)
	if u.Status != content.StatusBlocked {
		t.Errorf("second Block: Status = %q, want blocked", u.Status)
	}
	assertTime(t, "second Block: BlockedAt", u.BlockedAt, stored(at(2)))
}

func testFollowAfterBlockUnblocks(t *testing.T, s content.Store) {
	id := NewUserID(t)
	mustFollow(t, s, id, at(0))
	if err := s.Block(t.Context(), id, at(1)); err != nil {
		t.Fatalf("Block: %v", err)
	}

	u, created := mustFollow(t, s, id, at(2))
	if created {
		t.Error("Follow after Block: created = true, want false")
	}
	if u.Status != content.StatusFollowing || !u.CanReceive() {
		t.Errorf("Follow after Block: Status = %q, CanReceive = %v, want following and true", u.Status, u.CanReceive())
	}
	if !u.BlockedAt.IsZero() {
		t.Errorf("Follow after Block: BlockedAt = %v, want zero", u.BlockedAt)
	}
	assertTime(t, "Follow after Block: FollowedAt", u.FollowedAt, stored(at(2)))
	if got := mustUser(t, s, id); got != u {
		t.Errorf("User after unblock = %+v, want %+v", got, u)
	}
}

func testBlockUnknownUser(t *testing.T, s content.Store) {
	id := NewUserID(t)
	if err := s.Block(t.Context(), id, at(3)); err != nil {
		t.Fatalf("Block: %v", err)
	}
	u := mustUser(t, s, id)
	if u.ID != id || u.Status != content.StatusBlocked || u.CanReceive() {
		t.Errorf("got %+v, want %s blocked", u, id)
	}
	assertTime(t, "BlockedAt", u.BlockedAt, stored(at(3)))
	if !u.FollowedAt.IsZero() {
		t.Errorf("FollowedAt = %v, want zero (never followed)", u.FollowedAt)
	}
	if u.CreatedAt.IsZero() {
		t.Error("CreatedAt is zero")
	}

	// A later follow is an unblock of an existing user, not a creation.
	if _, created := mustFollow(t, s, id, at(4)); created {
		t.Error("Follow after Block of unknown user: created = true, want false")
	}
}

func testTouchCreatesMissingUser(t *testing.T, s content.Store) {
	id := NewUserID(t)
	u, err := s.Touch(t.Context(), id, at(0))
	if err != nil {
		t.Fatalf("Touch: %v", err)
	}
	if u.ID != id || u.Status != content.StatusFollowing || !u.CanReceive() {
		t.Errorf("Touch: got %+v, want %s following", u, id)
	}
	assertTime(t, "FollowedAt", u.FollowedAt, stored(at(0)))
	if got := mustUser(t, s, id); got != u {
		t.Errorf("User after Touch = %+v, want %+v", got, u)
	}

	// Touch found the user, so a later follow event is not a creation.
	if _, created := mustFollow(t, s, id, at(1)); created {
		t.Error("Follow after Touch: created = true, want false")
	}
}

func testTouchKeepsExistingUser(t *testing.T, s content.Store) {
	id := NewUserID(t)
	mustFollow(t, s, id, at(0))
	if err := s.Block(t.Context(), id, at(1)); err != nil {
		t.Fatalf("Block: %v", err)
	}
	before := mustUser(t, s, id)

	u, err := s.Touch(t.Context(), id, at(2))
	if err != nil {
		t.Fatalf("Touch: %v", err)
	}
	if u != before {
		t.Errorf("Touch of blocked user returned %+v, want unchanged %+v", u, before)
	}
	if got := mustUser(t, s, id); got != before {
		t.Errorf("User after Touch = %+v, want unchanged %+v", got, before)
	}

	// Touching a following user changes nothing either.
	id2 := NewUserID(t)
	f, _ := mustFollow(t, s, id2, at(0))
	u, err = s.Touch(t.Context(), id2, at(9))
	if err != nil {
		t.Fatalf("Touch following: %v", err)
	}
	if u != f {
		t.Errorf("Touch of following user returned %+v, want unchanged %+v", u, f)
	}
}

func testUserUnknown(t *testing.T, s content.Store) {
	_, err := s.User(t.Context(), NewUserID(t))
	if !content.IsNotFound(err) {
		t.Fatalf("User(unknown): err = %v, want ENOTFOUND", err)
	}
}

func testSetRole(t *testing.T, s content.Store) {
	id := NewUserID(t)
	before, _ := mustFollow(t, s, id, at(0))
	for _, role := range []content.Role{content.RoleYouth, content.RoleParent, content.RoleOther, content.RoleUnknown} {
		if err := s.SetRole(t.Context(), id, role); err != nil {
			t.Fatalf("SetRole(%q): %v", role, err)
		}
		u := mustUser(t, s, id)
		if u.Role != role {
			t.Errorf("after SetRole(%q): Role = %q", role, u.Role)
		}
		if u.Status != before.Status || !u.FollowedAt.Equal(before.FollowedAt) || !u.CreatedAt.Equal(before.CreatedAt) {
			t.Errorf("SetRole(%q) changed more than the role: %+v, was %+v", role, u, before)
		}
		if u.UpdatedAt.Before(before.UpdatedAt) {
			t.Errorf("SetRole(%q): UpdatedAt %v went back from %v", role, u.UpdatedAt, before.UpdatedAt)
		}
	}
}

func testSetRoleInvalid(t *testing.T, s content.Store) {
	id := NewUserID(t)
	mustFollow(t, s, id, at(0))
	if err := s.SetRole(t.Context(), id, content.RoleYouth); err != nil {
		t.Fatalf("SetRole: %v", err)
	}
	err := s.SetRole(t.Context(), id, content.Role("admin"))
	assertCode(t, `SetRole("admin")`, err, content.EINVALID)
	if u := mustUser(t, s, id); u.Role != content.RoleYouth {
		t.Errorf("Role = %q after rejected SetRole, want youth (unchanged)", u.Role)
	}
}

func testSetRoleUnknownUser(t *testing.T, s content.Store) {
	err := s.SetRole(t.Context(), NewUserID(t), content.RoleYouth)
	if !content.IsNotFound(err) {
		t.Fatalf("SetRole(unknown user): err = %v, want ENOTFOUND", err)
	}
}

// testInvalidInput pins down what happens with an empty user ID or a zero event
// time: EINVALID, and nothing is stored.
func testInvalidInput(t *testing.T, s content.Store) {
	ctx := t.Context()
	_, _, err := s.Follow(ctx, "", at(0))
	assertCode(t, `Follow("")`, err, content.EINVALID)
	assertCode(t, `Block("")`, s.Block(ctx, "", at(0)), content.EINVALID)
	_, err = s.Touch(ctx, "", at(0))
	assertCode(t, `Touch("")`, err, content.EINVALID)
	_, err = s.User(ctx, "")
	assertCode(t, `User("")`, err, content.EINVALID)
	assertCode(t, `SetRole("")`, s.SetRole(ctx, "", content.RoleYouth), content.EINVALID)

	id := NewUserID(t)
	var timeZero time.Time
	_, _, err = s.Follow(ctx, id, timeZero)
	assertCode(t, "Follow(zero time)", err, content.EINVALID)
	assertCode(t, "Block(zero time)", s.Block(ctx, id, timeZero), content.EINVALID)
	_, err = s.Touch(ctx, id, timeZero)
	assertCode(t, "Touch(zero time)", err, content.EINVALID)
	if _, err := s.User(ctx, id); !content.IsNotFound(err) {
		t.Errorf("User after rejected writes: err = %v, want ENOTFOUND", err)
	}
}

func testConcurrentFollow(t *testing.T, s content.Store) {
	const n = 20
	id := NewUserID(t)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		creates int
		errs    []error
		start   = make(chan struct{})
	)
	for i := range n {
		wg.Go(func() {
			<-start
			_, created, err := s.Follow(t.Context(), id, at(i%60))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
			if created {
				creates++
			}
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		t.Errorf("concurrent Follow: %v", err)
	}
	if creates != 1 {
		t.Errorf("%d of %d concurrent Follows reported created=true, want exactly 1", creates, n)
	}
	if u := mustUser(t, s, id); u.Status != content.StatusFollowing {
		t.Errorf("Status = %q after concurrent Follows, want following", u.Status)
	}
}

func testTimestamps(t *testing.T, s content.Store) {
	id := NewUserID(t)
	follow, block := at(10), at(11)
	if _, err := s.Touch(t.Context(), id, follow); err != nil {
		t.Fatalf("Touch: %v", err)
	}
	if err := s.Block(t.Context(), id, block); err != nil {
		t.Fatalf("Block: %v", err)
	}
	u := mustUser(t, s, id)
	for _, f := range []struct {
		name      string
		got, want time.Time
	}{
		{"FollowedAt", u.FollowedAt, stored(follow)},
		{"BlockedAt", u.BlockedAt, stored(block)},
		{"CreatedAt", u.CreatedAt, u.CreatedAt.UTC().Truncate(time.Microsecond)},
		{"UpdatedAt", u.UpdatedAt, u.UpdatedAt.UTC().Truncate(time.Microsecond)},
	} {
		if !f.got.Equal(f.want) {
			t.Errorf("%s = %v, want %v (microseconds)", f.name, f.got, f.want)
		}
		if f.got.Location() != time.UTC {
			t.Errorf("%s is in %v, want UTC", f.name, f.got.Location())
		}
	}
	if u.UpdatedAt.Before(u.CreatedAt) {
		t.Errorf("UpdatedAt %v before CreatedAt %v", u.UpdatedAt, u.CreatedAt)
	}
}

// testReturnedCopies checks that a caller cannot reach into the store by keeping a
// returned User (it is a value, but this guards against later pointer fields).
func testReturnedCopies(t *testing.T, s content.Store) {
	id := NewUserID(t)
	u, _ := mustFollow(t, s, id, at(0))
	u.Status = content.StatusBlocked
	u.Role = content.RoleOther
	if got := mustUser(t, s, id); got.Status != content.StatusFollowing || got.Role != content.RoleUnknown {
		t.Errorf("changing a returned User changed the store: %+v", got)
	}
}
