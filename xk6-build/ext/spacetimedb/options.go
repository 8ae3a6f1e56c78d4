package spacetimedb

import (
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Options configure a Client (the JS ClientOptions object).
type Options struct {
	URL            string
	Token          string
	ConnectTimeout time.Duration
	RequestTimeout time.Duration
	PingInterval   time.Duration // 0 = no client pings
	MaxRetries     int
	RetryDelay     time.Duration
	Tags           map[string]string
}

// DefaultOptions are the values used for the fields a script leaves out.
func DefaultOptions() Options {
	return Options{
		ConnectTimeout: 10 * time.Second,
		RequestTimeout: 30 * time.Second,
		PingInterval:   30 * time.Second,
		MaxRetries:     3,
		RetryDelay:     time.Second,
	}
}

var knownOptions = map[string]bool{
	"url": true, "token": true, "connectTimeoutMs": true, "requestTimeoutMs": true,
	"pingIntervalMs": true, "maxRetries": true, "retryDelayMs": true, "tags": true,
}

// parseOptions validates the exported JS options object.
func parseOptions(v any) (Options, error) {
	o := DefaultOptions()
	m, ok := v.(map[string]any)
	if !ok {
		return o, fmt.Errorf("spacetimedb: new Client(options) needs an options object with a url, got %T", v)
	}
	var unknown []string
	for k := range m {
		if !knownOptions[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return o, fmt.Errorf("spacetimedb: unknown Client option(s) %s", strings.Join(unknown, ", "))
	}

	rawURL, ok := m["url"].(string)
	if !ok || rawURL == "" {
		return o, fmt.Errorf("spacetimedb: Client option url must be a non-empty string (ws://host:port/v1/database/<db>/subscribe)")
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
		return o, fmt.Errorf("spacetimedb: Client option url must be a ws:// or wss:// URL, got %q", rawURL)
	}
	o.URL = rawURL

	if t, present := m["token"]; present && t != nil {
		s, ok := t.(string)
		if !ok {
			return o, fmt.Errorf("spacetimedb: Client option token must be a string, got %T", t)
		}
		o.Token = s
	}

	type durOpt struct {
		name      string
		dst       *time.Duration
		allowZero bool
	}
	for _, d := range []durOpt{
		{"connectTimeoutMs", &o.ConnectTimeout, false},
		{"requestTimeoutMs", &o.RequestTimeout, false},
		{"pingIntervalMs", &o.PingInterval, true},
		{"retryDelayMs", &o.RetryDelay, true},
	} {
		n, present, err := number(m, d.name)
		if err != nil {
			return o, err
		}
		if !present {
			continue
		}
		if n < 0 || (n == 0 && !d.allowZero) || n > 24*3600*1000 {
			lo := "1"
			if d.allowZero {
				lo = "0"
			}
			return o, fmt.Errorf("spacetimedb: Client option %s must be from %s to 86400000 ms, got %v", d.name, lo, n)
		}
		*d.dst = time.Duration(n * float64(time.Millisecond))
	}

	n, present, err := number(m, "maxRetries")
	if err != nil {
		return o, err
	}
	if present {
		if n < 0 || n > 1000 || n != math.Trunc(n) {
			return o, fmt.Errorf("spacetimedb: Client option maxRetries must be an integer from 0 to 1000, got %v", n)
		}
		o.MaxRetries = int(n)
	}

	if t, present := m["tags"]; present && t != nil {
		tm, ok := t.(map[string]any)
		if !ok {
			return o, fmt.Errorf("spacetimedb: Client option tags must be an object of strings, got %T", t)
		}
		o.Tags = make(map[string]string, len(tm))
		for k, v := range tm {
			s, ok := v.(string)
			if !ok {
				return o, fmt.Errorf("spacetimedb: Client option tags.%s must be a string, got %T", k, v)
			}
			o.Tags[k] = s
		}
	}
	return o, nil
}

func number(m map[string]any, name string) (float64, bool, error) {
	v, present := m[name]
	if !present || v == nil {
		return 0, false, nil
	}
	var f float64
	switch n := v.(type) {
	case int64:
		f = float64(n)
	case int:
		f = float64(n)
	case float64:
		f = n
	default:
		return 0, true, fmt.Errorf("spacetimedb: Client option %s must be a number, got %T", name, v)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, true, fmt.Errorf("spacetimedb: Client option %s must be a finite number", name)
	}
	return f, true, nil
}
