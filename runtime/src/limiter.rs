//! One process-wide rate limiter, keyed by location.
//!
//! GHL allows a number of requests per window (100 per 10 s by default) per location. A plain
//! GCRA with a burst of N lets up to 2N−1 requests into one window; to keep every window of the
//! quota's length at or under N, requests are spaced evenly instead: a burst of 1 and one
//! request every `window / (N − 1)`. Any N consecutive requests then span at least the window,
//! and throughput stays at (N − 1)/N of the quota.
//!
//! The limiter also believes GHL (see [`RateLimiter::observe`]): a 429 pauses every caller of
//! that location for the interval (or `Retry-After`); `X-RateLimit-Remaining: 0` does too,
//! unless this process's own recent requests account for the whole count (then the budget frees
//! as soon as the oldest of them leaves the window, which the pace already waits for); a
//! stricter `X-RateLimit-Max` per `X-RateLimit-Interval-Milliseconds` becomes the pace, and
//! `X-RateLimit-Daily-Remaining: 0` refuses calls at once for a while.

use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::time::Duration;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use governor::Quota;

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

/// What a GHL response said about the budget, from its `X-RateLimit-*` headers and status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateSignal {
    /// The answer was a 429.
    pub too_many: bool,
    /// `X-RateLimit-Max`: requests allowed per interval.
    pub max: Option<u32>,
    /// `X-RateLimit-Remaining`: requests left in the current interval.
    pub remaining: Option<u32>,
    /// `X-RateLimit-Interval-Milliseconds`: the interval's length.
    pub interval: Option<Duration>,
    /// `X-RateLimit-Daily-Remaining`: requests left today.
    pub daily_remaining: Option<u64>,
    /// `Retry-After` in seconds, on a 429.
    pub retry_after: Option<Duration>,
}

/// A request that may not be sent now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RateLimitError {
    /// GHL said the day's budget for this location is used up.
    #[error(
        "GHL's daily request budget for location `{key}` is used up (X-RateLimit-Daily-Remaining: 0); \
         calls for it are refused for the next {} minutes, then one request checks again",
        .retry_in.as_secs().div_ceil(60)
    )]
    DailyBudgetUsedUp {
        /// The location.
        key: String,
        /// How long until a request is tried again.
        retry_in: Duration,
    },
}

/// How long a location stays refused once its daily budget is gone. GHL does not say when it
/// resets; after this long, one request finds out.
const DAILY_BLOCK: Duration = Duration::from_secs(30 * 60);

/// The most send times remembered per location (see [`KeyState::sent`]).
const MAX_REMEMBERED_SENDS: usize = 10_000;

type Pace = governor::DefaultDirectRateLimiter;

fn pace_for(quota: RateQuota) -> Arc<Pace> {
    let spacing =
        Quota::with_period(quota.spacing()).unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN));
    Arc::new(governor::RateLimiter::direct(spacing))
}

#[derive(Debug)]
struct KeyState {
    /// The quota in force: the configured one, or GHL's when it announced a stricter one.
    quota: RateQuota,
    pace: Arc<Pace>,
    /// Nobody sends for this key before then (a 429, or no requests remaining).
    paused_until: Option<Instant>,
    /// Requests for this key are refused before then (daily budget gone).
    refused_until: Option<Instant>,
    /// When this process let its latest requests for this key go, oldest first: at most the
    /// quota's number of requests (capped at [`MAX_REMEMBERED_SENDS`]).
    sent: VecDeque<Instant>,
}

impl KeyState {
    /// Remembers a request let go at `at`.
    fn record_send(&mut self, at: Instant) {
        let keep = (self.quota.requests.get() as usize).clamp(1, MAX_REMEMBERED_SENDS);
        while self.sent.len() >= keep {
            self.sent.pop_front();
        }
        self.sent.push_back(at);
    }

    /// When GHL, having counted `max` requests in its last `window` (`X-RateLimit-Remaining:
    /// 0`), will take another, if this process's own requests explain that count: at least
    /// `max − 1` of its last `max` sends fall within the window (the one short is a request
    /// that reached GHL later than it left here). The budget then frees when the oldest of
    /// those `max` sends leaves the window. `None` when others spend the same budget, or when
    /// fewer than `max` sends are remembered: the caller then waits the whole window.
    fn frees_at(&self, max: u32, window: Duration, now: Instant) -> Option<Instant> {
        let max = max as usize;
        if max == 0 || self.sent.len() < max {
            return None;
        }
        let recent = self
            .sent
            .iter()
            .rev()
            .take_while(|at| now.saturating_duration_since(**at) < window)
            .count();
        if recent + 1 < max {
            return None;
        }
        Some(self.sent[self.sent.len() - max] + window)
    }
}

/// The process-wide limiter: every request waits for its location's turn, and what GHL says
/// about the budget (its headers, a 429) slows or pauses every caller of that location.
#[derive(Debug)]
pub struct RateLimiter {
    quota: RateQuota,
    keys: Mutex<HashMap<String, KeyState>>,
}

impl RateLimiter {
    /// A limiter that keeps every key within `quota`.
    pub fn new(quota: RateQuota) -> Self {
        RateLimiter {
            quota,
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// The configured quota.
    pub fn quota(&self) -> RateQuota {
        self.quota
    }

    /// The quota in force for `key`: the configured one unless GHL announced a stricter one.
    pub fn quota_for(&self, key: &str) -> RateQuota {
        self.with_key(key, |state| state.quota)
    }

    fn with_key<T>(&self, key: &str, f: impl FnOnce(&mut KeyState) -> T) -> T {
        let mut keys = self
            .keys
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let state = keys.entry(key.to_string()).or_insert_with(|| KeyState {
            quota: self.quota,
            pace: pace_for(self.quota),
            paused_until: None,
            refused_until: None,
            sent: VecDeque::new(),
        });
        f(state)
    }

    /// Waits until a request for `key` (a location id) may be sent, or refuses it at once when
    /// the location's daily budget is gone.
    pub async fn acquire(&self, key: &str) -> Result<(), RateLimitError> {
        loop {
            let now = Instant::now();
            let (pace, paused_until, refused_until) =
                self.with_key(key, |s| (s.pace.clone(), s.paused_until, s.refused_until));
            if let Some(until) = refused_until.filter(|until| *until > now) {
                return Err(RateLimitError::DailyBudgetUsedUp {
                    key: key.to_string(),
                    retry_in: until - now,
                });
            }
            if let Some(until) = paused_until.filter(|until| *until > now) {
                tokio::time::sleep_until(until.into()).await;
                continue;
            }
            pace.until_ready().await;
            // A pause may have begun while this request waited for its turn: honour it too.
            let now = Instant::now();
            let paused = self.with_key(key, |s| {
                let paused = s.paused_until.is_some_and(|until| until > now);
                if !paused {
                    s.record_send(now);
                }
                paused
            });
            if paused {
                continue;
            }
            return Ok(());
        }
    }

    /// Learns from a response for `key`: a 429 or an empty budget pauses every caller of the
    /// location for the interval; a stricter announced quota becomes the pace; an empty daily
    /// budget refuses further calls for a while.
    pub fn observe(&self, key: &str, signal: &RateSignal) {
        let now = Instant::now();
        self.with_key(key, |state| {
            let interval = signal.interval.unwrap_or(state.quota.window);
            if signal.too_many || signal.remaining == Some(0) {
                let until = if signal.too_many {
                    now + signal.retry_after.unwrap_or(interval)
                } else {
                    // Spent by this process alone, the budget frees as soon as its oldest
                    // counted request leaves the window; spent by others too, wait it out.
                    let max = signal.max.unwrap_or(state.quota.requests.get());
                    state.frees_at(max, interval, now).unwrap_or(now + interval)
                };
                if until > now && state.paused_until.is_none_or(|current| current < until) {
                    let wait = until - now;
                    tracing::info!(location = key, wait_ms = wait.as_millis() as u64, "GHL's budget is spent: pausing this location");
                    state.paused_until = Some(until);
                }
            }
            if let (Some(max), Some(window)) = (signal.max.and_then(NonZeroU32::new), signal.interval) {
                let announced = RateQuota { requests: max, window };
                if announced.spacing() > state.quota.spacing() {
                    tracing::info!(location = key, quota = %announced, "GHL announced a stricter quota: following it");
                    state.quota = announced;
                    state.pace = pace_for(announced);
                }
            }
            match signal.daily_remaining {
                Some(0) => state.refused_until = Some(now + DAILY_BLOCK),
                Some(_) => state.refused_until = None,
                None => {}
            }
        });
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

    fn limiter() -> RateLimiter {
        RateLimiter::new("100/10s".parse().unwrap())
    }

    #[tokio::test]
    async fn a_429_pauses_every_caller_of_that_location_only() {
        let limiter = limiter();
        limiter.acquire("a").await.unwrap();
        let signal = RateSignal {
            too_many: true,
            interval: Some(Duration::from_millis(300)),
            ..RateSignal::default()
        };
        limiter.observe("a", &signal);
        let started = Instant::now();
        limiter.acquire("b").await.unwrap();
        assert!(
            started.elapsed() < Duration::from_millis(250),
            "another location is not paused"
        );
        limiter.acquire("a").await.unwrap();
        assert!(
            started.elapsed() >= Duration::from_millis(300),
            "paused for the interval"
        );
    }

    #[tokio::test]
    async fn no_remaining_budget_pauses_and_retry_after_wins_on_a_429() {
        let limiter = limiter();
        let signal = RateSignal {
            remaining: Some(0),
            interval: Some(Duration::from_millis(200)),
            ..RateSignal::default()
        };
        limiter.observe("a", &signal);
        let started = Instant::now();
        limiter.acquire("a").await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(200));

        let signal = RateSignal {
            too_many: true,
            retry_after: Some(Duration::from_secs(1)),
            interval: Some(Duration::from_millis(10)),
            ..RateSignal::default()
        };
        limiter.observe("c", &signal);
        let started = Instant::now();
        limiter.acquire("c").await.unwrap();
        assert!(
            started.elapsed() >= Duration::from_secs(1),
            "Retry-After is honoured"
        );
    }

    /// The pause `observe` sets for `key`, from `now`.
    fn pause_of(limiter: &RateLimiter, key: &str, now: Instant) -> Option<Duration> {
        limiter.with_key(key, |s| {
            s.paused_until
                .map(|until| until.saturating_duration_since(now))
        })
    }

    #[test]
    fn no_remaining_budget_spent_by_this_process_alone_costs_no_window() {
        // 5 per 500 ms, paced 125 ms apart; the fifth request reached GHL a little early (or
        // the first a little late), so GHL counted all five in one window.
        let limiter = RateLimiter::new("5/500ms".parse().unwrap());
        let now = Instant::now();
        limiter.with_key("a", |s| {
            for ms in [501, 375, 250, 125, 0] {
                s.record_send(now - Duration::from_millis(ms));
            }
        });
        let spent = RateSignal {
            max: Some(5),
            remaining: Some(0),
            interval: Some(Duration::from_millis(500)),
            ..RateSignal::default()
        };
        limiter.observe("a", &spent);
        assert_eq!(
            pause_of(&limiter, "a", now),
            None,
            "the oldest has left the window already; the pace is wait enough"
        );

        // Five sends within the window: the budget frees when the oldest leaves it.
        limiter.with_key("b", |s| {
            for ms in [400, 300, 200, 100, 0] {
                s.record_send(now - Duration::from_millis(ms));
            }
        });
        limiter.observe("b", &spent);
        let pause = pause_of(&limiter, "b", now).unwrap();
        assert!(pause <= Duration::from_millis(100), "{pause:?}");

        // Only two of ours in the window: others spend this budget too, so wait it out.
        limiter.with_key("c", |s| {
            for ms in [1400, 1300, 1200, 100, 0] {
                s.record_send(now - Duration::from_millis(ms));
            }
        });
        limiter.observe("c", &spent);
        let pause = pause_of(&limiter, "c", now).unwrap();
        assert!(pause >= Duration::from_millis(450), "{pause:?}");

        // Fewer sends remembered than GHL counted: not ours alone either.
        limiter.with_key("d", |s| s.record_send(now));
        limiter.observe("d", &spent);
        assert!(pause_of(&limiter, "d", now).unwrap() >= Duration::from_millis(450));
    }

    #[tokio::test]
    async fn only_the_quota_s_worth_of_sends_is_remembered() {
        let limiter = RateLimiter::new("3/30ms".parse().unwrap());
        for _ in 0..5 {
            limiter.acquire("a").await.unwrap();
        }
        assert_eq!(limiter.with_key("a", |s| s.sent.len()), 3);
    }

    #[test]
    fn a_stricter_announced_quota_is_followed_and_a_looser_one_ignored() {
        let limiter = limiter();
        let stricter = RateSignal {
            max: Some(50),
            interval: Some(Duration::from_secs(10)),
            remaining: Some(40),
            ..RateSignal::default()
        };
        limiter.observe("a", &stricter);
        assert_eq!(limiter.quota_for("a").to_string(), "50/10s");
        let looser = RateSignal {
            max: Some(500),
            interval: Some(Duration::from_secs(10)),
            ..RateSignal::default()
        };
        limiter.observe("b", &looser);
        assert_eq!(
            limiter.quota_for("b").to_string(),
            "100/10s",
            "never faster than configured"
        );
    }

    #[tokio::test]
    async fn a_spent_daily_budget_refuses_at_once_until_ghl_says_otherwise() {
        let limiter = limiter();
        limiter.observe(
            "a",
            &RateSignal {
                daily_remaining: Some(0),
                ..RateSignal::default()
            },
        );
        let err = limiter.acquire("a").await.unwrap_err();
        assert!(
            err.to_string()
                .contains("daily request budget for location `a` is used up"),
            "{err}"
        );
        limiter.acquire("b").await.unwrap();
        limiter.observe(
            "a",
            &RateSignal {
                daily_remaining: Some(10),
                ..RateSignal::default()
            },
        );
        limiter.acquire("a").await.unwrap();
    }
}
