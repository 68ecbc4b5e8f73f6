package functions

import (
	"math"
	"testing"

	"github.com/huntbook/huntbook/kql/types"
)

func TestGeoDistance2Points(t *testing.T) {
	f, _ := LookupScalar("geo_distance_2points")
	dms := func(d, m, s float64) float64 { return math.Copysign(math.Abs(d)+m/60+s/3600, d) }
	tests := []struct {
		name string
		args []types.Value
		want float64 // NaN: about half the circumference
		tol  float64 // meters; < 0: want null
	}{
		// the docs' Seattle to Los Angeles, on Kusto's sphere
		{"docs", A(R(-122.407628), R(47.578557), R(-118.275287), R(34.019056)), 1546754.35197381, 1e-3},
		{"same point", A(R(10), R(20), R(10), R(20)), 0, 0},
		{"quarter meridian", A(R(0), R(0), R(0), R(90)), math.Pi / 2 * earthRadius, 1e-3},
		{"longs are numbers too", A(L(0), L(0), L(0), L(90)), math.Pi / 2 * earthRadius, 1e-3},
		// Vincenty's own test line, Flinders Peak to Buninyong, on WGS-84
		{"spheroid", A(R(dms(144, 25, 29.52440)), R(dms(-37, 57, 3.72030)), R(dms(143, 55, 35.38390)), R(dms(-37, 39, 10.15610)), B(true)), 54972.271, 1e-3},
		{"spheroid same point", A(R(1), R(2), R(1), R(2), B(true)), 0, 0},
		{"spheroid off", A(R(-122.407628), R(47.578557), R(-118.275287), R(34.019056), B(false)), 1546754.35197381, 1e-3},
		{"nearly antipodal falls back to the sphere", A(R(0), R(0), R(179.7), R(0.5), B(true)), math.NaN(), 0},
		{"longitude out of range", A(R(300), R(1), R(1), R(1)), math.NaN(), -1},
		{"latitude out of range", A(R(1), R(91), R(1), R(1)), math.NaN(), -1},
		{"null", A(N(types.Real), R(1), R(1), R(1)), math.NaN(), -1},
	}
	for _, tc := range tests {
		v, err := f.Eval(testEnv, tc.args)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		switch {
		case tc.tol < 0:
			if v.Valid {
				t.Errorf("%s: got %v, want null", tc.name, v)
			}
		case math.IsNaN(tc.want): // only a sane, positive distance
			if !v.Valid || !(v.F > 19e6 && v.F < 20.1e6) {
				t.Errorf("%s: got %v, want about half the Earth's circumference", tc.name, v)
			}
		default:
			if !v.Valid || math.Abs(v.F-tc.want) > tc.tol {
				t.Errorf("%s: got %v, want %v", tc.name, v, tc.want)
			}
		}
	}
}

func TestGeoPointInCircle(t *testing.T) {
	in := func(lon, lat, clon, clat, r float64, want types.Value) scase {
		return scase{"geo_point_in_circle", A(R(lon), R(lat), R(clon), R(clat), R(r)), want}
	}
	const slon, slat = -122.317404, 47.609119 // the docs' circle: 18 km around Seattle
	runScalars(t, []scase{
		in(-122.317404, 47.609119, slon, slat, 18000, B(true)),  // Seattle
		in(-123.497688, 47.458098, slon, slat, 18000, B(false)), // Olympic National Forest
		in(-122.201741, 47.677084, slon, slat, 18000, B(true)),  // Kirkland
		in(-122.443663, 47.247092, slon, slat, 18000, B(false)), // Tacoma
		in(-122.121975, 47.671345, slon, slat, 18000, B(true)),  // Redmond
		in(-122.143564, 47.535677, -122.100896, 47.527351, 3500, B(true)),
		in(-122.137575, 47.630683, -122.100896, 47.527351, 3500, B(false)),
		in(200, 1, 1, 1, 1, N(types.Bool)), // invalid coordinate
		in(1, 1, 1, 1, -1, N(types.Bool)),  // negative radius
		in(1, 1, 1, 1, 0, N(types.Bool)),   // zero radius
		{"geo_point_in_circle", A(N(types.Real), R(1), R(1), R(1), R(1)), N(types.Bool)},
	})
}
