// Package service holds Gatehouse's use-cases (create an application, assign roles, rotate keys,
// seed the tenants …): every write the Management API, console and CLI make goes through here,
// with its validation and Logto's error codes.
package service
