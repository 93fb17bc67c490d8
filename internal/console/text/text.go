package text

import (
	"fmt"

	"github.com/gatehouse-id/gatehouse/internal/experience/i18n"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// The console's languages: the hosted pages' (English and Simplified Chinese).
const (
	langEnglish = "en"
	langChinese = "zh-CN"
)

// English is the language a request without a supported one gets.
const English = langEnglish

// Catalog is every console string, by language and key.
type Catalog map[string]map[string]string

// Messages is one language's console wording: the console's own strings, then the hosted
// pages' (field labels, error codes), then English.
type Messages struct {
	own  map[string]string
	page i18n.Messages
}

// For returns the language and wording for a request's Accept-Language.
func (c Catalog) For(acceptLanguage string) (string, Messages) {
	lang := i18n.Choose("", acceptLanguage, model.LanguageInfo{AutoDetect: true, FallbackLanguage: langEnglish})
	own, ok := c[lang]
	if !ok {
		own = c[langEnglish]
	}
	return lang, Messages{own: own, page: i18n.For(lang)}
}

// T returns key's wording with args filled in (fmt verbs); an unknown key shows itself.
func (m Messages) T(key string, args ...any) string {
	s, ok := m.own[key]
	if !ok {
		return m.page.T(key, args...)
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// ErrorMessage words a refusal by its Logto code, as the hosted pages do.
func (m Messages) ErrorMessage(code string, data any) string { return m.page.ErrorMessage(code, data) }

// All returns key's wording in every language, for values a page writes in the admin's
// language and reads back whatever language the next request asks for.
func (c Catalog) All(key string) []string {
	out := make([]string, 0, len(c))
	for _, own := range c {
		if s, ok := own[key]; ok {
			out = append(out, s)
		}
	}
	return out
}

// NewCatalog merges every area's strings.
func NewCatalog() Catalog {
	out := Catalog{}
	for _, area := range []map[string]map[string]string{baseText, appsText, connectorsText, webhooksText, usersText, accessText, auditText} {
		for lang, m := range area {
			if out[lang] == nil {
				out[lang] = map[string]string{}
			}
			for k, v := range m {
				out[lang][k] = v
			}
		}
	}
	return out
}

// Console wording, in our own words. Each page area keeps its strings in a file of its own;
// NewCatalog merges them, and a test keeps every language's key set equal.

var baseText = map[string]map[string]string{
	langEnglish: {
		"console.sie_code_email":         "Email and a one-time code (needs the email connector)",
		"console.sie_signup_heading":     "Creating an account",
		"console.sie_signup_with":        "Who may create an account here",
		"console.sie_signup_none":        "Nobody (only through the social buttons, or accounts you create)",
		"console.sie_signup_username":    "Anyone, with a username and password",
		"console.sie_signup_email":       "Anyone, with an email address confirmed by a code",
		"console.sie_signup_password":    "Ask for a password when the account is created by email",
		"console.menu":                   "Console",
		"console.pages":                  "Pages",
		"console.prev":                   "← Newer",
		"console.next":                   "Older →",
		"console.page_of":                "Page %d of %d",
		"console.sie_logo_file":          "…or upload an image",
		"console.sie_logo_help":          "PNG, JPEG, GIF, WebP or SVG up to 256 KiB; an upload is stored in the sign-in experience itself and wins over the URL.",
		"console.sie_bad_upload":         "Upload a PNG, JPEG, GIF, WebP or SVG image of at most 256 KiB.",
		"console.sie_languages":          "Languages",
		"console.sie_auto_detect":        "Follow the browser's language when the page has it",
		"console.sie_fallback":           "Otherwise show",
		"console.sie_terms":              "Terms",
		"console.sie_terms_url":          "Terms of use URL",
		"console.sie_privacy_url":        "Privacy policy URL",
		"console.sie_agree":              "Agreement",
		"console.sie_agree_automatic":    "Signing in means agreeing (links shown, no checkbox)",
		"console.sie_agree_registration": "A checkbox when creating an account",
		"console.sie_agree_manual":       "A checkbox at every sign-in and registration",
		"console.sie_preview":            "Preview",
		"console.sie_preview_button":     "Preview changes",
		"console.sie_preview_help":       "The real sign-in page with these settings; it follows the form as you edit (with JavaScript) or when you press Preview changes. Nothing is saved until you press Save.",
		"console.preview_app":            "Your app",
		"console.form_has_errors":        "Some fields need attention; see the messages next to them.",
		"console.skip_to_content":        "Skip to content",
		"console.resources_heading":      "API resources",
		"console.roles_heading":          "Roles",
		"console.audit_heading":          "Audit logs",
		"console.settings_heading":       "Settings",
		"console.saved":                  "Saved.",
		"console.deleted":                "Deleted.",
		"console.confirm_delete":         "I understand this cannot be undone",
		"console.delete":                 "Delete",
		"console.save":                   "Save",
		"console.danger_zone":            "Danger zone",
		"console.users_heading":          "Users",
		"console.users_search":           "Search",
		"console.users_search_action":    "Search",
		"console.users_count":            "Users found: %d",
		"console.user_suspended":         "suspended",
		"console.user_create":            "Create a user",
		"console.hooks_heading":          "Webhooks",
		"console.hooks_none":             "No webhook yet.",
		"console.hook_create":            "Create a webhook",
		"console.hook_url":               "Endpoint URL",
		"console.hook_events":            "Events",
		"console.hook_key":               "Signing key (the receiver checks logto-signature-sha-256 with it):",
		"console.sie_heading":            "Sign-in experience",
		"console.sie_saved":              "Saved. The sign-in page shows it now.",
		"console.sie_methods":            "Sign in with a password",
		"console.sie_pw_username":        "Username and password",
		"console.sie_pw_email":           "Email and password",
		"console.sie_social":             "Social sign-in buttons",
		"console.sie_no_social":          "No social connector yet: add one under Connectors.",
		"console.sie_social_only":        "With no password method and no account creation checked, the page shows only the social buttons (social-only).",
		"console.sie_branding":           "Branding",
		"console.sie_logo":               "Logo URL",
		"console.sie_dark_logo":          "Logo URL in dark mode",
		"console.sie_primary":            "Primary colour",
		"console.sie_dark":               "Offer dark mode",
		"console.sie_dark_primary":       "Primary colour in dark mode",
		"console.sie_css":                "Custom CSS",
		"console.sie_save":               "Save",
		"console.conns_heading":          "Connectors",
		"console.conns_none":             "No connector yet.",
		"console.conn_callback":          "Callback URL to register at the provider:",
		"console.conn_oauth2":            "Generic OAuth 2.0 (a community's server, such as LINUX DO)",
		"console.conn_oauth2_text":       "Register an OAuth app at the provider first; after adding it here, give the provider the callback URL shown in the list above.",
		"console.conn_target":            "Target (short name, such as linuxdo)",
		"console.conn_name":              "Button name",
		"console.conn_auth_ep":           "Authorization endpoint",
		"console.conn_token_ep":          "Token endpoint",
		"console.conn_user_ep":           "User info endpoint",
		"console.conn_scope":             "Scope",
		"console.conn_response":          "Token response type",
		"console.conn_profile_map":       "Profile map (JSON, optional)",
		"console.conn_add":               "Add the connector",
		"console.conn_bad_map":           "The profile map is not valid JSON.",
		"console.apps_heading":           "Applications",
		"console.apps_none":              "No application yet.",
		"console.app_create":             "Create an application",
		"console.app_name":               "Name",
		"console.app_type":               "Type",
		"console.type_traditional":       "Traditional web app (LibreChat, Open WebUI, LobeChat)",
		"console.type_spa":               "Single-page app",
		"console.type_native":            "Native app",
		"console.type_m2m":               "Machine-to-machine",
		"console.app_redirect":           "Redirect URI (optional)",
		"console.app_issuer":             "Issuer",
		"console.app_client_id":          "Client ID",
		"console.app_client_secret":      "Client secret",
		"console.app_redirects":          "Redirect URIs",
		"console.paste_heading":          "Ready to paste",
		"console.paste_text":             "Settings for the apps the guides connect, filled in with this application's values. Register each app's callback URL as a redirect URI.",
		"console.paste_generic":          "Any OpenID Connect client",
		"console.apps_back":              "All applications",
		"console.app_not_found":          "There is no such application.",
		"console.signed_in_as":           "Signed in as %s.",
		"console.sign_out":               "Sign out",
		"console.welcome_heading":        "Welcome to Gatehouse",
		"console.welcome_text":           "Create the administrator account. Only the first visitor can do this; afterwards the console asks for this account's password.",
		"console.create_admin":           "Create the administrator",
		"console.get_started":            "Get started",
		"console.get_started_text":       "The steps of a first set-up (seed guide A); each is ticked when done.",
		"console.step_app":               "Create an application for your app (LibreChat, Open WebUI, LobeChat…)",
		"console.step_app_how":           "Applications, above: create one and paste the ready-made settings into the app.",
		"console.step_connector":         "Add a social connector",
		"console.step_connector_how":     "Connectors, above: a community OAuth 2.0 server or GitHub; register the callback URL shown there at the provider.",
		"console.step_social_only":       "Make the sign-in page social-only",
		"console.step_social_only_how":   "Sign-in experience, above: untick the password methods and account creation, tick the social buttons, set the logo, colours and CSS.",
		"console.step_webhook":           "Subscribe a webhook (LobeChat: User.Data.Updated)",
		"console.step_webhook_how":       "Webhooks, above: LobeChat's endpoint is https://<lobe>/api/webhooks/logto, with User.Data.Updated; see docs/lobechat.md.",
		"console.try_again":              "Back to the console",
		"console.sign_in_failed":         "The sign-in to the console did not complete. Try again from the console.",
	},
	langChinese: {
		"console.sie_code_email":         "邮箱和一次性验证码（需要邮件连接器）",
		"console.sie_signup_heading":     "创建账号",
		"console.sie_signup_with":        "谁可以在这里创建账号",
		"console.sie_signup_none":        "任何人都不行（只能通过社交按钮，或由你创建）",
		"console.sie_signup_username":    "任何人，使用用户名和密码",
		"console.sie_signup_email":       "任何人，使用经验证码确认的邮箱",
		"console.sie_signup_password":    "用邮箱创建账号时也设置密码",
		"console.menu":                   "控制台",
		"console.pages":                  "分页",
		"console.prev":                   "← 较新",
		"console.next":                   "较旧 →",
		"console.page_of":                "第 %d 页，共 %d 页",
		"console.sie_logo_file":          "……或上传图片",
		"console.sie_logo_help":          "PNG、JPEG、GIF、WebP 或 SVG，最大 256 KiB；上传的图片直接保存在登录体验里，优先于地址。",
		"console.sie_bad_upload":         "请上传不超过 256 KiB 的 PNG、JPEG、GIF、WebP 或 SVG 图片。",
		"console.sie_languages":          "语言",
		"console.sie_auto_detect":        "页面支持时跟随浏览器语言",
		"console.sie_fallback":           "否则显示",
		"console.sie_terms":              "条款",
		"console.sie_terms_url":          "使用条款地址",
		"console.sie_privacy_url":        "隐私政策地址",
		"console.sie_agree":              "同意方式",
		"console.sie_agree_automatic":    "登录即表示同意（显示链接，无勾选框）",
		"console.sie_agree_registration": "注册时需勾选",
		"console.sie_agree_manual":       "每次登录和注册都需勾选",
		"console.sie_preview":            "预览",
		"console.sie_preview_button":     "预览更改",
		"console.sie_preview_help":       "按这些设置显示的真实登录页；编辑时（启用 JavaScript）或点击“预览更改”时更新。点击“保存”之前不会保存。",
		"console.preview_app":            "你的应用",
		"console.form_has_errors":        "有些字段需要修改，请看字段旁的说明。",
		"console.skip_to_content":        "跳到正文",
		"console.resources_heading":      "API 资源",
		"console.roles_heading":          "角色",
		"console.audit_heading":          "审计日志",
		"console.settings_heading":       "设置",
		"console.saved":                  "已保存。",
		"console.deleted":                "已删除。",
		"console.confirm_delete":         "我明白此操作无法撤销",
		"console.delete":                 "删除",
		"console.save":                   "保存",
		"console.danger_zone":            "危险操作",
		"console.users_heading":          "用户",
		"console.users_search":           "搜索",
		"console.users_search_action":    "搜索",
		"console.users_count":            "找到 %d 个用户",
		"console.user_suspended":         "已停用",
		"console.user_create":            "创建用户",
		"console.hooks_heading":          "Webhook",
		"console.hooks_none":             "还没有 Webhook。",
		"console.hook_create":            "创建 Webhook",
		"console.hook_url":               "接收地址",
		"console.hook_events":            "事件",
		"console.hook_key":               "签名密钥（接收方用它校验 logto-signature-sha-256）：",
		"console.sie_heading":            "登录体验",
		"console.sie_saved":              "已保存，登录页已生效。",
		"console.sie_methods":            "密码登录",
		"console.sie_pw_username":        "用户名和密码",
		"console.sie_pw_email":           "邮箱和密码",
		"console.sie_social":             "社交登录按钮",
		"console.sie_no_social":          "还没有社交连接器：请在“连接器”中添加。",
		"console.sie_social_only":        "不勾选任何密码方式和注册时，登录页只显示社交按钮（仅社交登录）。",
		"console.sie_branding":           "品牌",
		"console.sie_logo":               "Logo 地址",
		"console.sie_dark_logo":          "深色模式 Logo 地址",
		"console.sie_primary":            "主色",
		"console.sie_dark":               "提供深色模式",
		"console.sie_dark_primary":       "深色模式主色",
		"console.sie_css":                "自定义 CSS",
		"console.sie_save":               "保存",
		"console.conns_heading":          "连接器",
		"console.conns_none":             "还没有连接器。",
		"console.conn_callback":          "需在提供方登记的回调地址：",
		"console.conn_oauth2":            "通用 OAuth 2.0（社区服务器，例如 LINUX DO）",
		"console.conn_oauth2_text":       "先在提供方注册一个 OAuth 应用；在这里添加后，把上方列表中显示的回调地址填到提供方。",
		"console.conn_target":            "目标（简短名称，例如 linuxdo）",
		"console.conn_name":              "按钮名称",
		"console.conn_auth_ep":           "授权端点",
		"console.conn_token_ep":          "令牌端点",
		"console.conn_user_ep":           "用户信息端点",
		"console.conn_scope":             "权限范围",
		"console.conn_response":          "令牌响应类型",
		"console.conn_profile_map":       "资料映射（JSON，可选）",
		"console.conn_add":               "添加连接器",
		"console.conn_bad_map":           "资料映射不是有效的 JSON。",
		"console.apps_heading":           "应用",
		"console.apps_none":              "还没有应用。",
		"console.app_create":             "创建应用",
		"console.app_name":               "名称",
		"console.app_type":               "类型",
		"console.type_traditional":       "传统 Web 应用（LibreChat、Open WebUI、LobeChat）",
		"console.type_spa":               "单页应用",
		"console.type_native":            "原生应用",
		"console.type_m2m":               "机器对机器",
		"console.app_redirect":           "重定向 URI（可选）",
		"console.app_issuer":             "颁发者",
		"console.app_client_id":          "客户端 ID",
		"console.app_client_secret":      "客户端密钥",
		"console.app_redirects":          "重定向 URI",
		"console.paste_heading":          "可直接粘贴的配置",
		"console.paste_text":             "指南中各应用的配置，已填入此应用的值。请把每个应用的回调地址登记为重定向 URI。",
		"console.paste_generic":          "任意 OpenID Connect 客户端",
		"console.apps_back":              "全部应用",
		"console.app_not_found":          "没有这个应用。",
		"console.signed_in_as":           "已登录：%s。",
		"console.sign_out":               "退出登录",
		"console.welcome_heading":        "欢迎使用 Gatehouse",
		"console.welcome_text":           "创建管理员账号。只有第一位访问者可以创建；之后控制台会要求输入此账号的密码。",
		"console.create_admin":           "创建管理员",
		"console.get_started":            "开始使用",
		"console.get_started_text":       "首次设置的步骤；完成后会自动打勾。",
		"console.step_app":               "为你的应用（LibreChat、Open WebUI、LobeChat…）创建应用",
		"console.step_app_how":           "在上方的“应用”页创建，并把现成的配置粘贴到应用中。",
		"console.step_connector":         "添加社交连接器",
		"console.step_connector_how":     "在上方的“连接器”页添加社区 OAuth 2.0 服务器或 GitHub，并把那里显示的回调地址登记到提供方。",
		"console.step_social_only":       "将登录页设为仅社交登录",
		"console.step_social_only_how":   "在上方的“登录体验”页取消密码方式和注册，勾选社交按钮，并设置 Logo、颜色和 CSS。",
		"console.step_webhook":           "订阅 Webhook（LobeChat：User.Data.Updated）",
		"console.step_webhook_how":       "在上方的“Webhook”页创建：LobeChat 的地址是 https://<lobe>/api/webhooks/logto，事件 User.Data.Updated；参见 docs/lobechat.md。",
		"console.try_again":              "返回控制台",
		"console.sign_in_failed":         "控制台登录未完成，请从控制台重试。",
	},
}
