package webhooks

import (
	"time"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/core"
	"github.com/gatehouse-id/gatehouse/internal/webhook"
)

// encodePayload is the body hookID receives for e. A model.User as data is shaped as the
// Management API answers it when an API route caused the event, and as Logto's
// userInfoSelectFields otherwise (interaction events, registrations).
func encodePayload(e core.Event, o model.Origin, app *model.Application, now time.Time, hookID string) ([]byte, error) {
	ev := webhook.Event{Name: e.Name, CreatedAt: now, Origin: o, UserID: e.UserID,
		DataFirst: e.Name == model.EventUserDeleted}
	if app != nil {
		ev.Application = webhook.ApplicationOf(*app)
	}
	if webhook.IsInteractionEvent(e.Name) {
		if u, ok := e.Data.(model.User); ok {
			ev.User = model.UserInfoOf(u)
		}
		return webhook.Payload(ev, hookID)
	}
	ev.Data, ev.HasData = e.Data, e.Data != nil
	if u, ok := e.Data.(model.User); ok {
		if o.Path != "" {
			ev.Data = model.UserResponseOf(u)
		} else {
			ev.Data = model.UserInfoOf(u)
		}
	}
	return webhook.Payload(ev, hookID)
}
