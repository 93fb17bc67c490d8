package management

import (
	"net/http"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/service/keyring"
)

type rotateBody struct {
	SigningKeyAlgorithm *string `json:"signingKeyAlgorithm"`
	// RotationGracePeriod (seconds) overrides PRIVATE_KEY_ROTATION_GRACE_PERIOD for this rotation.
	RotationGracePeriod *int64 `json:"rotationGracePeriod"`
}

func (a *API) configRoutes() []route {
	const tag = "Configs"
	return []route{
		{method: "GET", path: "/api/configs/oidc/{keyType}", tag: tag, summary: "Get OIDC keys", status: 200,
			response: []keyring.KeyInfo{}, handle: a.listKeys},
		{method: "POST", path: "/api/configs/oidc/{keyType}/rotate", tag: tag, summary: "Rotate OIDC keys", status: 200,
			body: rotateBody{}, response: []keyring.KeyInfo{}, handle: a.rotateKeys},
		{method: "DELETE", path: "/api/configs/oidc/{keyType}/{keyId}", tag: tag, summary: "Delete OIDC key", status: 204,
			handle: a.deleteKey},
	}
}

func (a *API) listKeys(w http.ResponseWriter, r *http.Request) error {
	list, err := a.svc.ListKeys(r.Context(), a.tenantID, r.PathValue("keyType"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list)
}

func (a *API) rotateKeys(w http.ResponseWriter, r *http.Request) error {
	var b rotateBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	alg := ""
	if b.SigningKeyAlgorithm != nil {
		// Logto's SupportedSigningKeyAlgorithm: exactly "EC" or "RSA".
		if *b.SigningKeyAlgorithm != "EC" && *b.SigningKeyAlgorithm != "RSA" {
			return invalidInput("body", "Error in key path \"signingKeyAlgorithm\": Expected 'RSA' | 'EC'.")
		}
		alg = *b.SigningKeyAlgorithm
	}
	var grace *time.Duration
	if b.RotationGracePeriod != nil {
		if *b.RotationGracePeriod < 0 || *b.RotationGracePeriod > 10*365*24*3600 {
			return invalidInput("body", "Error in key path \"rotationGracePeriod\": Expected a non-negative number of seconds.")
		}
		g := time.Duration(*b.RotationGracePeriod) * time.Second
		grace = &g
	}
	list, err := a.svc.RotateKeysWithGrace(r.Context(), a.tenantID, r.PathValue("keyType"), alg, grace)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list)
}

func (a *API) deleteKey(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.DeleteKey(r.Context(), a.tenantID, r.PathValue("keyType"), r.PathValue("keyId")); err != nil {
		return err
	}
	return noContent(w)
}
