package actions

import (
	"math"
	"time"

	"github.com/dop251/goja"
)

// cacheNamespace implements api.cache (spec §4.7): limit violations are
// returned as {type:"error", code}, never thrown.
func cacheNamespace(m *nsBuilder) {
	m.fn("get", (*actionRun).cacheGet)
	m.fn("set", (*actionRun).cacheSet)
	m.fn("delete", (*actionRun).cacheDelete)
}

func (ar *actionRun) cacheRecord(rec CacheRecord) map[string]any {
	return map[string]any{"value": rec.Value, "expires_at": float64(rec.ExpiresAt.UnixMilli())}
}

func (ar *actionRun) cacheError(code string) goja.Value {
	return ar.toJS(map[string]any{"type": "error", "code": code})
}

func (ar *actionRun) cacheGet(c goja.FunctionCall) goja.Value {
	rec, ok, err := ar.ex.cache.Get(ar.ex.budgetCtx(), c.Argument(0).String())
	if err != nil || !ok || !rec.ExpiresAt.After(ar.ex.now()) {
		return goja.Undefined()
	}
	return ar.toJS(ar.cacheRecord(rec))
}

func (ar *actionRun) cacheSet(c goja.FunctionCall) goja.Value {
	key, value := c.Argument(0).String(), c.Argument(1).String()
	if len(key) > CacheMaxKeyBytes {
		return ar.cacheError("CacheKeySizeExceeded")
	}
	if len(value) > CacheMaxValue {
		return ar.cacheError("CacheValueSizeExceeded")
	}
	now := ar.ex.now()
	expires := now.Add(CacheDefaultTTL)
	if opts, ok := c.Argument(2).(*goja.Object); ok {
		var explicit []time.Time
		for _, name := range []string{"ttl", "expires_at"} {
			v := opts.Get(name)
			if v == nil || goja.IsUndefined(v) {
				continue
			}
			f := v.ToFloat()
			if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1<<53-1 {
				return ar.cacheError("InvalidExpiry")
			}
			if name == "ttl" {
				explicit = append(explicit, now.Add(time.Duration(f)*time.Millisecond))
			} else {
				explicit = append(explicit, time.UnixMilli(int64(f)))
			}
		}
		for i, e := range explicit { // both given: the earlier wins
			if i == 0 || e.Before(expires) {
				expires = e
			}
		}
	}
	if !expires.After(now) {
		return ar.cacheError("ItemAlreadyExpired")
	}
	if latest := now.Add(CacheMaxTTL); expires.After(latest) {
		expires = latest
	}
	entries, size, err := ar.ex.cache.Usage(ar.ex.budgetCtx())
	if err != nil {
		return ar.cacheError("FailedToSetCacheRecord")
	}
	if old, exists, err := ar.ex.cache.Get(ar.ex.budgetCtx(), key); err == nil && exists {
		entries--
		size -= len(key) + len(old.Value)
	}
	if entries+1 > CacheMaxEntries || size+len(key)+len(value) > CacheMaxTotal {
		return ar.cacheError("CacheSizeExceeded")
	}
	rec := CacheRecord{Value: value, ExpiresAt: expires.Truncate(time.Millisecond)}
	if err := ar.ex.cache.Set(ar.ex.budgetCtx(), key, rec); err != nil {
		return ar.cacheError("FailedToSetCacheRecord")
	}
	return ar.toJS(map[string]any{"type": "success", "record": ar.cacheRecord(rec)})
}

func (ar *actionRun) cacheDelete(c goja.FunctionCall) goja.Value {
	ok, err := ar.ex.cache.Delete(ar.ex.budgetCtx(), c.Argument(0).String())
	switch {
	case err != nil:
		return ar.cacheError("FailedToDeleteCacheRecord")
	case !ok:
		return ar.cacheError("CacheKeyDoesNotExist")
	}
	return ar.toJS(map[string]any{"type": "success"})
}
