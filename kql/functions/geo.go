package functions

import (
	"math"

	"github.com/huntbook/huntbook/kql/types"
)

// Geospatial functions on points given as longitude and latitude in degrees
// (WGS-84). Kusto measures on a sphere of S2's Earth radius unless asked for
// the spheroid; invalid coordinates give null, not an error.

// earthRadius is S2's mean Earth radius, the one Kusto's distances use (its
// documented Seattle to Los Angeles distance, 1546754.35197381 m, is this
// sphere's).
const earthRadius = 6371010.0

// WGS-84 ellipsoid, for use_spheroid.
const (
	wgs84A = 6378137.0
	wgs84F = 1 / 298.257223563
	wgs84B = wgs84A * (1 - wgs84F)
)

func validLonLat(lon, lat float64) bool {
	return lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90 && !math.IsNaN(lon) && !math.IsNaN(lat)
}

// sphereDistance is the great-circle distance in meters (haversine).
func sphereDistance(lon1, lat1, lon2, lat2 float64) float64 {
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := p2-p1, (lon2-lon1)*math.Pi/180
	a := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(a)))
}

// spheroidDistance is the geodesic distance on the WGS-84 ellipsoid in
// meters (Vincenty's inverse formula). Nearly antipodal points, where the
// iteration does not settle, fall back to the sphere.
func spheroidDistance(lon1, lat1, lon2, lat2 float64) float64 {
	rad := math.Pi / 180
	L := (lon2 - lon1) * rad
	U1 := math.Atan((1 - wgs84F) * math.Tan(lat1*rad))
	U2 := math.Atan((1 - wgs84F) * math.Tan(lat2*rad))
	sinU1, cosU1 := math.Sincos(U1)
	sinU2, cosU2 := math.Sincos(U2)
	lambda := L
	for i := 0; i < 200; i++ {
		sinL, cosL := math.Sincos(lambda)
		sinSigma := math.Hypot(cosU2*sinL, cosU1*sinU2-sinU1*cosU2*cosL)
		if sinSigma == 0 {
			return 0 // the same point
		}
		cosSigma := sinU1*sinU2 + cosU1*cosU2*cosL
		sigma := math.Atan2(sinSigma, cosSigma)
		sinAlpha := cosU1 * cosU2 * sinL / sinSigma
		cos2Alpha := 1 - sinAlpha*sinAlpha
		cos2SigmaM := 0.0
		if cos2Alpha != 0 { // not on the equator
			cos2SigmaM = cosSigma - 2*sinU1*sinU2/cos2Alpha
		}
		C := wgs84F / 16 * cos2Alpha * (4 + wgs84F*(4-3*cos2Alpha))
		prev := lambda
		lambda = L + (1-C)*wgs84F*sinAlpha*(sigma+C*sinSigma*(cos2SigmaM+C*cosSigma*(-1+2*cos2SigmaM*cos2SigmaM)))
		if math.Abs(lambda-prev) < 1e-12 {
			u2 := cos2Alpha * (wgs84A*wgs84A - wgs84B*wgs84B) / (wgs84B * wgs84B)
			A := 1 + u2/16384*(4096+u2*(-768+u2*(320-175*u2)))
			B := u2 / 1024 * (256 + u2*(-128+u2*(74-47*u2)))
			dSigma := B * sinSigma * (cos2SigmaM + B/4*(cosSigma*(-1+2*cos2SigmaM*cos2SigmaM)-
				B/6*cos2SigmaM*(-3+4*sinSigma*sinSigma)*(-3+4*cos2SigmaM*cos2SigmaM)))
			return wgs84B * A * (sigma - dSigma)
		}
	}
	return sphereDistance(lon1, lat1, lon2, lat2)
}

// reals converts numeric arguments (checked non-null by strict) to float64.
func reals(a []types.Value) []float64 {
	out := make([]float64, len(a))
	for i, v := range a {
		out[i], _ = ToReal(v)
	}
	return out
}

func init() {
	def("geo_distance_2points", "geo_distance_2points(p1_longitude, p1_latitude, p2_longitude, p2_latitude[, use_spheroid])",
		"The shortest distance in meters between two points on Earth (a sphere, or the WGS-84 spheroid with use_spheroid); null for invalid coordinates.",
		4, 5, "nnnnb", fixed(types.Real),
		strict(types.Real, func(_ *Env, a []types.Value) (types.Value, error) {
			x := reals(a[:4])
			lon1, lat1, lon2, lat2 := x[0], x[1], x[2], x[3]
			if !validLonLat(lon1, lat1) || !validLonLat(lon2, lat2) {
				return types.NullOf(types.Real), nil
			}
			if len(a) == 5 && a[4].I != 0 {
				return types.NewReal(spheroidDistance(lon1, lat1, lon2, lat2)), nil
			}
			return types.NewReal(sphereDistance(lon1, lat1, lon2, lat2)), nil
		}))
	def("geo_point_in_circle", "geo_point_in_circle(p_longitude, p_latitude, pc_longitude, pc_latitude, c_radius)",
		"Whether a point lies within c_radius meters (along a sphere) of the center; null for invalid coordinates or a radius that is not positive.",
		5, 5, "nnnnn", fixed(types.Bool),
		strict(types.Bool, func(_ *Env, a []types.Value) (types.Value, error) {
			x := reals(a)
			lon, lat, clon, clat, r := x[0], x[1], x[2], x[3], x[4]
			if !validLonLat(lon, lat) || !validLonLat(clon, clat) || !(r > 0) {
				return types.NullOf(types.Bool), nil
			}
			return types.NewBool(sphereDistance(lon, lat, clon, clat) <= r), nil
		}))
}
