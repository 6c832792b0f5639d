package engine

import (
	"testing"
	"time"
)

func TestFormatAge(t *testing.T) {
	tests := []struct {
		age  time.Duration
		want string
	}{
		{0, "0s"},
		{40 * time.Second, "40s"},
		{90 * time.Second, "1m"},
		{59 * time.Minute, "59m"},
		{2*time.Hour + 5*time.Minute, "2h5m"},
		{23*time.Hour + 59*time.Minute + 50*time.Second, "23h59m"},
		{76 * time.Hour, "3d4h"},
	}
	for _, tt := range tests {
		if got := FormatAge(tt.age); got != tt.want {
			t.Errorf("FormatAge(%s) = %q, want %q", tt.age, got, tt.want)
		}
	}
}
