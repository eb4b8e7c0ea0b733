// Package storetest is the contract suite every content.Store implementation must
// pass. Each implementation's own test calls TestStore with a function that opens a
// fresh store; the suite never depends on what else is in that store, so an
// implementation may hand every subtest the same database (see claimMu for how
// the tests that look across everyone manage that).
package storetest

import (
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/thaitime"
)

// TestStore runs the whole contract against stores made by open. open is called
// once per subtest with that subtest's *testing.T, so it can register cleanups;
// subtests run in parallel and use fresh random user IDs.
func TestStore(t *testing.T, open func(t *testing.T) content.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s content.Store)
	}{
		{"Ping", testPing},
		{"FollowCreatesUserOnce", testFollowCreatesUserOnce},
		{"UnfollowBlocks", testUnfollowBlocks},
		{"FollowAfterBlockUnblocks", testFollowAfterBlockUnblocks},
		{"BlockUnknownUserCreatesItBlocked", testBlockUnknownUser},
		{"TouchCreatesMissingUserAsFollowing", testTouchCreatesMissingUser},
		{"TouchKeepsExistingUserUnchanged", testTouchKeepsExistingUser},
		{"UserUnknownIsNotFound", testUserUnknown},
		{"SetRole", testSetRole},
		{"SetRoleInvalidRole", testSetRoleInvalid},
		{"SetRoleUnknownUserIsNotFound", testSetRoleUnknownUser},
		{"InvalidInput", testInvalidInput},
		{"ConcurrentFollowCreatesOnce", testConcurrentFollow},
		{"TimestampsRoundTripMicrosecondsUTC", testTimestamps},
		{"ReturnedUsersAreCopies", testReturnedCopies},

		{"ConsentHistoryLatestWins", testConsentHistoryLatestWins},
		{"ProfileMergeAndRemoval", testProfileMergeAndRemoval},
		{"Settings", testSettings},
		{"GuardianHappyPath", testGuardianHappyPath},
		{"GuardianExpiredCodeIsNotFound", testGuardianExpiredCode},
		{"GuardianWrongCodeIsNotFound", testGuardianWrongCode},
		{"GuardianSelfConfirmIsInvalid", testGuardianSelfConfirm},
		{"GuardianSecondGuardianConflicts", testGuardianSecondGuardianConflict},
		{"GuardianConfirmIsIdempotent", testGuardianIdempotentConfirm},
		{"GuardianCodeReuseConflicts", testGuardianCodeReuseConflict},
		{"GuardianConcurrentCodesOneWins", testGuardianConcurrentCodes},
		{"GuardianCodeIsCaseInsensitive", testGuardianCaseInsensitive},
		{"PlanReplace", testPlanReplace},
		{"OutcomesCount", testOutcomesCount},
		{"ClaimDueReturnsDueInOrder", testClaimDueInOrder},
		{"ClaimHeldForLeaseThenAgain", testClaimLease},
		{"FinishScheduledEndsClaims", testFinishScheduled},
		{"RescheduleMovesAndReleases", testReschedule},
		{"CancelScheduledByKindAndAll", testCancelScheduled},
		{"ConcurrentClaimsNeverOverlap", testConcurrentClaims},
		{"OpenHandoffsUrgentThenOldest", testHandoffsOrder},
		{"KeepForCounsellorJoinsMostRecentOpenHandoff", testKeepJoinsMostRecentOpenHandoff},
		{"KeepForCounsellorOpensMessageHandoffOnce", testKeepOpensMessageHandoff},
		{"KeepForCounsellorCutsLongText", testKeepCutsLongText},
		{"KeepForCounsellorConcurrentOpensOneHandoff", testKeepConcurrentOpensOneHandoff},
		{"ExportContainsEverything", testExport},
		{"DeleteUserRemovesEverything", testDeleteUser},
		{"DeleteGuardianDropsConfirmation", testDeleteGuardianDropsConfirmation},
		{"GuidanceUnknownUserIsNotFound", testGuidanceUnknownUser},
		{"GuidanceInvalidInput", testGuidanceInvalidInput},

		{"CatalogRoundTrip", testCatalogRoundTrip},
		{"CatalogUpsertIsIdempotent", testCatalogUpsertIsIdempotent},
		{"CatalogUpdateChangesFields", testCatalogUpdateChangesFields},
		{"CatalogLastOfDuplicatesWins", testCatalogLastOfDuplicatesWins},
		{"CatalogCountsChanges", testCatalogCountsChanges},
		{"CatalogExpiredNotOffered", testCatalogExpiredNotOffered},
		{"CatalogStreamOrderAndEarlyStop", testCatalogStreamOrderAndEarlyStop},
		{"CatalogReturnedCopies", testCatalogReturnedCopies},
		{"OccupationsRoundTrip", testOccupationsRoundTrip},
		{"CatalogInvalidInput", testCatalogInvalidInput},
		{"CatalogVersion", testCatalogVersion},
		{"SignalsSaved", testSignalsSaved},
		{"SignalsFeedback", testSignalsFeedback},
		{"SignalsClicks", testSignalsClicks},
		{"SignalsUnknownUser", testSignalsUnknownUser},
		{"SignalsInvalidInput", testSignalsInvalidInput},
		{"DeleteUserRemovesSignals", testDeleteUserRemovesSignals},

		{"CityRoundTrip", testCityRoundTrip},
		{"CityTokens", testTokens},
		{"CityAuditLog", testAuditLog},
		{"FestivalRoundTrip", testFestivalRoundTrip},
		{"FestivalTenantIsolation", testFestivalTenantIsolation},
		{"FestivalInvalidInput", testFestivalInvalid},
		{"UpcomingFestivalsAcrossCities", testUpcomingFestivals},
		{"AnnouncementRoundTrip", testAnnouncementRoundTrip},
		{"AnnouncementTenantIsolation", testAnnouncementTenantIsolation},
		{"AnnouncementInvalidInput", testAnnouncementInvalid},
		{"ClaimDueAnnouncementsInOrderWithLease", testClaimDueAnnouncements},
		{"ConcurrentAnnouncementClaimsNeverOverlap", testConcurrentAnnouncementClaims},
		{"StreamAudienceFilters", testStreamAudienceFilters},
		{"StreamAudienceOrderAndEarlyStop", testStreamAudienceOrderAndEarlyStop},
		{"BroadcastChunksAndStats", testChunks},
		{"BroadcastTapsOncePerPersonAndButton", testTaps},
		{"PruneChunksKeepsStats", testPruneChunks},

		{"Organisations", testOrganisations},
		{"Counsellors", testCounsellors},
		{"CounsellorLineAndTokenAreUnique", testCounsellorUniqueLinks},
		{"TicketRouting", testTicketRouting},
		{"TicketEscalation", testTicketEscalation},
		{"TicketsOfAnotherOrganisationAreNotFound", testTicketOrgScoping},
		{"AddReplyIsIdempotent", testAddReplyIdempotent},
		{"AddReplyConcurrentSubmitsStoreOne", testAddReplyConcurrent},
		{"MarkReply", testMarkReply},
		{"CloseAndHelped", testCloseAndHelped},
		{"TicketsUrgentThenOldestWithLimit", testTicketsList},
		{"DueEscalationsOldestFirst", testDueEscalations},
		{"PurgeHandoffMessagesOfLongClosedTickets", testPurgeHandoffMessages},
		{"PurgeRequestsNobodyTook", testPurgeUnroutedRequests},
		{"PendingRepliesOldestFirst", testPendingReplies},
		{"TicketExportAndDelete", testTicketExportAndDelete},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			if s == nil {
				t.Fatal("open returned a nil store")
			}
			tt.fn(t, s)
		})
	}
}

// NewUserID returns a fresh random LINE-style user ID: "U" and 32 hex digits.
func NewUserID(t testing.TB) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random user id: %v", err)
	}
	return "U" + hex.EncodeToString(b)
}

// at returns a fixed event time in Bangkok time with sub-microsecond digits, so
// every test exercises zone conversion and truncation.
func at(minute int) time.Time {
	return time.Date(2025, time.March, 4, 5, minute, 7, 123456789, thaitime.Zone)
}

// stored is what a store must give back for an event time: UTC, truncated to
// microseconds.
func stored(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func mustFollow(t *testing.T, s content.Store, id string, when time.Time) (content.User, bool) {
	t.Helper()
	u, created, err := s.Follow(t.Context(), id, when)
	if err != nil {
		t.Fatalf("Follow(%s): %v", id, err)
	}
	return u, created
}

func mustUser(t *testing.T, s content.Store, id string) content.User {
	t.Helper()
	u, err := s.User(t.Context(), id)
	if err != nil {
		t.Fatalf("User(%s): %v", id, err)
	}
	return u
}

func assertTime(t *testing.T, field string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %v, want %v", field, got, want)
	}
}

func assertCode(t *testing.T, op string, err error, code string) {
	t.Helper()
	if got := content.ErrorCode(err); got != code {
		t.Errorf("%s: error %v has code %q, want %q", op, err, got, code)
	}
}
