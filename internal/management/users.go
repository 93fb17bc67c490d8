package management

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/management/paging"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/users"
)

// userResponse is a user as Logto's Management API answers it (model.UserResponse).
type userResponse = model.UserResponse

func toUserResponse(u model.User) userResponse { return model.UserResponseOf(u) }

func toUserResponses(us []model.User) []userResponse {
	out := make([]userResponse, len(us))
	for i, u := range us {
		out[i] = toUserResponse(u)
	}
	return out
}

type userCreateBody struct {
	PrimaryPhone      *string            `json:"primaryPhone"`
	PrimaryEmail      *string            `json:"primaryEmail"`
	Username          *string            `json:"username"`
	Password          *string            `json:"password"`
	PasswordDigest    *string            `json:"passwordDigest"`
	PasswordAlgorithm *string            `json:"passwordAlgorithm"`
	Name              *string            `json:"name"`
	Avatar            nullable[string]   `json:"avatar"`
	CustomData        json.RawMessage    `json:"customData"`
	Profile           *model.UserProfile `json:"profile"`
}

type userPatchBody struct {
	Username     nullable[string]   `json:"username"`
	PrimaryEmail nullable[string]   `json:"primaryEmail"`
	PrimaryPhone nullable[string]   `json:"primaryPhone"`
	Name         nullable[string]   `json:"name"`
	Avatar       nullable[string]   `json:"avatar"`
	CustomData   json.RawMessage    `json:"customData"`
	Profile      *model.UserProfile `json:"profile"`
}

type passwordBody struct {
	Password *string `json:"password"`
}

type suspendBody struct {
	IsSuspended *bool `json:"isSuspended"`
}

type customDataBody struct {
	CustomData json.RawMessage `json:"customData"`
}

type profileBody struct {
	Profile *model.UserProfile `json:"profile"`
}

type userIDsBody struct {
	UserIDs []string `json:"userIds"`
}

type hasPasswordResponse struct {
	HasPassword bool `json:"hasPassword"`
}

// userSearchQuery documents Logto's search parameters (core/utils/search.ts).
func userSearchQuery() []queryParam {
	return []queryParam{
		{"search", "SQL LIKE pattern (% any run, _ one character, \\ escapes) matched against id, primaryEmail, primaryPhone, username and name."},
		{"search.<field>", "Pattern or value for one field: id, primaryEmail, primaryPhone, username or name (repeat for several exact values)."},
		{"mode.<field>", "like (default) or exact; `mode` alone sets the default for every field. similar_to and posix are not supported."},
		{"joint", "or (default) or and: how the search conditions combine."},
		{"isCaseSensitive", "true to compare case-sensitively (default false)."},
	}
}

// userRoutes are the /api/users routes and the users of a role (Logto's admin-user/*.ts and
// role.user.ts).
func (a *API) userRoutes() []route {
	const tag = "Users"
	return []route{
		{method: "GET", path: "/api/users", tag: tag, summary: "Get users", status: 200, paging: "always",
			query:    append([]queryParam{{"excludeRoleId", "Leave out users holding this role."}}, userSearchQuery()...),
			response: []userResponse{}, handle: a.listUsers},
		{method: "POST", path: "/api/users", tag: tag, summary: "Create user", status: 200,
			body: userCreateBody{}, response: userResponse{}, handle: a.createUser},
		{method: "GET", path: "/api/users/{userId}", tag: tag, summary: "Get user", status: 200,
			query:    []queryParam{{"includeSsoIdentities", "true to include ssoIdentities."}},
			response: userResponse{}, handle: a.getUser},
		{method: "PATCH", path: "/api/users/{userId}", tag: tag, summary: "Update user", status: 200,
			body: userPatchBody{}, response: userResponse{}, handle: a.updateUser},
		{method: "DELETE", path: "/api/users/{userId}", tag: tag, summary: "Delete user", status: 204,
			handle: a.deleteUser},
		{method: "PATCH", path: "/api/users/{userId}/password", tag: tag, summary: "Update user password", status: 200,
			body: passwordBody{}, response: userResponse{}, handle: a.setUserPassword},
		{method: "POST", path: "/api/users/{userId}/password/verify", tag: tag, summary: "Verify user password", status: 204,
			body: passwordBody{}, handle: a.verifyUserPassword},
		{method: "GET", path: "/api/users/{userId}/has-password", tag: tag, summary: "Check if user has password", status: 200,
			response: hasPasswordResponse{}, handle: a.userHasPassword},
		{method: "PATCH", path: "/api/users/{userId}/is-suspended", tag: tag, summary: "Update user suspension status", status: 200,
			body: suspendBody{}, response: userResponse{}, handle: a.setUserSuspended},
		{method: "GET", path: "/api/users/{userId}/custom-data", tag: tag, summary: "Get user custom data", status: 200,
			response: json.RawMessage{}, handle: a.getUserCustomData},
		{method: "PATCH", path: "/api/users/{userId}/custom-data", tag: tag, summary: "Update user custom data", status: 200,
			body: customDataBody{}, response: json.RawMessage{}, handle: a.patchUserCustomData},
		{method: "PATCH", path: "/api/users/{userId}/profile", tag: tag, summary: "Update user profile", status: 200,
			body: profileBody{}, response: model.UserProfile{}, handle: a.patchUserProfile},
		{method: "GET", path: "/api/users/{userId}/roles", tag: tag, summary: "Get roles for user", status: 200, paging: "always",
			query:    []queryParam{{"search", "Substring of id, name or description."}},
			response: []model.Role{}, handle: a.listUserRoles},
		{method: "POST", path: "/api/users/{userId}/roles", tag: tag, summary: "Assign roles to user", status: 201,
			body: roleIDsBody{}, response: users.UserRoleAssignment{}, handle: a.assignUserRoles},
		{method: "PUT", path: "/api/users/{userId}/roles", tag: tag, summary: "Update roles for user", status: 200,
			body: roleIDsBody{}, response: roleIDsBody{}, handle: a.replaceUserRoles},
		{method: "DELETE", path: "/api/users/{userId}/roles/{roleId}", tag: tag, summary: "Remove role from user", status: 204,
			handle: a.removeUserRole},

		{method: "GET", path: "/api/roles/{id}/users", tag: "Roles", summary: "Get role users", status: 200, paging: "always",
			query: userSearchQuery(), response: []userResponse{}, handle: a.listRoleUsers},
		{method: "POST", path: "/api/roles/{id}/users", tag: "Roles", summary: "Assign role to users", status: 201,
			body: userIDsBody{}, handle: a.addRoleUsers},
		{method: "DELETE", path: "/api/roles/{id}/users/{userId}", tag: "Roles", summary: "Remove role from user", status: 204,
			handle: a.removeRoleUser},
	}
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request) error {
	p, err := paging.Parse(r, false)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	search, err := parseUserSearch(q)
	if err != nil {
		return err
	}
	f := model.UserFilter{Search: search, ExcludeRoleID: q.Get("excludeRoleId")}
	if f.ExcludeRoleID != "" && q.Get("excludeOrganizationId") != "" {
		return apperr.New(http.StatusBadRequest, "request.invalid_input",
			"Input is invalid. Parameter `excludeRoleId` and `excludeOrganizationId` cannot be used at the same time.")
	}
	// excludeOrganizationId needs no filtering: Gatehouse has no organizations, so no user is in one.
	users, total, err := a.svc.ListUsers(r.Context(), a.tenantID, f, p.Store())
	if err != nil {
		return err
	}
	paging.SetHeaders(w, r, p, total)
	return writeJSON(w, http.StatusOK, toUserResponses(users))
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request) error {
	var b userCreateBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if b.Password != nil && *b.Password == "" {
		return invalidInput("body", "Error in key path \"password\": String must contain at least 1 character(s).")
	}
	in := users.CreateUserInput{
		Username: b.Username, PrimaryEmail: b.PrimaryEmail, PrimaryPhone: b.PrimaryPhone, Name: b.Name,
		Password: model.StringOf(b.Password), PasswordDigest: model.StringOf(b.PasswordDigest),
		PasswordAlgorithm: model.StringOf(b.PasswordAlgorithm), Profile: b.Profile, CustomData: b.CustomData,
	}
	if b.Avatar.Set {
		in.Avatar = b.Avatar.ptr()
	}
	u, err := a.svc.CreateUser(r.Context(), a.tenantID, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toUserResponse(u))
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request) error {
	u, err := a.svc.GetUser(r.Context(), a.tenantID, r.PathValue("userId"))
	if err != nil {
		return err
	}
	resp := toUserResponse(u)
	if yes(r.URL.Query().Get("includeSsoIdentities")) {
		resp.SsoIdentities = &[]json.RawMessage{}
	}
	return writeJSON(w, http.StatusOK, resp)
}

func (a *API) updateUser(w http.ResponseWriter, r *http.Request) error {
	var b userPatchBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	u, err := a.svc.UpdateUser(r.Context(), a.tenantID, r.PathValue("userId"), users.UserPatch{
		Username: b.Username.patch(), PrimaryEmail: b.PrimaryEmail.patch(), PrimaryPhone: b.PrimaryPhone.patch(),
		Name: b.Name.patch(), Avatar: b.Avatar.patch(), CustomData: b.CustomData, Profile: b.Profile,
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toUserResponse(u))
}

func (a *API) deleteUser(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.DeleteUser(r.Context(), a.tenantID, r.PathValue("userId")); err != nil {
		return err
	}
	return noContent(w)
}

// decodePassword reads {password: non-empty string}.
func decodePassword(r *http.Request) (string, error) {
	var b passwordBody
	if err := decodeBody(r, &b); err != nil {
		return "", err
	}
	if b.Password == nil {
		return "", errRequired("password")
	}
	if *b.Password == "" {
		return "", invalidInput("body", "Error in key path \"password\": String must contain at least 1 character(s).")
	}
	return *b.Password, nil
}

func (a *API) setUserPassword(w http.ResponseWriter, r *http.Request) error {
	pw, err := decodePassword(r)
	if err != nil {
		return err
	}
	u, err := a.svc.SetUserPassword(r.Context(), a.tenantID, r.PathValue("userId"), pw)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toUserResponse(u))
}

func (a *API) verifyUserPassword(w http.ResponseWriter, r *http.Request) error {
	pw, err := decodePassword(r)
	if err != nil {
		return err
	}
	if err := a.svc.CheckUserPassword(r.Context(), a.tenantID, r.PathValue("userId"), pw); err != nil {
		return err
	}
	return noContent(w)
}

func (a *API) userHasPassword(w http.ResponseWriter, r *http.Request) error {
	u, err := a.svc.GetUser(r.Context(), a.tenantID, r.PathValue("userId"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, hasPasswordResponse{HasPassword: u.HasPassword()})
}

func (a *API) setUserSuspended(w http.ResponseWriter, r *http.Request) error {
	var b suspendBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if b.IsSuspended == nil {
		return errRequired("isSuspended")
	}
	u, err := a.svc.SetUserSuspended(r.Context(), a.tenantID, r.PathValue("userId"), *b.IsSuspended)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toUserResponse(u))
}

func (a *API) getUserCustomData(w http.ResponseWriter, r *http.Request) error {
	data, err := a.svc.UserCustomData(r.Context(), a.tenantID, r.PathValue("userId"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, model.ObjectOrEmpty(data))
}

func (a *API) patchUserCustomData(w http.ResponseWriter, r *http.Request) error {
	var b customDataBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if b.CustomData == nil {
		return errRequired("customData")
	}
	data, err := a.svc.PatchUserCustomData(r.Context(), a.tenantID, r.PathValue("userId"), b.CustomData)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, model.ObjectOrEmpty(data))
}

func (a *API) patchUserProfile(w http.ResponseWriter, r *http.Request) error {
	var b profileBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if b.Profile == nil {
		return errRequired("profile")
	}
	profile, err := a.svc.PatchUserProfile(r.Context(), a.tenantID, r.PathValue("userId"), *b.Profile)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, profile)
}

func (a *API) listUserRoles(w http.ResponseWriter, r *http.Request) error {
	p, err := paging.Parse(r, false)
	if err != nil {
		return err
	}
	roles, total, err := a.svc.UserRoles(r.Context(), a.tenantID, r.PathValue("userId"), paging.Search(r), p.Store())
	if err != nil {
		return err
	}
	paging.SetHeaders(w, r, p, total)
	return writeJSON(w, http.StatusOK, roles)
}

func (a *API) assignUserRoles(w http.ResponseWriter, r *http.Request) error {
	ids, err := decodeRoleIDs(r)
	if err != nil {
		return err
	}
	out, err := a.svc.AssignUserRoles(r.Context(), a.tenantID, r.PathValue("userId"), ids)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

func (a *API) replaceUserRoles(w http.ResponseWriter, r *http.Request) error {
	ids, err := decodeRoleIDs(r)
	if err != nil {
		return err
	}
	kept, err := a.svc.ReplaceUserRoles(r.Context(), a.tenantID, r.PathValue("userId"), ids)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, roleIDsBody{RoleIDs: kept})
}

func (a *API) removeUserRole(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.RemoveUserRole(r.Context(), a.tenantID, r.PathValue("userId"), r.PathValue("roleId")); err != nil {
		return err
	}
	return noContent(w)
}

func (a *API) listRoleUsers(w http.ResponseWriter, r *http.Request) error {
	p, err := paging.Parse(r, false)
	if err != nil {
		return err
	}
	search, err := parseUserSearch(r.URL.Query())
	if err != nil {
		return err
	}
	users, total, err := a.svc.RoleUsers(r.Context(), a.tenantID, r.PathValue("id"), search, p.Store())
	if err != nil {
		return err
	}
	paging.SetHeaders(w, r, p, total)
	return writeJSON(w, http.StatusOK, toUserResponses(users))
}

func (a *API) addRoleUsers(w http.ResponseWriter, r *http.Request) error {
	var b userIDsBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if len(b.UserIDs) == 0 {
		return errEmptyArray("userIds")
	}
	if err := nonEmptyIDs("userIds", b.UserIDs); err != nil {
		return err
	}
	if err := a.svc.AddRoleUsers(r.Context(), a.tenantID, r.PathValue("id"), b.UserIDs); err != nil {
		return err
	}
	w.WriteHeader(http.StatusCreated)
	return nil
}

func (a *API) removeRoleUser(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.RemoveRoleUser(r.Context(), a.tenantID, r.PathValue("id"), r.PathValue("userId")); err != nil {
		return err
	}
	return noContent(w)
}

// yes reads a boolean query flag the way Logto's `yes()` (@silverhand/essentials) does.
func yes(v string) bool {
	switch strings.ToLower(v) {
	case "1", "true", "y", "yes", "yep", "yeah":
		return true
	}
	return false
}

// searchError is Logto's answer to a search it cannot run: 400 request.invalid_input with the
// reason (routes/admin-user/search.ts turns the parser's TypeError into it).
func searchError(format string, args ...any) *apperr.Error {
	return apperr.New(http.StatusBadRequest, "request.invalid_input", "Input is invalid. "+format, args...)
}

// userSearchField maps the field of `search.<field>` or `mode.<field>`, in camelCase or
// snake_case (Logto snake-cases it), to the store's field.
func userSearchField(key, prefix string) (model.UserSearchField, bool, error) {
	if key == prefix {
		return "", true, nil
	}
	rest, ok := strings.CutPrefix(key, prefix+".")
	if !ok {
		return "", false, nil
	}
	if strings.Contains(rest, ".") {
		return "", false, searchError("Unsupported nested search field path `%s` detected. Only the first level field is supported.", rest)
	}
	switch rest {
	case "id":
		return model.UserFieldID, true, nil
	case "username":
		return model.UserFieldUsername, true, nil
	case "primaryEmail", "primary_email":
		return model.UserFieldEmail, true, nil
	case "primaryPhone", "primary_phone":
		return model.UserFieldPhone, true, nil
	case "name":
		return model.UserFieldName, true, nil
	}
	return "", false, searchError("Search field `%s` is not valid, expect one of id, primary_email, primary_phone, username, name.", rest)
}

// parseUserSearch reads Logto's search parameters (core/utils/search.ts
// parseSearchParamsForSearch): `search` and `search.<field>` values, `mode` and `mode.<field>`
// (like or exact), `joint` (or `jointMode`) and `isCaseSensitive`. Logto's PostgreSQL-only modes
// similar_to and posix are refused with a clear message. The joint mode is checked first, then
// every mode, then every search value, each in key order.
func parseUserSearch(q url.Values) (model.UserSearch, error) {
	s := model.UserSearch{CaseSensitive: yes(q.Get("isCaseSensitive"))}
	all, err := parseSearchJoint(q)
	if err != nil {
		return s, err
	}
	s.All = all
	keys := slices.Sorted(maps.Keys(q)) // a stable order, so the same query always reports the same error
	modes, err := parseSearchModes(q, keys)
	if err != nil {
		return s, err
	}
	s.Matches, err = parseSearchMatches(q, keys, modes)
	return s, err
}

// parseSearchJoint reads `joint` (or `jointMode`): whether every match must hold (and) or any
// (or, the default).
func parseSearchJoint(q url.Values) (bool, error) {
	joint := q.Get("joint")
	if joint == "" {
		joint = q.Get("jointMode")
	}
	switch joint {
	case "", "or":
		return false, nil
	case "and":
		return true, nil
	}
	return false, searchError("Search joint mode `%s` is not valid, expect one of or, and.", joint)
}

// parseSearchModes reads `mode` and `mode.<field>`: the match mode of every field ("" for the
// default of all).
func parseSearchModes(q url.Values, keys []string) (map[model.UserSearchField]model.UserMatchMode, error) {
	modes := map[model.UserSearchField]model.UserMatchMode{}
	for _, k := range keys {
		field, ok, err := userSearchField(k, "mode")
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		switch v := q.Get(k); v {
		case string(model.UserMatchLike), string(model.UserMatchExact):
			modes[field] = model.UserMatchMode(v)
		case "similar_to", "posix":
			return nil, searchError("Search match mode `%s` is not supported by Gatehouse; use like or exact.", v)
		default:
			return nil, searchError("Search match mode `%s` is not valid, expect one of like, exact.", v)
		}
	}
	return modes, nil
}

// parseSearchMatches reads `search` and `search.<field>`: one match per field, in the field's
// mode (else the default mode, else like).
func parseSearchMatches(q url.Values, keys []string, modes map[model.UserSearchField]model.UserMatchMode) ([]model.UserMatch, error) {
	var matches []model.UserMatch
	for _, k := range keys {
		field, ok, err := userSearchField(k, "search")
		if err != nil {
			return matches, err
		}
		if !ok {
			continue
		}
		mode, set := modes[field]
		if !set {
			if mode, set = modes[""]; !set {
				mode = model.UserMatchLike
			}
		}
		if err := checkSearchValues(mode, q[k]); err != nil {
			return matches, err
		}
		matches = append(matches, model.UserMatch{Field: field, Mode: mode, Values: q[k]})
	}
	return matches, nil
}

// checkSearchValues refuses several values outside exact mode, and empty or non-text values.
func checkSearchValues(mode model.UserMatchMode, values []string) error {
	if mode != model.UserMatchExact && len(values) != 1 {
		return searchError("Only one search value is allowed when search mode is not `exact`.")
	}
	for _, v := range values {
		if v == "" {
			return searchError("Search value cannot be empty.")
		}
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			return searchError("Search values must be UTF-8 text without NUL characters.")
		}
	}
	return nil
}
