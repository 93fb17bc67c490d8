package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// object is a JSON object whose members keep the order they were added in: Logto builds its
// payloads by spreading objects, and receivers that log or diff them see that order.
type object []member

type member struct {
	name  string
	value any
}

func (o *object) add(name string, v any) { *o = append(*o, member{name, v}) }

// addString adds a string member unless it is empty (Logto omits undefined members).
func (o *object) addString(name, v string) {
	if v != "" {
		o.add(name, v)
	}
}

// MarshalJSON writes the members in order.
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := marshal(m.name)
		b.Write(name)
		b.WriteByte(':')
		v, err := marshal(m.value)
		if err != nil {
			return nil, fmt.Errorf("member %s: %w", m.name, err)
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal is json.Marshal without HTML escaping: Logto's JSON.stringify leaves &, < and >
// as they are, and a receiver that compares bodies or an avatar URL with "&" must see the
// same bytes from both servers.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Application is a payload's client as Logto picks it (id, type, name, description).
type Application struct {
	ID          string  `json:"id"`
	Type        string  `json:"type"`
	Name        string  `json:"name"`
	Description *string `json:"description"`
}

// ApplicationOf is app as payloads show it.
func ApplicationOf(app model.Application) *Application {
	return &Application{ID: app.ID, Type: string(app.Type), Name: app.Name, Description: app.Description}
}

// Event is what a payload tells about one event, before the hook it goes to is known.
type Event struct {
	Name      string
	CreatedAt time.Time
	// Origin is the request that caused it: a Management API route or an interaction.
	Origin      model.Origin
	Application *Application // the interaction's client, if any
	// User is an interaction event's user (model.UserInfo); UserID its id.
	User   any
	UserID string
	// Data is a data event's `data`, omitted when HasData is false (a 204 answer has no body).
	Data    any
	HasData bool
	// DataFirst puts data right after ip, as Logto's manually appended User.Deleted has it.
	DataFirst bool
}

// ISOTime is JavaScript's Date.toISOString, the form of Logto's payload createdAt.
func ISOTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Payload is the body sent to hookID for e, with Logto's members in Logto's order and hookId
// last (libraries/hook/index.ts: interaction payloads in triggerInteractionHooks, data payloads
// in buildWebhooks).
func Payload(e Event, hookID string) ([]byte, error) {
	var o object
	o.add("event", e.Name)
	switch {
	case IsInteractionEvent(e.Name):
		interactionMembers(&o, e)
	case e.Origin.Path != "":
		managementMembers(&o, e)
	default:
		interactionDataMembers(&o, e)
	}
	o.add("hookId", hookID)
	return o.MarshalJSON()
}

// interactionMembers: interactionEvent, createdAt, sessionId, userAgent, userId, userIp, user,
// application.
func interactionMembers(o *object, e Event) {
	o.addString("interactionEvent", e.Origin.InteractionEvent)
	o.add("createdAt", ISOTime(e.CreatedAt))
	o.addString("sessionId", e.Origin.SessionID)
	o.addString("userAgent", e.Origin.UserAgent)
	o.addString("userId", e.UserID)
	o.addString("userIp", e.Origin.IP)
	if e.User != nil {
		o.add("user", e.User)
	}
	if e.Application != nil {
		o.add("application", e.Application)
	}
}

// managementMembers: createdAt, userAgent, ip, then the route (path, method, status, params,
// matchedRoute) and data.
func managementMembers(o *object, e Event) {
	o.add("createdAt", ISOTime(e.CreatedAt))
	o.addString("userAgent", e.Origin.UserAgent)
	o.addString("ip", e.Origin.IP)
	if e.DataFirst && e.HasData {
		o.add("data", e.Data)
	}
	o.add("path", e.Origin.Path)
	o.add("method", e.Origin.Method)
	o.add("status", e.Origin.Status)
	params := object{}
	for _, p := range e.Origin.Params {
		params.add(p.Name, p.Value)
	}
	o.add("params", params)
	o.add("matchedRoute", e.Origin.MatchedRoute)
	if !e.DataFirst && e.HasData {
		o.add("data", e.Data)
	}
}

// interactionDataMembers is a data event an interaction caused (a registration creating a
// user): createdAt, userAgent, interactionEvent, sessionId, applicationId, ip, application, data.
// Without an origin (a CLI change) only createdAt and data remain.
func interactionDataMembers(o *object, e Event) {
	o.add("createdAt", ISOTime(e.CreatedAt))
	o.addString("userAgent", e.Origin.UserAgent)
	o.addString("interactionEvent", e.Origin.InteractionEvent)
	o.addString("sessionId", e.Origin.SessionID)
	o.addString("applicationId", e.Origin.ApplicationID)
	o.addString("ip", e.Origin.IP)
	if e.Application != nil {
		o.add("application", e.Application)
	}
	if e.HasData {
		o.add("data", e.Data)
	}
}

// TestPayload is Logto's test payload for event (libraries/hook/utils.ts
// generateHookTestPayload): a fake user and application for interaction events, a fake route
// and {result: success} for data and exception events.
func TestPayload(hookID, event string, now time.Time) []byte {
	var o object
	o.add("event", event)
	o.add("hookId", hookID)
	o.add("createdAt", ISOTime(now))
	o.add("userAgent", "fake-user-agent")
	if IsInteractionEvent(event) {
		o.add("sessionId", "fake-session-id")
		o.add("userIp", "fake-user-ip")
		o.add("userId", "fake-id")
		o.add("user", fakeUser(now))
		desc := "Fake application data for testing"
		o.add("application", Application{ID: "fake-spa-application-id", Type: "SPA", Name: "Fake Application", Description: &desc})
	} else {
		o.add("path", "/fake-path/:id")
		o.add("method", "POST")
		o.add("status", 200)
		o.add("params", object{{"id", "fake-id"}})
		o.add("data", object{{"result", "success"}})
	}
	b, _ := o.MarshalJSON() // only strings, numbers and fixed objects: always encodes
	return b
}

func fakeUser(now time.Time) object {
	ms := now.UnixMilli()
	return object{
		{"id", "fake-id"}, {"username", "fake-user"}, {"primaryEmail", "fake-user@fake-service.com"},
		{"primaryPhone", "1234567890"}, {"name", "Fake User"}, {"avatar", "https://fake-service.com/avatars/fake-user.png"},
		{"customData", object{{"theme", "light"}}},
		{"identities", object{{"google", object{{"userId", "fake-google-user-id"}}}}},
		{"profile", object{}}, {"applicationId", "fake-application-id"}, {"cimdClientId", nil}, {"isSuspended", false},
		{"lastSignInAt", ms}, {"createdAt", ms}, {"updatedAt", ms},
	}
}
