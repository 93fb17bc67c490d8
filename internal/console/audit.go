package console

import "net/http"

// AuditLogs is what the console's audit-log and settings pages need.
type AuditLogs interface{}

func (c *Console) mountAudit(mux *http.ServeMux, cop *http.CrossOriginProtection) {}
