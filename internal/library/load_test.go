package library

import "testing"

func TestLoadEmbedded(t *testing.T) {
	l, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(l.Names()) == 0 {
		t.Fatal("Load found no profiles")
	}
}
