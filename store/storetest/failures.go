package storetest

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/authd/authd/store"
)

func failureTests() []test {
	const window = 15 * time.Minute
	return []test{
		{"CountAndLast", func(t *testing.T, s store.Store) {
			for i := 1; i <= 3; i++ {
				n, err := s.RecordFailure(t.Context(), "password", "u1", "192.0.2.1", at(time.Duration(i)*time.Minute), window)
				must(t, err, "RecordFailure")
				same(t, n, i, "count returned")
			}
			n, last, err := s.Failures(t.Context(), "password", "u1", "192.0.2.1")
			must(t, err, "Failures")
			same(t, n, 3, "count")
			same(t, last, at(3*time.Minute), "last failure")
		}},
		{"NoneIsZero", func(t *testing.T, s store.Store) {
			n, last, err := s.Failures(t.Context(), "password", "nobody", "192.0.2.1")
			must(t, err, "Failures")
			same(t, n, 0, "count")
			same(t, last.IsZero(), true, "last is zero")
		}},
		{"WindowForgets", func(t *testing.T, s store.Store) {
			_, err := s.RecordFailure(t.Context(), "password", "u1", "ip", at(0), window)
			must(t, err, "RecordFailure")
			n, err := s.RecordFailure(t.Context(), "password", "u1", "ip", at(window-time.Second), window)
			must(t, err, "RecordFailure")
			same(t, n, 2, "count within window")
			n, err = s.RecordFailure(t.Context(), "password", "u1", "ip", at(2*window+time.Second), window)
			must(t, err, "RecordFailure")
			same(t, n, 1, "count after a quiet window")
		}},
		{"KeysAreSeparate", func(t *testing.T, s store.Store) {
			for _, k := range [][3]string{{"password", "u1", "a"}, {"password", "u1", "b"}, {"otp", "u1", "a"}, {"password", "u2", "a"}} {
				n, err := s.RecordFailure(t.Context(), k[0], k[1], k[2], at(0), window)
				must(t, err, "RecordFailure")
				same(t, n, 1, fmt.Sprintf("count of %v", k))
			}
		}},
		{"Clear", func(t *testing.T, s store.Store) {
			for _, k := range [][3]string{{"password", "u1", "a"}, {"password", "u1", "b"}, {"password", "u2", "a"}, {"otp", "u1", "a"}} {
				_, err := s.RecordFailure(t.Context(), k[0], k[1], k[2], at(0), window)
				must(t, err, "RecordFailure")
			}
			count := func(kind, subject, ip string) int {
				n, _, err := s.Failures(t.Context(), kind, subject, ip)
				must(t, err, "Failures")
				return n
			}
			must(t, s.ClearFailures(t.Context(), "password", "u1", "a"), "ClearFailures one ip")
			same(t, []int{count("password", "u1", "a"), count("password", "u1", "b")}, []int{0, 1}, "u1 counts after clearing ip a")
			must(t, s.ClearFailures(t.Context(), "password", "u1", ""), "ClearFailures all ips")
			same(t, count("password", "u1", "b"), 0, "u1 count at ip b")
			same(t, []int{count("password", "u2", "a"), count("otp", "u1", "a")}, []int{1, 1}, "other subject and kind untouched")
		}},
		{"ConcurrentRecordCountsExactly", func(t *testing.T, s store.Store) {
			const each = 5
			got := make([][]int, racers)
			errs := race(racers, func(i int) error {
				for range each {
					n, err := s.RecordFailure(t.Context(), "password", "u1", "ip", at(time.Second), window)
					if err != nil {
						return err
					}
					got[i] = append(got[i], n)
				}
				return nil
			})
			var all []int
			for i, err := range errs {
				must(t, err, fmt.Sprintf("goroutine %d", i))
				all = append(all, got[i]...)
			}
			// Every count from 1 to racers*each handed out exactly once.
			sort.Ints(all)
			for i, n := range all {
				if n != i+1 {
					t.Fatalf("counts returned %v, want 1..%d each once", all, racers*each)
				}
			}
			n, _, err := s.Failures(t.Context(), "password", "u1", "ip")
			must(t, err, "Failures")
			same(t, n, racers*each, "final count")
		}},
	}
}
