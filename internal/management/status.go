package management

import "net/http"

func (a *API) statusRoutes() []route {
	return []route{
		// Logto's anonymous GET /api/status: 204, for health checks (core/routes/status.ts).
		{method: "GET", path: "/api/status", public: true, tag: "Status", summary: "Health check", status: 204,
			handle: func(w http.ResponseWriter, _ *http.Request) error { return noContent(w) }},
		// Logto serves its OpenAPI document without authentication (core/routes/swagger).
		{method: "GET", path: "/api/swagger.json", public: true, tag: "OpenAPI", summary: "Get Swagger JSON", status: 200,
			handle: a.swagger},
	}
}
