package keys

import (
	"time"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// Normalize gives every key an explicit status. Rows written before staged rotation have none:
// like Logto's normalizeOidcPrivateKeys (schemas/src/utils/oidc-private-key.ts) the key at index
// 0 is Current and the key at index 1 is Previous; later status-less keys were never published
// by Logto either and are dropped. Keys that carry a status keep it. The input is not modified.
func Normalize(keys []model.PrivateKey) []model.PrivateKey {
	out := make([]model.PrivateKey, 0, len(keys))
	for i, k := range keys {
		if k.Status == "" {
			switch i {
			case 0:
				k.Status = model.KeyCurrent
			case 1:
				k.Status = model.KeyPrevious
			default:
				continue
			}
		}
		out = append(out, k)
	}
	return out
}

// Rotate installs fresh as the tenant's newest key and returns the new key list in Logto's
// canonical order (Next, Current, Previous).
//
// Immediate rotation (staged=false, grace period 0) makes fresh Current at once, demotes the
// old Current to Previous so tokens it signed still verify, and drops the old Previous and any
// staged Next (Logto refuses an immediate rotation while a Next exists; replacing it is the
// forgiving equivalent).
//
// Staged rotation (staged=true, grace period > 0) publishes fresh as Next: it is in the JWKS so
// relying parties cache it, but Current keeps signing until Promote (at signingKeyRotationAt).
// A Next staged earlier is replaced.
func Rotate(keys []model.PrivateKey, fresh model.PrivateKey, staged bool) []model.PrivateKey {
	current, _, previous := byStatus(Normalize(keys))
	if staged {
		fresh.Status = model.KeyNext
		return canonical(&fresh, current, previous)
	}
	fresh.Status = model.KeyCurrent
	if current != nil {
		current.Status = model.KeyPrevious
	}
	return canonical(nil, &fresh, current)
}

// Promote makes a staged Next key Current, the old Current Previous, and drops the old Previous
// (Logto's rotateOidcPrivateKeyStatuses). Without a Next key it returns Normalize(keys).
func Promote(keys []model.PrivateKey) []model.PrivateKey {
	normalized := Normalize(keys)
	current, next, _ := byStatus(normalized)
	if next == nil {
		return normalized
	}
	next.Status = model.KeyCurrent
	if current != nil {
		current.Status = model.KeyPrevious
	}
	return canonical(nil, next, current)
}

// ScheduleRotation returns the signingKeyRotationState for a staged rotation started at now
// with the given grace period. Logto stores signingKeyRotationAt in milliseconds
// (getRotationStateForStagedRotation: Date.now() + gracePeriod*1000).
func ScheduleRotation(now time.Time, grace time.Duration) model.SigningKeyRotationState {
	return model.SigningKeyRotationState{SigningKeyRotationAt: now.Add(grace).UnixMilli()}
}

// RotationTime returns when the staged Next key becomes Current, and false when nothing is
// scheduled.
func RotationTime(state model.SigningKeyRotationState) (time.Time, bool) {
	if state.SigningKeyRotationAt <= 0 {
		return time.Time{}, false
	}
	return time.UnixMilli(state.SigningKeyRotationAt), true
}

// byStatus returns copies of the first Current, Next and Previous keys (nil when absent).
func byStatus(keys []model.PrivateKey) (current, next, previous *model.PrivateKey) {
	for i := range keys {
		k := keys[i]
		switch k.Status {
		case model.KeyCurrent:
			if current == nil {
				current = &k
			}
		case model.KeyNext:
			if next == nil {
				next = &k
			}
		case model.KeyPrevious:
			if previous == nil {
				previous = &k
			}
		}
	}
	return current, next, previous
}

// canonical lists the non-nil keys in Logto's persisted order: Next, Current, Previous.
func canonical(next, current, previous *model.PrivateKey) []model.PrivateKey {
	out := make([]model.PrivateKey, 0, 3)
	for _, k := range []*model.PrivateKey{next, current, previous} {
		if k != nil {
			out = append(out, *k)
		}
	}
	return out
}
