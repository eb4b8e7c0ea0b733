package place

import (
	"math"
	"testing"
)

func TestDistanceKmIsTheGreatCircleDistance(t *testing.T) {
	tests := []struct {
		name             string
		lat1, lng1       float64
		lat2, lng2       float64
		wantMin, wantMax float64
	}{
		{"same point", 13.75, 100.5, 13.75, 100.5, 0, 0},
		{"Bangkok to Chiang Mai", 13.7563, 100.5018, 18.7883, 98.9853, 580, 600},
		{"one degree of latitude", 10, 100, 11, 100, 110.5, 111.8},
		{"Bangkok to Hat Yai", 13.7563, 100.5018, 7.0086, 100.4747, 745, 755},
	}
	for _, tt := range tests {
		got := DistanceKm(tt.lat1, tt.lng1, tt.lat2, tt.lng2)
		back := DistanceKm(tt.lat2, tt.lng2, tt.lat1, tt.lng1)
		if got < tt.wantMin || got > tt.wantMax || math.Abs(got-back) > 1e-9 {
			t.Errorf("%s: %.1f km (back %.1f), want %v–%v", tt.name, got, back, tt.wantMin, tt.wantMax)
		}
	}
}

func TestNearestFindsTheProvinceOfALocation(t *testing.T) {
	tests := []struct {
		name     string
		lat, lng float64
		want     string
		maxKm    float64
	}{
		{"Korat city centre", 14.97, 102.10, "TH-30", 5},
		{"Hat Yai", 7.01, 100.47, "TH-90", 30},
		{"Grand Palace, Bangkok", 13.7500, 100.4913, "TH-10", 5},
		{"Siam, Bangkok", 13.7460, 100.5340, "TH-10", 5},
		{"Nimman, Chiang Mai", 18.7990, 98.9680, "TH-50", 5},
		{"Patong, Phuket", 7.8960, 98.2970, "TH-83", 15},
		{"Khon Kaen University", 16.4740, 102.8230, "TH-40", 10},
	}
	for _, tt := range tests {
		got, km := Nearest(tt.lat, tt.lng)
		if got.Code != tt.want || km > tt.maxKm {
			t.Errorf("%s: Nearest = %s %s at %.1f km; want %s within %v km", tt.name, got.Code, got.EN, km, tt.want, tt.maxKm)
		}
	}
}

func TestNearestToEverySeatIsItsOwnProvince(t *testing.T) {
	for _, p := range All() {
		if got, km := Nearest(p.Lat, p.Lng); got.Code != p.Code || km != 0 {
			t.Errorf("Nearest(seat of %s) = %s at %.1f km", p.Code, got.Code, km)
		}
	}
}
