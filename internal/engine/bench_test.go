package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/orgstrap/orgstrap/internal/sandbox"
	"github.com/orgstrap/orgstrap/internal/sandbox/sandboxtest"
)

// benchConfig returns a config with n environments, alternating broad dev
// and restricted prod ones in two OUs.
func benchConfig(n int) string {
	var b strings.Builder
	b.WriteString("version: 1\norganization:\n  create: true\nenvironments:\n")
	for i := range n {
		access, ou := "broad", "Workloads/Dev"
		if i%2 == 1 {
			access, ou = "restricted", "Workloads/Prod"
		}
		fmt.Fprintf(&b, "  - name: env%d\n    email: aws+env%d@example.com\n    ou: %s\n    access: %s\n", i, i, ou, access)
	}
	b.WriteString("deployment:\n  profiles: [serverless-framework]\n  services: [orders]\n  regions: [us-east-1, eu-west-1]\n")
	return b.String()
}

// BenchmarkApply bootstraps 1 and 10 environments on a fresh sandbox whose
// account creation takes 2 s, with the engine's default waits and retries,
// then applies again and reports the calls of that converged re-run.
func BenchmarkApply(b *testing.B) {
	for _, n := range []int{1, 10} {
		b.Run(fmt.Sprintf("envs=%d", n), func(b *testing.B) {
			text := benchConfig(n)
			cfg := parseConfig(b, text)
			var calls, mutating, reads int
			for b.Loop() {
				b.StopTimer()
				sb, awsCfg := sandboxtest.Start(b, sandbox.Options{CreateAccountDelay: 2 * time.Second, AccountQuota: 20})
				e := New(awsCfg, cfg, loadLibrary(b), Options{ProfileFile: b.TempDir() + "/aws-config"})
				b.StartTimer()

				ctx := context.Background()
				r, err := e.Plan(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if err := e.Apply(ctx, r); err != nil {
					b.Fatal(err)
				}

				b.StopTimer()
				for _, count := range sb.Calls() {
					calls += count
				}
				sb.ResetCalls()
				again, err := e.Plan(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if err := e.Apply(ctx, again); err != nil {
					b.Fatal(err)
				}
				m, rd := splitCalls(sb.Calls())
				for _, count := range m {
					mutating += count
				}
				reads += rd
				b.StartTimer()
			}
			runs := float64(b.N)
			b.ReportMetric(float64(calls)/runs, "calls/op")
			b.ReportMetric(float64(mutating)/runs, "rerun-mutating/op")
			b.ReportMetric(float64(reads)/runs/float64(n), "rerun-reads/env")
		})
	}
}
