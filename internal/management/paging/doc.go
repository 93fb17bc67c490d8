// Package paging is the Management API's pagination as Logto's koa-pagination does it: page
// and page_size, Total-Number and Link headers, and the search parameter.
package paging
