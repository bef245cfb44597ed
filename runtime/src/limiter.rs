//! One process-wide rate limiter, keyed by location.
//!
//! GHL allows a number of requests per window (100 per 10 s by default) per location. A plain
//! GCRA with a burst of N lets up to 2N−1 requests into one window; to keep every window of the
//! quota's length at or under N, requests are spaced evenly instead: a burst of 1 and one
//! request every `window / (N − 1)`. Any N consecutive requests then span at least the window,
//! and throughput stays at (N − 1)/N of the quota.

use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::time::Duration;

use governor::Quota;
use governor::clock::DefaultClock;
use governor::state::keyed::HashMapStateStore;

/// A number of requests allowed per window, written `N/<duration>` (`100/10s`, `5/500ms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateQuota {
    /// Requests allowed in any window.
    pub requests: NonZeroU32,
    /// The window's length.
    pub window: Duration,
}

impl Default for RateQuota {
    /// GHL's documented burst limit: 100 requests per 10 seconds.
    fn default() -> Self {
        RateQuota {
            requests: NonZeroU32::new(100).unwrap_or(NonZeroU32::MIN),
            window: Duration::from_secs(10),
        }
    }
}

impl RateQuota {
    /// The spacing between two requests that keeps every window within the quota.
    pub fn spacing(&self) -> Duration {
        match self.requests.get() {
            // One request per window: the next may start just after the window has passed.
            1 => self.window + Duration::from_millis(1),
            // Rounded up, so N − 1 spacings never fall short of the window.
            n => {
                let nanos = self.window.as_nanos().div_ceil(u128::from(n - 1));
                Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
            }
        }
    }
}

impl fmt::Display for RateQuota {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.window.as_millis();
        if ms.is_multiple_of(1000) {
            write!(f, "{}/{}s", self.requests, ms / 1000)
        } else {
            write!(f, "{}/{}ms", self.requests, ms)
        }
    }
}

impl FromStr for RateQuota {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let shape = "expected N/<duration> such as 100/10s, 5/500ms or 1000/1m";
        let (n, window) = s.split_once('/').ok_or(shape)?;
        let requests: u32 = n
            .trim()
            .parse()
            .map_err(|_| format!("{n:?} is not a whole number; {shape}"))?;
        let requests =
            NonZeroU32::new(requests).ok_or("the number of requests must be at least 1")?;
        let window = parse_duration(window.trim()).ok_or(shape)?;
        if window.is_zero() {
            return Err("the window must be longer than zero".into());
        }
        Ok(RateQuota { requests, window })
    }
}

fn parse_duration(s: &str) -> Option<Duration> {
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let number: f64 = if number.is_empty() {
        1.0
    } else {
        number.parse().ok()?
    };
    let seconds = match unit {
        "ms" => number / 1000.0,
        "s" | "" => number,
        "m" => number * 60.0,
        "h" => number * 3600.0,
        _ => return None,
    };
    Duration::try_from_secs_f64(seconds).ok()
}

/// The process-wide limiter: every request waits for its location's turn.
#[derive(Debug)]
pub struct RateLimiter {
    quota: RateQuota,
    inner: governor::RateLimiter<String, HashMapStateStore<String>, DefaultClock>,
}

impl RateLimiter {
    /// A limiter that keeps every key within `quota`.
    pub fn new(quota: RateQuota) -> Self {
        let spacing = Quota::with_period(quota.spacing())
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN));
        RateLimiter {
            quota,
            inner: governor::RateLimiter::hashmap(spacing),
        }
    }

    /// The quota it enforces.
    pub fn quota(&self) -> RateQuota {
        self.quota
    }

    /// Waits until a request for `key` (a location id) may be sent.
    pub async fn acquire(&self, key: &str) {
        self.inner.until_key_ready(&key.to_string()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quotas() {
        let q: RateQuota = "100/10s".parse().unwrap();
        assert_eq!((q.requests.get(), q.window), (100, Duration::from_secs(10)));
        let q: RateQuota = "5/500ms".parse().unwrap();
        assert_eq!(
            (q.requests.get(), q.window),
            (5, Duration::from_millis(500))
        );
        let q: RateQuota = "60/m".parse().unwrap();
        assert_eq!(q.window, Duration::from_secs(60));
        assert_eq!(q.to_string(), "60/60s");
        for bad in ["", "100", "0/10s", "x/10s", "10/0s", "10/10parsecs"] {
            assert!(bad.parse::<RateQuota>().is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn spacing_keeps_n_requests_within_one_window() {
        let q: RateQuota = "100/10s".parse().unwrap();
        // N requests spaced this way span (N-1) * spacing: the window, rounded up.
        let span = q.spacing() * 99;
        assert!(
            span >= Duration::from_secs(10)
                && span < Duration::from_secs(10) + Duration::from_micros(1),
            "{span:?}"
        );
        let one: RateQuota = "1/1s".parse().unwrap();
        assert!(one.spacing() > Duration::from_secs(1));
    }
}
