// Package i18n is the hosted pages' wording in each page language, and the choice of that
// language from ui_locales, the browser and the sign-in experience.
package i18n
