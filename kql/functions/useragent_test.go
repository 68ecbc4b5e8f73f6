package functions

import (
	"strconv"
	"strings"
	"testing"

	"github.com/huntbook/huntbook/kql/types"
)

func TestParseUserAgent(t *testing.T) {
	const (
		adobe   = "Mozilla/5.0 (Windows; U; en-US) AppleWebKit/531.9 (KHTML, like Gecko) AdobeAIR/2.5.1"
		nokia   = "Mozilla/5.0 (SymbianOS/9.2; U; Series60/3.1 NokiaN81-3/10.0.032 Profile/MIDP-2.0 Configuration/CLDC-1.1 ) AppleWebKit/413 (KHTML, like Gecko) Safari/4"
		edge    = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
		chrome  = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"
		safari  = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15"
		iphone  = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
		android = "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
		firefox = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
		ie11    = "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko"
	)
	browser := func(f, maj, min, patch string) string {
		return `{"Browser":{"Family":"` + f + `","MajorVersion":"` + maj + `","MinorVersion":"` + min + `","Patch":"` + patch + `"}}`
	}
	os := func(f, maj, min, patch string) string {
		return `{"OperatingSystem":{"Family":"` + f + `","MajorVersion":"` + maj + `","MinorVersion":"` + min + `","Patch":"` + patch + `","PatchMinor":""}}`
	}
	device := func(f, brand, model string) string {
		return `{"Device":{"Family":"` + f + `","Brand":"` + brand + `","Model":"` + model + `"}}`
	}
	cases := []scase{
		// the documented examples
		{"parse_user_agent", A(S(adobe), S("browser")), D(browser("AdobeAIR", "2", "5", "1"))},
		{"parse_user_agent", A(S(nokia), D(`["browser","os","device"]`)), D(`{` +
			`"Browser":{"Family":"Nokia OSS Browser","MajorVersion":"3","MinorVersion":"1","Patch":""},` +
			`"OperatingSystem":{"Family":"Symbian OS","MajorVersion":"9","MinorVersion":"2","Patch":"","PatchMinor":""},` +
			`"Device":{"Family":"Nokia N81","Brand":"Nokia","Model":"N81-3"}}`)},
		// the sample tenant's user agents
		{"parse_user_agent", A(S(edge), S("browser")), D(browser("Edge", "131", "0", "0"))},
		{"parse_user_agent", A(S(chrome), S("browser")), D(browser("Chrome", "130", "0", "0"))},
		{"parse_user_agent", A(S(safari), S("browser")), D(browser("Safari", "17", "6", ""))},
		{"parse_user_agent", A(S(iphone), S("browser")), D(browser("Mobile Safari", "17", "5", ""))},
		{"parse_user_agent", A(S(android), S("browser")), D(browser("Chrome Mobile", "131", "0", "0"))},
		{"parse_user_agent", A(S(firefox), S("BROWSER")), D(browser("Firefox", "133", "0", ""))},
		{"parse_user_agent", A(S(ie11), S("browser")), D(browser("IE", "11", "0", ""))},
		{"parse_user_agent", A(S("python-requests/2.31.0"), S("browser")), D(browser("Python Requests", "2", "31", ""))},
		{"parse_user_agent", A(S("curl/8.4.0"), S("browser")), D(browser("curl", "8", "4", "0"))},
		// ua-parser has no pattern for PowerShell's own agent: Other, as Kusto says
		{"parse_user_agent", A(S("Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.19045; en-US) PowerShell/7.4.0"), S("browser")), D(browser("Other", "", "", ""))},
		{"parse_user_agent", A(S(adobe), S("os")), D(os("Windows", "", "", ""))},
		{"parse_user_agent", A(S(""), S("browser")), D(browser("Other", "", "", ""))},
		{"parse_user_agent", A(S(edge), S("os")), D(os("Windows", "10", "", ""))},
		{"parse_user_agent", A(S(ie11), S("os")), D(os("Windows", "7", "", ""))},
		{"parse_user_agent", A(S(safari), S("os")), D(os("Mac OS X", "10", "15", "7"))},
		{"parse_user_agent", A(S(iphone), S("os")), D(os("iOS", "17", "5", ""))},
		{"parse_user_agent", A(S(android), S("os")), D(os("Android", "14", "", ""))},
		{"parse_user_agent", A(S(firefox), S("os")), D(os("Ubuntu", "", "", ""))},
		{"parse_user_agent", A(S("python-requests/2.31.0"), S("os")), D(os("Other", "", "", ""))},
		{"parse_user_agent", A(S(iphone), S("device")), D(device("iPhone", "Apple", "iPhone"))},
		{"parse_user_agent", A(S(safari), S("device")), D(device("Mac", "Apple", "Mac"))},
		{"parse_user_agent", A(S(android), S("device")), D(device("Samsung SM-S918B", "Samsung", "SM-S918B"))},
		{"parse_user_agent", A(S(edge), S("device")), D(device("Other", "", ""))},
		{"parse_user_agent", A(S("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"), D(`["device","browser"]`)),
			D(`{"Device":{"Family":"Spider","Brand":"Spider","Model":"Desktop"},"Browser":{"Family":"Googlebot","MajorVersion":"2","MinorVersion":"1","Patch":""}}`)},
	}
	runScalars(t, cases)

	f, _ := LookupScalar("parse_user_agent")
	errs := []struct {
		lookFor types.Value
		want    string
	}{
		{S("platform"), `parse_user_agent(): look-for "platform" is not "browser", "os" or "device"`},
		{D(`["os", 1]`), `parse_user_agent(): look-for array holds 1, want "browser", "os" or "device"`},
		{D(`[]`), `parse_user_agent(): look-for is empty`},
	}
	for _, e := range errs {
		if _, err := f.Eval(testEnv, A(S(chrome), e.lookFor)); err == nil || !strings.HasPrefix(err.Error(), e.want) {
			t.Errorf("look-for %s: error %v, want %s", show(e.lookFor), err, e.want)
		}
	}
	// the cached bags are not shared with results
	v, _ := f.Eval(testEnv, A(S(chrome), S("browser")))
	v.D.(*types.Bag).Prop("Browser").(*types.Bag).Set("Family", "changed")
	if again, _ := f.Eval(testEnv, A(S(chrome), S("browser"))); !sameValue(again, D(browser("Chrome", "130", "0", "0"))) {
		t.Errorf("a changed result changed the cache: %s", show(again))
	}
}

// The engine evaluates rows on several goroutines; run with -race.
func TestParseUserAgentConcurrent(t *testing.T) {
	f, _ := LookupScalar("parse_user_agent")
	done := make(chan string, 8)
	for g := 0; g < 8; g++ {
		go func(g int) {
			fam := ""
			for i := 0; i < 50; i++ {
				ua := "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + strconv.Itoa(100+i%7+g) + ".0.0.0 Safari/537.36"
				v, err := f.Eval(testEnv, A(S(ua), S("browser")))
				if err != nil {
					done <- err.Error()
					return
				}
				fam = v.String()
			}
			done <- fam
		}(g)
	}
	for g := 0; g < 8; g++ {
		if got := <-done; !strings.Contains(got, `"Family":"Chrome"`) {
			t.Errorf("goroutine result %s", got)
		}
	}
}
