package sample

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gopkg.in/yaml.v3"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/thaitime"
)

//go:embed festivals.yaml
var festivalsFile []byte

type festivalPack struct {
	Cities []struct {
		Name      string   `yaml:"name"`
		Provinces []string `yaml:"provinces"`
		Festivals []struct {
			TitleTH  string   `yaml:"title_th"`
			TitleEN  string   `yaml:"title_en"`
			DescTH   string   `yaml:"desc_th"`
			DescEN   string   `yaml:"desc_en"`
			InDays   int      `yaml:"in_days"`
			Hours    [2]int   `yaml:"hours"`
			Days     int      `yaml:"days"`
			Venue    string   `yaml:"venue"`
			District string   `yaml:"district"`
			Lat      float64  `yaml:"lat"`
			Lng      float64  `yaml:"lng"`
			Tags     []string `yaml:"tags"`
		} `yaml:"festivals"`
	} `yaml:"cities"`
}

// sampleNS makes stable IDs for the sample cities and festivals.
var sampleNS = uuid.MustParse("6f1c2a0e-5b1e-4e7a-9d2f-3a6a1c0b7e11")

// LoadFestivals puts the sample cities and their festivals into a store,
// dated from now, so the embedded default has festivals to show.
func LoadFestivals(ctx context.Context, s content.CityStore, now time.Time) error {
	var pack festivalPack
	if err := yaml.Unmarshal(festivalsFile, &pack); err != nil {
		return fmt.Errorf("sample: festivals.yaml: %w", err)
	}
	today := now.In(thaitime.Zone)
	for _, c := range pack.Cities {
		city, err := s.CreateCity(ctx, content.City{ID: uuid.NewSHA1(sampleNS, []byte(c.Name)).String(), Name: c.Name, Provinces: c.Provinces})
		if err != nil {
			return fmt.Errorf("sample: city %s: %w", c.Name, err)
		}
		for _, f := range c.Festivals {
			day := time.Date(today.Year(), today.Month(), today.Day()+f.InDays, 0, 0, 0, 0, thaitime.Zone)
			err := s.SaveFestival(ctx, content.Festival{
				ID: uuid.NewSHA1(sampleNS, []byte(f.TitleTH)).String(), CityID: city.ID,
				TitleTH: f.TitleTH, TitleEN: f.TitleEN, DescTH: f.DescTH, DescEN: f.DescEN,
				StartsAt: day.Add(time.Duration(f.Hours[0]) * time.Hour),
				EndsAt:   day.AddDate(0, 0, max(f.Days, 1)-1).Add(time.Duration(f.Hours[1]) * time.Hour),
				Venue:    f.Venue, Province: c.Provinces[0], District: f.District, Lat: f.Lat, Lng: f.Lng,
				InfoURL: "https://example.org/sample/festival", Tags: f.Tags, Status: content.FestivalActive,
			})
			if err != nil {
				return fmt.Errorf("sample: festival %s: %w", f.TitleTH, err)
			}
		}
	}
	return nil
}
