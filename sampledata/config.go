package sampledata

import (
	"fmt"
	"regexp"
	"time"
)

// Config chooses the tenant. The zero value of a field means its default.
type Config struct {
	Name      string    // tenant short name, the domain is Name.com (default "contoso")
	Users     int       // member accounts (default 300)
	Days      int       // length of the window ending at End (default 30)
	Seed      uint64    // random seed (default 1)
	Scale     float64   // multiplies background event volume (default 1)
	End       time.Time // when the data ends (default: now, truncated to the hour)
	NoStories bool      // leave the attack stories out
}

const (
	DefaultUsers = 300
	DefaultDays  = 30
	DefaultSeed  = 1
	minUsers     = 20 // the spray and peer stories need a crowd
	maxUsers     = 200_000
	minDays      = 7 // stories happen in the last week
	maxDays      = 400
)

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)

// withDefaults fills defaults and checks ranges, naming the bad field.
func (c Config) withDefaults() (Config, error) {
	if c.Name == "" {
		c.Name = "contoso"
	}
	if c.Users == 0 {
		c.Users = DefaultUsers
	}
	if c.Days == 0 {
		c.Days = DefaultDays
	}
	if c.Seed == 0 {
		c.Seed = DefaultSeed
	}
	if c.Scale == 0 {
		c.Scale = 1
	}
	if c.End.IsZero() {
		c.End = time.Now().UTC().Truncate(time.Hour)
	}
	c.End = c.End.UTC()
	switch {
	case !nameRE.MatchString(c.Name):
		return c, fmt.Errorf("sampledata: name %q: want lower-case letters, digits and '-', starting with a letter, at most 31", c.Name)
	case c.Users < minUsers || c.Users > maxUsers:
		return c, fmt.Errorf("sampledata: users %d: want %d to %d", c.Users, minUsers, maxUsers)
	case c.Days < minDays || c.Days > maxDays:
		return c, fmt.Errorf("sampledata: days %d: want %d to %d", c.Days, minDays, maxDays)
	case !(c.Scale > 0 && c.Scale <= 100_000):
		return c, fmt.Errorf("sampledata: scale %g: want a number above 0 and at most 100000", c.Scale)
	case c.End.Year() < 2000 || c.End.Year() > 2200:
		return c, fmt.Errorf("sampledata: end %s: want a year between 2000 and 2200", c.End.Format(time.RFC3339))
	}
	return c, nil
}
