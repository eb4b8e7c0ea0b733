package place

import "math"

// earthRadiusKm is the mean radius of the Earth (IUGG).
const earthRadiusKm = 6371.0088

// DistanceKm is the great-circle (haversine) distance in kilometres between
// two points given in degrees.
func DistanceKm(lat1, lng1, lat2, lng2 float64) float64 {
	rad := math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLng := (lng2 - lng1) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(a)))
}

// Nearest returns the province whose seat is nearest to a point (such as a
// LINE location message) and the distance to that seat in km. It compares
// seats, not borders: near a border the answer can be the neighbour, so a bot
// should let the person confirm it. A point far outside Thailand still gets
// the nearest province; the distance tells the caller how far it is.
func Nearest(lat, lng float64) (Province, float64) {
	best, bestKm := 0, math.Inf(1)
	for i, p := range provinces {
		if d := DistanceKm(lat, lng, p.Lat, p.Lng); d < bestKm {
			best, bestKm = i, d
		}
	}
	return provinces[best].clone(), bestKm
}
