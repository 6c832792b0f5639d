package identity

import "time"

// stamped is one value of a setting that changes over time, with the time
// it was made. A list of them, oldest first, lets STS and authorization see
// the value that was current ConsistencyDelay ago, as IAM's eventual
// consistency does, while reads see the newest.
type stamped[T any] struct {
	At    time.Time `json:"at"`
	Value T         `json:"value"`
}

// effectiveAt returns the newest value made at or before cutoff, and false
// when every value is newer.
func effectiveAt[T any](history []stamped[T], cutoff time.Time) (T, bool) {
	for i := len(history) - 1; i >= 0; i-- {
		if !history[i].At.After(cutoff) {
			return history[i].Value, true
		}
	}
	var zero T
	return zero, false
}

// latest returns the newest value, and false for an empty history.
func latest[T any](history []stamped[T]) (T, bool) {
	if len(history) == 0 {
		var zero T
		return zero, false
	}
	return history[len(history)-1].Value, true
}

// record appends v made at at and drops the values that no reader can see
// any more: everything older than the newest value in effect at cutoff.
func record[T any](history []stamped[T], at time.Time, v T, cutoff time.Time) []stamped[T] {
	history = append(history, stamped[T]{At: at, Value: v})
	keep := 0
	for i := len(history) - 1; i >= 0; i-- {
		if !history[i].At.After(cutoff) {
			keep = i
			break
		}
	}
	return append([]stamped[T](nil), history[keep:]...)
}
