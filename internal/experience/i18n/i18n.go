package i18n

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/experience/policy"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// Page languages. The wording is our own, after the meaning of Logto's
// packages/phrases-experience (en, zh-cn).
const (
	langEnglish = "en"
	langChinese = "zh-CN"
)

// matchLanguage maps a BCP 47 tag to a page language, or "" when none fits. Only Simplified
// Chinese counts as zh-CN: a Traditional Chinese reader is better served by the next choice.
func matchLanguage(tag string) string {
	t := strings.ToLower(strings.TrimSpace(tag))
	switch {
	case t == "en" || strings.HasPrefix(t, "en-"):
		return langEnglish
	case t == "zh" || t == "zh-cn" || t == "zh-sg" || t == "zh-hans" || strings.HasPrefix(t, "zh-hans-"):
		return langChinese
	}
	return ""
}

// Choose picks the page language as Logto's experience does: the first supported tag of
// ui_locales (OIDC Core §3.1.2.1, space-separated, in order of preference), then — when the
// sign-in experience detects it — the browser's Accept-Language, then the configured fallback,
// then English.
func Choose(uiLocales, acceptLanguage string, info model.LanguageInfo) string {
	for _, tag := range strings.Fields(uiLocales) {
		if l := matchLanguage(tag); l != "" {
			return l
		}
	}
	if info.AutoDetect {
		for _, tag := range parseAcceptLanguage(acceptLanguage) {
			if l := matchLanguage(tag); l != "" {
				return l
			}
		}
	}
	if l := matchLanguage(info.FallbackLanguage); l != "" {
		return l
	}
	return langEnglish
}

// parseAcceptLanguage returns the tags of an Accept-Language header (RFC 9110 §12.5.4) by
// descending quality, dropping those with q=0; equal qualities keep their order.
func parseAcceptLanguage(header string) []string {
	type weighted struct {
		tag string
		q   float64
	}
	var tags []weighted
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.TrimSpace(tag)
		if tag == "" || tag == "*" {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			parsed, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || parsed < 0 || parsed > 1 {
				continue
			}
			q = parsed
		}
		if q > 0 {
			tags = append(tags, weighted{tag, q})
		}
	}
	sort.SliceStable(tags, func(i, j int) bool { return tags[i].q > tags[j].q })
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = t.tag
	}
	return out
}

// Messages is one language's page wording.
type Messages struct {
	lang string
	m    map[string]string
}

func For(lang string) Messages {
	if m, ok := catalog[lang]; ok {
		return Messages{lang: lang, m: m}
	}
	return Messages{lang: langEnglish, m: catalog[langEnglish]}
}

// T returns the wording of key with args filled in (fmt verbs); a key missing in the language
// falls back to English, and an unknown key shows itself so the gap is visible.
func (ms Messages) T(key string, args ...any) string {
	s, ok := ms.m[key]
	if !ok {
		if s, ok = catalog[langEnglish][key]; !ok {
			return key
		}
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// catalog holds every page string in each language; a test keeps the key sets equal.
var catalog = map[string]map[string]string{
	langEnglish: {
		"title.sign_in":             "Sign in",
		"title.register":            "Create account",
		"title.consent":             "Authorize",
		"title.error":               "Something went wrong",
		"sign_in.heading":           "Sign in to your account",
		"sign_in.subtitle":          "to continue to %s",
		"sign_in.no_account":        "No account yet?",
		"sign_in.no_method":         "No sign-in method is available here yet. Please contact the administrator of this application.",
		"register.heading":          "Create your account",
		"register.have_account":     "Already have an account?",
		"register.unavailable":      "Creating an account here is not possible yet: the sign-up settings need a verification code or a social connector, which this server does not offer yet. Please contact the administrator.",
		"input.username":            "Username",
		"input.email":               "Email",
		"input.phone":               "Phone number",
		"input.password":            "Password",
		"input.confirm_password":    "Confirm password",
		"input.or":                  "%s or %s",
		"input.password_hint":       "At least %d characters.",
		"action.sign_in":            "Sign in",
		"action.create_account":     "Create account",
		"action.authorize":          "Authorize",
		"action.cancel":             "Cancel",
		"action.start_again":        "Start again",
		"action.back_to_app":        "Back to %s",
		"action.continue":           "Continue",
		"action.back_to_sign_in":    "Back to sign in",
		"landing.heading":           "Sign-in server",
		"landing.text":              "This server signs people in to the apps that trust it, with OpenID Connect. There is nothing to do here: open one of those apps to sign in.",
		"landing.discovery":         "OpenID Connect discovery document:",
		"title.email_code":          "Sign in with an email code",
		"title.reset_password":      "Reset your password",
		"code.email_text":           "Enter your email address and we will send you a 6-digit code.",
		"code.sent":                 "We sent a 6-digit code to %s. It is valid for 10 minutes.",
		"input.code":                "Code",
		"input.new_password":        "New password",
		"action.send_code":          "Send code",
		"action.reset_password":     "Reset password",
		"sign_in.forgot_password":   "Forgot your password?",
		"sign_in.email_code":        "Sign in with an email code",
		"sign_in.reset_done":        "Your password was changed. Sign in with the new one.",
		"error.code_mismatch":       "That code is not right. Check the email and try again.",
		"error.code_expired":        "That code has expired. Ask for a new one.",
		"error.code_attempts":       "Too many wrong codes. Ask for a new one.",
		"error.no_account_email":    "There is no account with this email address.",
		"error.email_failed":        "The email could not be sent. Please try again later, or tell the site's administrator.",
		"social.or":                 "or",
		"social.continue_with":      "Continue with %s",
		"social.failed_heading":     "We could not sign you in",
		"social.denied":             "The sign-in was cancelled at %s. You can try again or choose another way to sign in.",
		"social.provider_failed":    "%s did not confirm who you are. Please try again; if it keeps failing, tell the site's administrator.",
		"social.expired":            "This sign-in with %s was already used or has expired. Start again from the sign-in page.",
		"social.unavailable":        "Sign-in with %s is not available right now. Please tell the site's administrator.",
		"social.no_account":         "No account is linked to this %s account, and this site does not accept new sign-ups. Sign in another way, or ask the administrator for an account.",
		"social.in_use":             "This %s account already belongs to another user. Sign in with it instead.",
		"social.missing_profile":    "Creating an account needs an email address that %s did not share or that another account already uses. Share a verified email with %[1]s, or ask the site's administrator.",
		"social.link_heading":       "You already have an account",
		"social.link_text":          "An account with the email %s already exists. To link your %s account to it, enter that account's password; from then on you can sign in with either.",
		"social.link_password":      "Password of the existing account",
		"social.link_unprovable":    "An account with the email %s already exists, but it has no password to prove it is yours. Create a separate account, or ask the administrator to link them.",
		"social.link_action":        "Link %s and continue",
		"social.new_action":         "Create a separate account",
		"social.username_heading":   "Choose a username",
		"social.username_text":      "One more step: choose the username of the account you are creating with %s.",
		"reset_password.heading":    "Password reset is not available",
		"reset_password.message":    "Resetting a password needs a code sent by email, and no email connector is set up. Please contact the administrator.",
		"single_sign_on.heading":    "Single sign-on is not available yet",
		"single_sign_on.message":    "Enterprise single sign-on is not offered by this server yet. Please sign in another way.",
		"terms.agree":               "I have read and agree to the",
		"terms.notice":              "By continuing, you agree to the",
		"terms.terms_of_use":        "Terms of use",
		"terms.privacy_policy":      "Privacy policy",
		"terms.and":                 "and",
		"consent.heading":           "%s wants to access your account",
		"consent.signed_in_as":      "Signed in as %s",
		"consent.user_data":         "Your information",
		"consent.apis":              "Access to APIs",
		"consent.redirect_note":     "Whatever you choose, you will be sent back to %s.",
		"consent.denied_heading":    "Access denied",
		"consent.denied_message":    "You did not authorize %s. Continue to return to the application.",
		"scope.openid":              "Your account identifier",
		"scope.profile":             "Your name, username, avatar and other profile information",
		"scope.email":               "Your email address",
		"scope.phone":               "Your phone number",
		"scope.address":             "Your address",
		"scope.custom_data":         "Your custom data",
		"scope.identities":          "Your linked social accounts",
		"scope.roles":               "Your roles",
		"scope.offline_access":      "Stay signed in to this application",
		"scope.organizations":       "Your organizations",
		"scope.organization_roles":  "Your organization roles",
		"unknown_session.heading":   "This sign-in has expired",
		"unknown_session.message":   "The sign-in session could not be found. It may have expired, or it was already used. Please start again from the application.",
		"support.email":             "Need help? Email %s",
		"support.website":           "Need help? Visit %s",
		"error.invalid_credentials": "Incorrect account or password. Please check your input.",
		"error.locked_one":          "Too many failed attempts. Please try again in 1 minute.",
		"error.locked_many":         "Too many failed attempts. Please try again in %d minutes.",
		"error.suspended":           "This account is suspended. Please contact the administrator.",
		"error.rate_limited":        "Too many requests. Please wait a moment and try again.",
		"error.method_not_enabled":  "This sign-in method is not enabled.",
		"error.signup_not_enabled":  "This way of creating an account is not enabled.",
		"error.forbidden":           "This is not allowed by the sign-in settings.",
		"error.username_in_use":     "This username is already in use.",
		"error.email_in_use":        "This email is associated with an existing account.",
		"error.invalid_email":       "Please enter a valid email address.",
		"error.email_unverified":    "This email address needs to be verified with a code, which is not available yet.",
		"error.username_invalid":    "Usernames may only contain letters, numbers and underscores, and cannot start with a number.",
		"error.username_too_short":  "This username is too short.",
		"error.username_too_long":   "This username is too long.",
		"error.username_case":       "This username uses letters that are not allowed.",
		"error.username_chars":      "This username uses characters that are not allowed.",
		"error.passwords_mismatch":  "The passwords do not match.",
		"error.password_required":   "Please enter a password.",
		"error.identifier_required": "Please enter your account.",
		"error.terms_required":      "Please agree to the terms to continue.",
		"error.csrf":                "This form has expired. Please try again.",
		"error.missing_profile":     "Please fill in every field.",
		"error.session":             "The sign-in session has expired. Please start again from the application.",
		"error.generic":             "Something went wrong. Please try again.",
		"error.internal":            "The server could not finish this request. Please try again later.",
		"error.unavailable":         "The server cannot reach its database right now. Please try again in a few seconds.",
		"error.cross_origin":        "This form was sent from another site and was refused.",
		"password.too_short":        "Use at least %d characters.",
		"password.too_long":         "Use at most %d characters.",
		"password.character_types":  "Use at least %d kinds of characters (lowercase and uppercase letters, digits, symbols).",
		"password.unsupported":      "The password contains characters that are not supported.",
		"password.repetition":       "Avoid repeating the same character.",
		"password.sequence":         "Avoid sequences such as 123 or abc.",
		"password.user_info":        "Avoid using your personal information.",
		"password.words":            "Avoid words that are easy to guess here.",
		"password.pwned":            "Avoid passwords that are easy to guess.",
	},
	langChinese: {
		"title.sign_in":             "登录",
		"title.register":            "创建账号",
		"title.consent":             "授权",
		"title.error":               "出现问题",
		"sign_in.heading":           "登录你的账号",
		"sign_in.subtitle":          "继续使用 %s",
		"sign_in.no_account":        "还没有账号？",
		"sign_in.no_method":         "这里暂时没有可用的登录方式，请联系该应用的管理员。",
		"register.heading":          "创建你的账号",
		"register.have_account":     "已经有账号？",
		"register.unavailable":      "暂时无法在这里创建账号：当前注册设置需要验证码或社交登录，本服务器尚未提供。请联系管理员。",
		"input.username":            "用户名",
		"input.email":               "邮箱",
		"input.phone":               "手机号",
		"input.password":            "密码",
		"input.confirm_password":    "确认密码",
		"input.or":                  "%s或%s",
		"input.password_hint":       "至少 %d 个字符。",
		"action.sign_in":            "登录",
		"action.create_account":     "创建账号",
		"action.authorize":          "授权",
		"action.cancel":             "取消",
		"action.start_again":        "重新开始",
		"action.back_to_app":        "返回 %s",
		"action.continue":           "继续",
		"action.back_to_sign_in":    "返回登录",
		"landing.heading":           "登录服务器",
		"landing.text":              "此服务器通过 OpenID Connect 为信任它的应用提供登录。这里无需操作：打开其中一个应用即可登录。",
		"landing.discovery":         "OpenID Connect 发现文档：",
		"title.email_code":          "通过邮箱验证码登录",
		"title.reset_password":      "重置密码",
		"code.email_text":           "输入你的邮箱地址，我们会发送一个 6 位验证码。",
		"code.sent":                 "验证码已发送至 %s，10 分钟内有效。",
		"input.code":                "验证码",
		"input.new_password":        "新密码",
		"action.send_code":          "发送验证码",
		"action.reset_password":     "重置密码",
		"sign_in.forgot_password":   "忘记密码？",
		"sign_in.email_code":        "通过邮箱验证码登录",
		"sign_in.reset_done":        "密码已修改，请使用新密码登录。",
		"error.code_mismatch":       "验证码不正确，请检查邮件后重试。",
		"error.code_expired":        "验证码已过期，请重新获取。",
		"error.code_attempts":       "错误次数过多，请重新获取验证码。",
		"error.no_account_email":    "没有使用此邮箱地址的账号。",
		"error.email_failed":        "邮件发送失败。请稍后重试，或联系网站管理员。",
		"social.or":                 "或",
		"social.continue_with":      "通过 %s 继续",
		"social.failed_heading":     "无法完成登录",
		"social.denied":             "你在 %s 取消了登录。可以重试，或选择其他登录方式。",
		"social.provider_failed":    "%s 未能确认你的身份。请重试；如果一直失败，请联系网站管理员。",
		"social.expired":            "这次通过 %s 的登录已被使用或已过期。请从登录页重新开始。",
		"social.unavailable":        "目前无法通过 %s 登录。请联系网站管理员。",
		"social.no_account":         "没有账号关联到这个 %s 账号，且本网站不开放注册。请用其他方式登录，或向管理员申请账号。",
		"social.in_use":             "这个 %s 账号已属于另一个用户。请直接用它登录。",
		"social.missing_profile":    "创建账号需要一个邮箱地址，但 %s 没有提供，或该邮箱已被其他账号使用。请在 %[1]s 公开已验证的邮箱，或联系网站管理员。",
		"social.link_heading":       "你已有账号",
		"social.link_text":          "邮箱为 %s 的账号已存在。要将你的 %s 账号关联到它，请输入该账号的密码；之后可用任一方式登录。",
		"social.link_password":      "已有账号的密码",
		"social.link_unprovable":    "邮箱为 %s 的账号已存在，但它没有可用于证明归属的密码。请创建一个新账号，或请管理员为你关联。",
		"social.link_action":        "关联 %s 并继续",
		"social.new_action":         "创建一个新账号",
		"social.username_heading":   "选择用户名",
		"social.username_text":      "还差一步：为你通过 %s 创建的账号选择用户名。",
		"reset_password.heading":    "无法重置密码",
		"reset_password.message":    "重置密码需要通过邮件发送验证码，但尚未配置邮件连接器。请联系管理员。",
		"single_sign_on.heading":    "暂不支持单点登录",
		"single_sign_on.message":    "本服务器暂未提供企业单点登录，请使用其他方式登录。",
		"terms.agree":               "我已阅读并同意",
		"terms.notice":              "继续即表示你同意",
		"terms.terms_of_use":        "使用条款",
		"terms.privacy_policy":      "隐私政策",
		"terms.and":                 "和",
		"consent.heading":           "%s 请求访问你的账号",
		"consent.signed_in_as":      "当前账号：%s",
		"consent.user_data":         "你的信息",
		"consent.apis":              "API 访问权限",
		"consent.redirect_note":     "无论你如何选择，都将返回 %s。",
		"consent.denied_heading":    "已拒绝授权",
		"consent.denied_message":    "你没有授权 %s。点击继续返回该应用。",
		"scope.openid":              "你的账号标识",
		"scope.profile":             "你的名称、用户名、头像和其他个人资料",
		"scope.email":               "你的邮箱地址",
		"scope.phone":               "你的手机号",
		"scope.address":             "你的地址",
		"scope.custom_data":         "你的自定义数据",
		"scope.identities":          "你绑定的社交账号",
		"scope.roles":               "你的角色",
		"scope.offline_access":      "保持登录此应用",
		"scope.organizations":       "你的组织",
		"scope.organization_roles":  "你的组织角色",
		"unknown_session.heading":   "本次登录已失效",
		"unknown_session.message":   "找不到这次登录会话，它可能已过期或已被使用。请回到应用重新开始。",
		"support.email":             "需要帮助？请发邮件至 %s",
		"support.website":           "需要帮助？请访问 %s",
		"error.invalid_credentials": "账号或密码错误，请检查后重试。",
		"error.locked_one":          "失败次数过多，请 1 分钟后再试。",
		"error.locked_many":         "失败次数过多，请 %d 分钟后再试。",
		"error.suspended":           "该账号已被停用，请联系管理员。",
		"error.rate_limited":        "请求过于频繁，请稍后再试。",
		"error.method_not_enabled":  "该登录方式未启用。",
		"error.signup_not_enabled":  "该注册方式未启用。",
		"error.forbidden":           "当前登录设置不允许此操作。",
		"error.username_in_use":     "该用户名已被使用。",
		"error.email_in_use":        "该邮箱已关联其他账号。",
		"error.invalid_email":       "请输入有效的邮箱地址。",
		"error.email_unverified":    "该邮箱需要通过验证码验证，目前尚不支持。",
		"error.username_invalid":    "用户名只能包含字母、数字和下划线，且不能以数字开头。",
		"error.username_too_short":  "用户名太短。",
		"error.username_too_long":   "用户名太长。",
		"error.username_case":       "用户名包含不允许的字母。",
		"error.username_chars":      "用户名包含不允许的字符。",
		"error.passwords_mismatch":  "两次输入的密码不一致。",
		"error.password_required":   "请输入密码。",
		"error.identifier_required": "请输入你的账号。",
		"error.terms_required":      "请先同意条款再继续。",
		"error.csrf":                "表单已失效，请重试。",
		"error.missing_profile":     "请填写所有字段。",
		"error.session":             "登录会话已失效，请回到应用重新开始。",
		"error.generic":             "出现问题，请重试。",
		"error.internal":            "服务器暂时无法完成此请求，请稍后再试。",
		"error.unavailable":         "服务器暂时无法连接数据库，请几秒后再试。",
		"error.cross_origin":        "该表单来自其他网站，已被拒绝。",
		"password.too_short":        "至少使用 %d 个字符。",
		"password.too_long":         "最多使用 %d 个字符。",
		"password.character_types":  "至少包含 %d 种字符（小写字母、大写字母、数字、符号）。",
		"password.unsupported":      "密码包含不支持的字符。",
		"password.repetition":       "避免重复同一个字符。",
		"password.sequence":         "避免使用 123、abc 这样的连续字符。",
		"password.user_info":        "避免使用你的个人信息。",
		"password.words":            "避免使用容易被猜到的词语。",
		"password.pwned":            "避免使用容易被猜到的密码。",
	},
}

// errorMessageKeys maps an engine error code to the catalog entry the page shows for it; codes
// not listed (and not worded from their data by errorMessage) show error.generic.
var errorMessageKeys = map[string]string{
	"session.invalid_credentials":          "error.invalid_credentials",
	"user.suspended":                       "error.suspended",
	"request.rate_limited":                 "error.rate_limited",
	"user.sign_in_method_not_enabled":      "error.method_not_enabled",
	"user.sign_up_method_not_enabled":      "error.signup_not_enabled",
	"auth.forbidden":                       "error.forbidden",
	"user.username_already_in_use":         "error.username_in_use",
	"user.email_already_in_use":            "error.email_in_use",
	"user.invalid_email":                   "error.invalid_email",
	"session.identifier_not_verified":      "error.email_unverified",
	"user.username_required":               "error.username_invalid",
	"user.username_starts_with_number":     "error.username_invalid",
	"user.username_invalid_charset_hard":   "error.username_invalid",
	"user.username_too_short":              "error.username_too_short",
	"user.username_too_long":               "error.username_too_long",
	"user.username_uppercase_not_allowed":  "error.username_case",
	"user.username_lowercase_not_allowed":  "error.username_case",
	"user.username_numbers_not_allowed":    "error.username_chars",
	"user.username_underscore_not_allowed": "error.username_chars",
	"user.missing_profile":                 "error.missing_profile",
	"session.csrf_token_mismatch":          "error.csrf",
	"session.not_found":                    "error.session",
	"session.interaction_not_found":        "error.session",
	"session.interaction_conflict":         "error.session",
	"verification_code.code_mismatch":      "error.code_mismatch",
	"verification_code.expired":            "error.code_expired",
	"verification_code.exceed_max_try":     "error.code_attempts",
	"user.user_not_exist":                  "error.no_account_email",
	"connector.general":                    "error.email_failed",
	"connector.not_found":                  "error.email_failed",
	"connector.invalid_config":             "error.email_failed",
}

// errorMessage turns an engine error code into the page's wording.
func (ms Messages) ErrorMessage(code string, data any) string {
	switch code {
	case "session.verification_blocked_too_many_attempts":
		return ms.lockedMessage(data)
	case "password.rejected":
		if issues, ok := data.([]policy.PasswordIssue); ok {
			return ms.passwordIssues(issues)
		}
	}
	if key, ok := errorMessageKeys[code]; ok {
		return ms.T(key)
	}
	return ms.T("error.generic")
}

// lockedMessage says how long a locked identifier waits, from experr.Locked's data.
func (ms Messages) lockedMessage(data any) string {
	minutes := 0
	if d, ok := data.(map[string]int); ok {
		minutes = d["retryAfterMinutes"]
	}
	if minutes <= 1 {
		return ms.T("error.locked_one")
	}
	return ms.T("error.locked_many", minutes)
}

// passwordIssueWording maps a password issue (its code after "password_rejected.") to its
// catalog entry and the interpolation the entry shows, if any.
var passwordIssueWording = map[string]struct{ key, arg string }{
	"too_short":              {"password.too_short", "min"},
	"too_long":               {"password.too_long", "max"},
	"character_types":        {"password.character_types", "min"},
	"unsupported_characters": {"password.unsupported", ""},
	"restricted.repetition":  {"password.repetition", ""},
	"restricted.sequence":    {"password.sequence", ""},
	"restricted.user_info":   {"password.user_info", ""},
	"restricted.words":       {"password.words", ""},
	"pwned":                  {"password.pwned", ""},
}

// passwordIssues words every issue of a rejected password in one sentence list.
func (ms Messages) passwordIssues(issues []policy.PasswordIssue) string {
	parts := make([]string, 0, len(issues))
	for _, is := range issues {
		wording, ok := passwordIssueWording[strings.TrimPrefix(is.Code, "password_rejected.")]
		if !ok {
			continue
		}
		var args []any
		if wording.arg != "" {
			args = append(args, is.Interpolation[wording.arg])
		}
		parts = append(parts, ms.T(wording.key, args...))
	}
	if len(parts) == 0 {
		return ms.T("error.generic")
	}
	sep := " "
	if ms.lang == langChinese {
		sep = ""
	}
	return strings.Join(parts, sep)
}

// scopeKeys maps the scopes a consent page describes to their wording (Logto's
// phrases-experience user-scopes descriptions).
var scopeKeys = map[string]string{
	"openid":                             "scope.openid",
	"profile":                            "scope.profile",
	"email":                              "scope.email",
	"phone":                              "scope.phone",
	"address":                            "scope.address",
	"custom_data":                        "scope.custom_data",
	"identities":                         "scope.identities",
	"roles":                              "scope.roles",
	"offline_access":                     "scope.offline_access",
	"urn:logto:scope:organizations":      "scope.organizations",
	"urn:logto:scope:organization_roles": "scope.organization_roles",
}

// ScopeKey is the catalog entry that describes scope on a consent page; false for a scope the
// page does not describe.
func ScopeKey(scope string) (string, bool) {
	key, ok := scopeKeys[scope]
	return key, ok
}
