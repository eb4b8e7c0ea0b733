package actions

// registry is every action the edge does, by the name the flows call it.
// Adding an action is writing its Handler and one line here; New checks the
// table against the flows.
func (a *Actions) registry() map[string]Handler {
	return map[string]Handler{
		// consent and guardians (guardian.go)
		"guardian_code":    a.guardianCode,
		"guardian_confirm": a.guardianConfirm,
		// the plan and its follow-up (plan.go)
		"save_plan":         a.savePlan,
		"schedule_checkins": a.scheduleCheckins,
		"record_outcome":    a.recordOutcome,
		"plan_match":        a.planMatch,
		// a person's data (data.go)
		"my_data":     a.myData,
		"export_link": a.exportLink,
		"delete_data": a.deleteData,
		// people (handoff.go, understand.go)
		"handoff":       a.handoff,
		"keep_message":  a.keepMessage,
		"record_helped": a.recordHelped,
		// counsellors (handoff.go)
		"link_counsellor": a.linkCounsellor,
		// what people type (understand.go)
		"understand": a.understand,
		// the catalog (items.go)
		"search":      a.search,
		"item_detail": a.itemDetail,
		"item_save":   a.itemSave,
		"item_vote":   a.itemVote,
		"saved_items": a.savedItems,
		// festivals (festivals.go)
		"festivals_near":  a.festivalsNear,
		"festival_remind": a.festivalRemind,
		"festival_tap":    a.festivalTap,
		"festival_detail": a.festivalDetail,
	}
}
