// Package smtp is the SMTP email connector (Logto's factory `simple-mail-transfer-protocol`):
// Logto's config, templates per usage type, and delivery through a maintained SMTP client.
package smtp
