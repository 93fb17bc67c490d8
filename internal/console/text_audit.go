package console

// auditText is the wording of the console's audit pages.
var auditText = map[string]map[string]string{
	langEnglish: {},
	langChinese: {},
}
