package service

// signInExperienceCache caches sign-in experiences per tenant (issue 3).
type signInExperienceCache struct{}
