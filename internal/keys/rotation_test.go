package keys

import (
	"reflect"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// row builds a stored key whose id names it; the value is irrelevant to status bookkeeping.
func row(id, status string) model.PrivateKey {
	return model.PrivateKey{ID: id, Value: "pem-" + id, CreatedAt: 1, Status: status}
}

// statuses renders keys as "id:Status" for compact comparisons.
func statuses(keys []model.PrivateKey) []string {
	out := []string{}
	for _, k := range keys {
		out = append(out, k.ID+":"+k.Status)
	}
	return out
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		in   []model.PrivateKey
		want []string
	}{
		{"legacy one key", []model.PrivateKey{row("a", "")}, []string{"a:Current"}},
		{"legacy two keys", []model.PrivateKey{row("a", ""), row("b", "")}, []string{"a:Current", "b:Previous"}},
		{"legacy three keys drops the rest", []model.PrivateKey{row("a", ""), row("b", ""), row("c", "")}, []string{"a:Current", "b:Previous"}},
		{"explicit statuses kept", []model.PrivateKey{row("n", "Next"), row("c", "Current"), row("p", "Previous")}, []string{"n:Next", "c:Current", "p:Previous"}},
		{"empty", nil, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]model.PrivateKey(nil), tt.in...)
			if got := statuses(Normalize(tt.in)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Normalize = %v, want %v", got, tt.want)
			}
			if !reflect.DeepEqual(in, tt.in) {
				t.Error("Normalize modified its input")
			}
		})
	}
}

func TestRotate(t *testing.T) {
	fresh := row("new", "")
	tests := []struct {
		name   string
		in     []model.PrivateKey
		staged bool
		want   []string
	}{
		{"immediate from one key", []model.PrivateKey{row("a", "Current")}, false, []string{"new:Current", "a:Previous"}},
		{"immediate drops old Previous", []model.PrivateKey{row("a", "Current"), row("b", "Previous")}, false, []string{"new:Current", "a:Previous"}},
		{"immediate drops a staged Next", []model.PrivateKey{row("n", "Next"), row("a", "Current"), row("b", "Previous")}, false, []string{"new:Current", "a:Previous"}},
		{"immediate from legacy rows", []model.PrivateKey{row("a", ""), row("b", "")}, false, []string{"new:Current", "a:Previous"}},
		{"staged keeps Current and Previous", []model.PrivateKey{row("a", "Current"), row("b", "Previous")}, true, []string{"new:Next", "a:Current", "b:Previous"}},
		{"staged replaces an older Next", []model.PrivateKey{row("n", "Next"), row("a", "Current")}, true, []string{"new:Next", "a:Current"}},
		{"staged from legacy rows", []model.PrivateKey{row("a", "")}, true, []string{"new:Next", "a:Current"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := statuses(Rotate(tt.in, fresh, tt.staged)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Rotate = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPromote(t *testing.T) {
	tests := []struct {
		name string
		in   []model.PrivateKey
		want []string
	}{
		{"Next becomes Current, old Previous dropped", []model.PrivateKey{row("n", "Next"), row("c", "Current"), row("p", "Previous")}, []string{"n:Current", "c:Previous"}},
		{"Next without Previous", []model.PrivateKey{row("n", "Next"), row("c", "Current")}, []string{"n:Current", "c:Previous"}},
		{"nothing staged", []model.PrivateKey{row("c", "Current"), row("p", "Previous")}, []string{"c:Current", "p:Previous"}},
		{"nothing staged, legacy", []model.PrivateKey{row("c", ""), row("p", "")}, []string{"c:Current", "p:Previous"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := statuses(Promote(tt.in)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Promote = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestScheduleRotationUsesLogtoMilliseconds(t *testing.T) {
	now := time.UnixMilli(1_760_000_000_123)
	state := ScheduleRotation(now, 90*time.Second)
	// Logto: signingKeyRotationAt = Date.now() + gracePeriod * 1000.
	if state.SigningKeyRotationAt != 1_760_000_000_123+90_000 {
		t.Errorf("signingKeyRotationAt = %d, want %d", state.SigningKeyRotationAt, 1_760_000_000_123+90_000)
	}
	at, ok := RotationTime(state)
	if !ok || !at.Equal(now.Add(90*time.Second)) {
		t.Errorf("RotationTime = %v, %v; want %v", at, ok, now.Add(90*time.Second))
	}
	if _, ok := RotationTime(model.SigningKeyRotationState{}); ok {
		t.Error("RotationTime reports a rotation for an empty state")
	}
}
