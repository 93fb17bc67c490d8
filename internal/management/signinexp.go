package management

// signInExperienceRoutes are the /api/sign-in-exp routes (issue 3).
func (a *API) signInExperienceRoutes() []route { return nil }
