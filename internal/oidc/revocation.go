package oidc

import (
	"net/http"

	"github.com/gatehouse-id/gatehouse/internal/model"

	"github.com/gatehouse-id/gatehouse/internal/oidc/oautherr"
)

// serveRevocation is POST /oidc/token/revocation (RFC 7009). Revoking an opaque access token or a
// refresh token revokes its whole grant, every token issued under it included (§2.1 allows it,
// and oidc-provider 9 does it for both kinds). Unknown tokens, and another client's tokens
// presented by a public client, get the same empty 200 (§2.2), so revocation cannot be used to
// test whether a token exists; a confidential client presenting another client's token is told it
// may not.
func (p *Provider) serveRevocation(w http.ResponseWriter, r *http.Request) {
	client, token, hint, ok := p.tokenEndpointRequest(w, r, "revoked", "revocation")
	if !ok {
		return
	}
	ctx := r.Context()
	found, err := p.findToken(ctx, token, hint)
	if err != nil {
		p.auth.WriteError(w, r, err)
		return
	}
	if found.kind != "" && found.clientID != client.ID {
		if client.Type.Confidential() {
			p.auth.WriteError(w, r, oautherr.BadRequest("client is not authorized to revoke the presented token"))
			return
		}
		found.kind = "" // a public client: answer as if unknown
	}
	if found.kind != "" {
		if err := p.opts.Service.RevokeGrant(ctx, p.opts.TenantID, found.grantID); err != nil {
			p.auth.WriteError(w, r, err)
			return
		}
		p.auditRevocation(r, client.ID, found)
	}
	w.WriteHeader(http.StatusOK)
}

// auditRevocation records Logto's RevokeToken entry (event-listeners/grant.ts
// grantRevocationListener): the client, the account and the grant revoked, never the token.
func (p *Provider) auditRevocation(r *http.Request, clientID string, found foundToken) {
	if p.opts.Audit == nil {
		return
	}
	p.opts.Audit.Record(r.Context(), p.opts.TenantID, model.AuditEntry{Key: "RevokeToken", ApplicationID: clientID,
		UserID: found.accountID, Params: map[string]any{"grantId": found.grantID, "tokenType": found.kind}})
}
