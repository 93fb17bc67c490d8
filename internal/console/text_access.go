package console

// accessText is the wording of the console's access pages.
var accessText = map[string]map[string]string{
	langEnglish: {},
	langChinese: {},
}
