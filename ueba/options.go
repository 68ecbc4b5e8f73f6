package ueba

import (
	"fmt"
	"time"
)

// Options tune the analytics. The zero value of a field means its default.
type Options struct {
	// BaselineDays is the baseline window in days (default 180, the most
	// Sentinel keeps).
	BaselineDays int
	// UncommonShare is the share under which a value is uncommon: of the
	// account's activities, of its peers, of the tenant's accounts
	// (default 0.05).
	UncommonShare float64
	// TenantPrior, PeerPrior and UserPrior are the pseudo-counts with which
	// each estimate backs off to the next wider one (defaults 0.5, 1, 2).
	TenantPrior, PeerPrior, UserPrior float64
	// HourWeight weighs the hour-of-week surprisal (default 0.5: working
	// hours drift more than countries do).
	HourWeight float64
	// BitsPerPoint is how many bits of surprisal make one point of
	// InvestigationPriority (default 4: each point is an activity 16 times
	// less likely than the account's usual).
	BitsPerPoint float64
	// HighVolumeP is the Poisson tail probability under which a day's
	// volume is UncommonHighVolumeOfActions (default 0.001).
	HighVolumeP float64
	// MinBaselineDays: until the baseline holds this many days, every
	// activity is new to it, so InvestigationPriority stays 0 (default 7).
	MinBaselineDays int
	// MaxVolumeBits caps the surprisal a volume burst adds (default 20).
	MaxVolumeBits float64
	// DormantDays: an account idle this long is dormant (default 180).
	DormantDays int
	// NewAccountDays: an account created this recently is new (default 30).
	NewAccountDays int
	// Peers is how many peers UserPeerAnalytics ranks (default 20).
	Peers int
	// Incremental starts from the baseline a previous build saved in the
	// workspace (StateFile) and reads only the days after it, keeping the
	// BehaviorAnalytics rows before them; when the saved baseline does not
	// fit (none, other options, changed history) the build reads
	// everything and Tables.Stats.Reason says why.
	Incremental bool
	// Workers is how many goroutines score a day's activities (0:
	// GOMAXPROCS).
	Workers int
	// Now stamps TimeProcessed and is when access is evaluated
	// (default: the workspace's end, else the time of the build).
	Now time.Time
}

func (o Options) withDefaults() Options {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	if o.BaselineDays == 0 {
		o.BaselineDays = 180
	}
	def(&o.UncommonShare, 0.05)
	def(&o.TenantPrior, 0.5)
	def(&o.PeerPrior, 1)
	def(&o.UserPrior, 2)
	def(&o.HourWeight, 0.5)
	def(&o.BitsPerPoint, 4)
	def(&o.HighVolumeP, 0.001)
	def(&o.MaxVolumeBits, 20)
	if o.MinBaselineDays == 0 {
		o.MinBaselineDays = 7
	}
	if o.DormantDays == 0 {
		o.DormantDays = 180
	}
	if o.NewAccountDays == 0 {
		o.NewAccountDays = 30
	}
	if o.Peers == 0 {
		o.Peers = 20
	}
	return o
}

// check names the first option out of range.
func (o Options) check() error {
	switch {
	case o.BaselineDays < 1 || o.BaselineDays > 3650:
		return fmt.Errorf("ueba: BaselineDays %d: want 1 to 3650", o.BaselineDays)
	case o.UncommonShare <= 0 || o.UncommonShare >= 1:
		return fmt.Errorf("ueba: UncommonShare %g: want a share between 0 and 1", o.UncommonShare)
	case o.TenantPrior < 0 || o.PeerPrior < 0 || o.UserPrior < 0:
		return fmt.Errorf("ueba: priors must not be negative")
	case o.BitsPerPoint <= 0:
		return fmt.Errorf("ueba: BitsPerPoint %g: want more than 0", o.BitsPerPoint)
	case o.HighVolumeP <= 0 || o.HighVolumeP >= 1:
		return fmt.Errorf("ueba: HighVolumeP %g: want a probability between 0 and 1", o.HighVolumeP)
	case o.Peers < 1 || o.Peers > 1000:
		return fmt.Errorf("ueba: Peers %d: want 1 to 1000", o.Peers)
	case o.MinBaselineDays < 0 || o.MinBaselineDays > o.BaselineDays:
		return fmt.Errorf("ueba: MinBaselineDays %d: want 0 to BaselineDays (%d)", o.MinBaselineDays, o.BaselineDays)
	case o.DormantDays < 1 || o.NewAccountDays < 1:
		return fmt.Errorf("ueba: DormantDays and NewAccountDays must be at least 1")
	}
	return nil
}
