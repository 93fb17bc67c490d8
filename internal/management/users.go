package management

// userRoutes are the /api/users routes (issue 3).
func (a *API) userRoutes() []route { return nil }
