package console

import "net/http"

// Access is what the console's API-resource and role pages need.
type Access interface{}

func (c *Console) mountAccess(mux *http.ServeMux, cop *http.CrossOriginProtection) {}
