package console

// usersText is the wording of the console's users pages.
var usersText = map[string]map[string]string{
	langEnglish: {},
	langChinese: {},
}
