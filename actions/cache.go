package actions

import (
	"context"
	"sync"
	"time"
)

// CacheRecord is one api.cache entry.
type CacheRecord struct {
	Value     string
	ExpiresAt time.Time
}

// CacheBackend stores api.cache entries for the trigger (spec §4.7). It must be
// safe for concurrent use. Expired entries must not be returned. Usage reports
// the live entries and their total size (len(key)+len(value)) so the engine
// can enforce the trigger-wide limits.
type CacheBackend interface {
	Get(ctx context.Context, key string) (CacheRecord, bool, error)
	Set(ctx context.Context, key string, rec CacheRecord) error
	Delete(ctx context.Context, key string) (bool, error)
	Usage(ctx context.Context) (entries, bytes int, err error)
}

// Cache limits (spec §4.7, §9; total size per the docs' 8 KB).
const (
	CacheMaxEntries  = 20
	CacheMaxKeyBytes = 64
	CacheMaxValue    = 4096
	CacheMaxTotal    = 8 * 1024
	CacheDefaultTTL  = 15 * time.Minute
	CacheMaxTTL      = 24 * time.Hour
)

// MemoryCache is an in-process CacheBackend. It is what a nil Options.Cache
// means (one per execution) and a reference for store-backed ones.
type MemoryCache struct {
	now     func() time.Time
	mu      sync.Mutex
	entries map[string]CacheRecord
}

func NewMemoryCache(now func() time.Time) *MemoryCache {
	if now == nil {
		now = time.Now
	}
	return &MemoryCache{now: now, entries: map[string]CacheRecord{}}
}

func (c *MemoryCache) Get(_ context.Context, key string) (CacheRecord, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	rec, ok := c.entries[key]
	if !ok || !rec.ExpiresAt.After(c.now()) {
		delete(c.entries, key)
		return CacheRecord{}, false, nil
	}
	return rec, true, nil
}

func (c *MemoryCache) Set(_ context.Context, key string, rec CacheRecord) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[key] = rec
	return nil
}

func (c *MemoryCache) Delete(_ context.Context, key string) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	rec, ok := c.entries[key]
	delete(c.entries, key)
	return ok && rec.ExpiresAt.After(c.now()), nil
}

func (c *MemoryCache) Usage(context.Context) (int, int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, size, now := 0, 0, c.now()
	for k, rec := range c.entries {
		if !rec.ExpiresAt.After(now) {
			delete(c.entries, k)
			continue
		}
		n++
		size += len(k) + len(rec.Value)
	}
	return n, size, nil
}
