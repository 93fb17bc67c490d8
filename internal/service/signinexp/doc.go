// Package signinexp is the use-cases of the tenant's sign-in experience (Logto's
// /api/sign-in-exp): reading it through a per-tenant cache, and patching it under Logto's
// validation rules.
package signinexp
