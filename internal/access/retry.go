package access

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// RetryOptions tune the one retry policy every AWS call of orgstrap uses.
type RetryOptions struct {
	// MaxAttempts per call, the first included.
	MaxAttempts int
	// MaxBackoff caps the delay between two attempts.
	MaxBackoff time.Duration
}

// DefaultRetryOptions allow 10 attempts with delays of at most 10 s, which
// rides out throttling bursts of Organizations (AWS publishes no rates).
var DefaultRetryOptions = RetryOptions{MaxAttempts: 10, MaxBackoff: 10 * time.Second}

// extraRetryableCodes are errors the SDK's standard retryer does not
// retry by default but which are transient for orgstrap: Organizations
// returns ConcurrentModificationException while another change to the same
// organization is in flight.
var extraRetryableCodes = []string{
	"TooManyRequestsException", "ConcurrentModificationException", "Throttling",
	"ThrottlingException", "ServiceUnavailableException",
}

// Configure returns cfg with orgstrap's retry policy: the SDK's standard
// retryer with exponential backoff and full jitter, the extra retryable
// codes above, and no client-side retry quota, so a long throttling burst
// slows orgstrap down instead of failing it.
func Configure(cfg aws.Config, opts RetryOptions) aws.Config {
	if opts.MaxAttempts == 0 {
		opts = DefaultRetryOptions
	}
	cfg = cfg.Copy()
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = opts.MaxAttempts
			o.MaxBackoff = opts.MaxBackoff
			o.Backoff = retry.NewExponentialJitterBackoff(opts.MaxBackoff)
			o.RateLimiter = ratelimit.None
			o.Retryables = append(append([]retry.IsErrorRetryable{}, o.Retryables...),
				retry.RetryableErrorCode{Codes: codeSet(extraRetryableCodes)})
		})
	}
	return cfg
}

func codeSet(codes []string) map[string]struct{} {
	set := make(map[string]struct{}, len(codes))
	for _, c := range codes {
		set[c] = struct{}{}
	}
	return set
}

// ErrorCode returns the AWS error code in err's chain, or "".
func ErrorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// Backoff yields delays with jitter for engine-level waits, such as
// polling an account creation or waiting for a new account's access role.
// It is separate from the SDK retryer, which retries one call; these waits
// repeat a whole step until AWS reaches the wanted state. Delays stay at
// Initial for the first Steady of waiting, so a short wait is noticed
// within Initial of its end, then grow by half each time up to Max.
type Backoff struct {
	Initial time.Duration
	Steady  time.Duration
	Max     time.Duration
	next    time.Duration
	waited  time.Duration
}

// Next returns the delay before the next attempt: 80 to 100% of the
// current step. The jitter keeps parallel waiters from polling in
// lockstep.
func (b *Backoff) Next() time.Duration {
	if b.next == 0 {
		b.next = b.Initial
	}
	d := min(b.next, b.Max)
	if b.waited >= b.Steady {
		b.next = min(b.next+b.next/2, b.Max)
	}
	low := d * 4 / 5
	d = low + rand.N(d-low+1)
	b.waited += d
	return d
}

// Sleep waits for d or until ctx is done.
func Sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
