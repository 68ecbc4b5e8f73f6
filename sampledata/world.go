package sampledata

// Static reference data: places, networks, applications, names. Addresses
// and ISPs are plausible, not real customers of those ISPs.

// Place is a city the tenant's users live in, travel to, or attackers use.
type Place struct {
	City        string  `json:"city"`
	State       string  `json:"state,omitempty"`
	CountryCode string  `json:"countryCode"`
	Country     string  `json:"country"`
	Lat         float64 `json:"latitude"`
	Lon         float64 `json:"longitude"`
	TZMinutes   int     `json:"utcOffsetMinutes"` // fixed offset; daylight saving is ignored
	isps        []ISP
}

// ISP is a network users connect from: name, AS number and an address prefix.
type ISP struct {
	Name   string `json:"name"`
	ASN    int    `json:"asn"`
	Prefix string `json:"prefix"`
}

var (
	seattle = &Place{"Seattle", "Washington", "US", "United States", 47.61, -122.33, -8 * 60, []ISP{
		{"Comcast Cable Communications", 7922, "73.53."}, {"CenturyLink Communications", 209, "97.113."}}}
	newYork = &Place{"New York", "New York", "US", "United States", 40.71, -74.01, -5 * 60, []ISP{
		{"Verizon Business", 701, "71.190."}, {"Charter Communications", 20115, "24.90."}}}
	london = &Place{"London", "England", "GB", "United Kingdom", 51.51, -0.13, 0, []ISP{
		{"British Telecommunications PLC", 2856, "81.151."}, {"Virgin Media Limited", 5089, "82.21."}}}
	berlin = &Place{"Berlin", "Berlin", "DE", "Germany", 52.52, 13.40, 60, []ISP{
		{"Deutsche Telekom AG", 3320, "79.192."}, {"Vodafone GmbH", 3209, "88.65."}}}
	bengaluru = &Place{"Bengaluru", "Karnataka", "IN", "India", 12.97, 77.59, 330, []ISP{
		{"Bharti Airtel Ltd.", 24560, "122.171."}, {"Reliance Jio Infocomm Limited", 55836, "49.36."}}}
	// travel destinations
	paris     = &Place{"Paris", "Ile-de-France", "FR", "France", 48.86, 2.35, 60, []ISP{{"Orange S.A.", 3215, "90.84."}}}
	tokyo     = &Place{"Tokyo", "Tokyo", "JP", "Japan", 35.68, 139.69, 540, []ISP{{"NTT Communications Corporation", 4713, "153.156."}}}
	singapore = &Place{"Singapore", "", "SG", "Singapore", 1.35, 103.82, 480, []ISP{{"Singtel Fibre Broadband", 9506, "116.89."}}}
	toronto   = &Place{"Toronto", "Ontario", "CA", "Canada", 43.65, -79.38, -5 * 60, []ISP{{"Rogers Communications Canada Inc.", 812, "99.230."}}}
	// attacker infrastructure (only stories use these)
	lagos     = &Place{"Lagos", "Lagos", "NG", "Nigeria", 6.52, 3.38, 60, []ISP{{"MTN Nigeria Communication limited", 29465, "102.89."}}}
	bucharest = &Place{"Bucharest", "Bucuresti", "RO", "Romania", 44.43, 26.10, 120, []ISP{{"M247 Europe SRL", 9009, "185.156.73."}}}
	amsterdam = &Place{"Amsterdam", "North Holland", "NL", "Netherlands", 52.37, 4.90, 60, []ISP{{"DigitalOcean, LLC", 14061, "167.99.33."}}}
	moscow    = &Place{"Moscow", "Moscow", "RU", "Russia", 55.76, 37.62, 180, []ISP{{"Stark Industries Solutions Ltd", 44477, "45.142.212."}}}
	// a commercial VPN's exit, flagged by Identity Protection as an anonymizer
	zurich = &Place{"Zurich", "Zurich", "CH", "Switzerland", 47.37, 8.54, 60, []ISP{{"Datacamp Limited", 60068, "156.146.62."}}}
)

// office is where a user works; egress is the office's fixed internet address.
type office struct {
	place  *Place
	egress string
	isp    ISP
	weight int
}

var offices = []office{
	{seattle, "64.125.12.34", ISP{"Zayo Bandwidth", 6461, "64.125.12."}, 40},
	{newYork, "64.125.80.17", ISP{"Zayo Bandwidth", 6461, "64.125.80."}, 20},
	{london, "195.66.90.10", ISP{"Colt Technology Services", 8220, "195.66.90."}, 15},
	{berlin, "212.6.40.5", ISP{"Colt Technology Services", 8220, "212.6.40."}, 10},
	{bengaluru, "115.112.64.9", ISP{"Tata Communications", 4755, "115.112.64."}, 15},
}

var travelPlaces = []*Place{paris, tokyo, singapore, toronto, london, newYork, berlin}

// department describes a business unit: its job titles and how much of the
// workforce it holds.
type department struct {
	name   string
	titles []string
	weight int
}

var departments = []department{
	{"Finance", []string{"Financial Analyst", "Accountant", "Payroll Specialist", "Controller", "Treasury Analyst"}, 12},
	{"Sales", []string{"Account Executive", "Sales Engineer", "Sales Operations Analyst", "Regional Sales Manager"}, 20},
	{"Marketing", []string{"Marketing Specialist", "Content Strategist", "Brand Manager", "Marketing Analyst"}, 12},
	{"Engineering", []string{"Software Engineer", "Senior Software Engineer", "Site Reliability Engineer", "Data Engineer", "Engineering Manager"}, 30},
	{"IT", []string{"Systems Administrator", "Helpdesk Technician", "Cloud Engineer", "Security Analyst"}, 10},
	{"HR", []string{"HR Generalist", "Recruiter", "HR Business Partner"}, 8},
	{"Legal", []string{"Counsel", "Paralegal", "Compliance Officer"}, 5},
	{"Executive", []string{"Chief Executive Officer", "Chief Financial Officer", "Chief Technology Officer", "Chief Operating Officer"}, 3},
}

var givenNames = []string{"Aisha", "Alex", "Amelia", "Ana", "Arjun", "Ben", "Carlos", "Chen", "Chloe", "Daniel",
	"David", "Elena", "Emma", "Fatima", "Felix", "Grace", "Hannah", "Hiro", "Isabel", "Jack",
	"James", "Jana", "Jonas", "Julia", "Kai", "Karan", "Laura", "Leo", "Lina", "Lucas",
	"Maria", "Mark", "Mei", "Mia", "Nadia", "Noah", "Olivia", "Omar", "Priya", "Rahul",
	"Rosa", "Sam", "Sara", "Sofia", "Tom", "Uma", "Victor", "Wei", "Yara", "Zoe"}

var surnames = []string{"Adams", "Ahmed", "Baker", "Becker", "Brown", "Chen", "Clark", "Costa", "Davis", "Dubois",
	"Evans", "Fischer", "Garcia", "Gupta", "Hall", "Hoffmann", "Ito", "Jones", "Kim", "Klein",
	"Kumar", "Lee", "Lopez", "Martin", "Meyer", "Miller", "Moore", "Nguyen", "Novak", "Patel",
	"Perez", "Reddy", "Rossi", "Sato", "Schmidt", "Shah", "Silva", "Singh", "Smith", "Tanaka",
	"Taylor", "Thomas", "Wagner", "Walker", "Wang", "Weber", "White", "Wilson", "Wright", "Young"}

// app is a Microsoft first-party application users sign in to.
type app struct {
	name, id         string
	resource, resID  string
	clientApp        string
	interactiveShare float64
}

var (
	appOfficeHome = app{"OfficeHome", "4765445b-32c6-49b0-83e6-1d93765276ca", "Office 365 Exchange Online", "00000002-0000-0ff1-ce00-000000000000", "Browser", 1}
	appOutlook    = app{"Microsoft Office", "d3590ed6-52b3-4102-aeff-aad2292ab01c", "Office 365 Exchange Online", "00000002-0000-0ff1-ce00-000000000000", "Mobile Apps and Desktop clients", 1}
	appTeams      = app{"Microsoft Teams", "1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams Services", "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", "Mobile Apps and Desktop clients", 1}
	appSharePoint = app{"Office 365 SharePoint Online", "00000003-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online", "00000003-0000-0ff1-ce00-000000000000", "Browser", 1}
	appPortal     = app{"Azure Portal", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Windows Azure Service Management API", "797f4846-ba00-4fd7-ba43-dac1f8f63013", "Browser", 1}
	appAzCLI      = app{"Microsoft Azure CLI", "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "Windows Azure Service Management API", "797f4846-ba00-4fd7-ba43-dac1f8f63013", "Mobile Apps and Desktop clients", 1}
	appPowerBI    = app{"Microsoft Power BI", "871c010f-5e61-4fb1-83ac-98610a7e9110", "Power BI Service", "00000009-0000-0000-c000-000000000000", "Browser", 1}
	appAADPS      = app{"Azure Active Directory PowerShell", "1b730954-1685-4b74-9bfd-dac224a7b894", "Windows Azure Active Directory", "00000002-0000-0000-c000-000000000000", "Mobile Apps and Desktop clients", 1}
)

// deviceKind is an operating system with its browser and user agent.
type deviceKind struct {
	os, browser, ua string
	trust           string
	managed         bool
}

var deviceKinds = []deviceKind{
	{"Windows 10", "Edge 131.0.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Azure AD joined", true},
	{"Windows 10", "Chrome 130.0.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36", "Hybrid Azure AD joined", true},
	{"MacOs", "Safari 17.6", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15", "Azure AD registered", true},
	{"MacOs", "Chrome 131.0.0", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Azure AD registered", true},
	{"Ios", "Mobile Safari 17.5", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Azure AD registered", false},
	{"Android", "Chrome Mobile 131.0.0", "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "", false},
	{"Linux", "Firefox 133.0", "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "", false},
}

// Well-known Azure built-in role definition ids.
var roleDefs = map[string]string{
	"Owner":                         "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
	"Contributor":                   "b24988ac-6180-42a0-ab88-20f7382dd24c",
	"Reader":                        "acdd72a7-3385-48ef-bd42-f606fba81ae7",
	"User Access Administrator":     "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
	"Key Vault Secrets User":        "4633458b-17de-408a-b874-0445c86b69e6",
	"Key Vault Administrator":       "00482a5a-887f-4fb3-b363-3b7fe8e74483",
	"Storage Blob Data Reader":      "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
	"Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
	"Security Reader":               "39bc4728-0917-49c7-9d2c-d95423bc2eb4",
	"Virtual Machine Contributor":   "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
}

// Purview sensitive information types: display name and classification id.
var classificationIDs = map[string]string{
	"Credit Card Number":                             "MICROSOFT.FINANCIAL.CREDIT_CARD_NUMBER",
	"U.S. Social Security Number (SSN)":              "MICROSOFT.GOVERNMENT.US.SOCIAL_SECURITY_NUMBER",
	"International Banking Account Number (IBAN)":    "MICROSOFT.FINANCIAL.INTERNATIONAL_BANKING_ACCOUNT_NUMBER",
	"U.S. Bank Account Number":                       "MICROSOFT.FINANCIAL.US.BANK_ACCOUNT_NUMBER",
	"EU Debit Card Number":                           "MICROSOFT.FINANCIAL.EU.DEBIT_CARD_NUMBER",
	"U.S. / U.K. Passport Number":                    "MICROSOFT.GOVERNMENT.US_UK.PASSPORT_NUMBER",
	"Email Address":                                  "MICROSOFT.PERSONAL.EMAIL",
	"U.S. Individual Taxpayer Identification (ITIN)": "MICROSOFT.GOVERNMENT.US.INDIVIDUAL_TAXPAYER_IDENTIFICATION_NUMBER",
}
