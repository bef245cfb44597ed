//! The process-wide limiter, measured on the fake GHL's clock: no window of the quota's length
//! ever holds more than the quota, for any location.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use ghl_runtime::{Client, Config, Method, Request};
use ghl_testkit::FakeGhl;

fn client(fake: &FakeGhl, quota: &str) -> Client {
    let env = [
        ("GHL_BASE_URL", fake.base_url()),
        ("GHL_API_KEY", "token".into()),
        ("GHL_RATE_LIMIT", quota.into()),
    ];
    let config =
        Config::from_lookup(|var| env.iter().find(|(k, _)| *k == var).map(|(_, v)| v.clone()))
            .unwrap();
    Client::new(config)
}

fn request(location: &str) -> Request {
    Request {
        tool: "test",
        method: Method::Get,
        path: format!("/ping/{location}"),
        query: Vec::new(),
        body: None,
        version: "2021-07-28",
        rate_key: location.to_string(),
        idempotent: true,
        scopes: &[],
    }
}

/// The most requests that arrived within any closed window of `window` starting at an arrival.
fn busiest_window(arrivals: &[Instant], window: Duration) -> usize {
    arrivals
        .iter()
        .map(|start| {
            arrivals
                .iter()
                .filter(|t| **t >= *start && **t - *start <= window)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[tokio::test]
async fn n_plus_k_requests_take_at_least_the_window_and_no_window_exceeds_n() {
    let fake = FakeGhl::start().await;
    let client = client(&fake, "5/1s");
    let (n, k, window) = (5, 3, Duration::from_secs(1));
    let calls = (0..n + k).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.send(&request("loc-a")).await })
    });
    for call in calls {
        call.await.unwrap().unwrap();
    }
    let arrivals: Vec<Instant> = fake.requests().iter().map(|r| r.at).collect();
    assert_eq!(arrivals.len(), n + k, "every request was sent exactly once");
    let span = *arrivals.last().unwrap() - arrivals[0];
    assert!(
        span >= window,
        "{} requests over a 5/1s quota spanned only {span:?}",
        n + k
    );
    let busiest = busiest_window(&arrivals, window);
    assert!(
        busiest <= n,
        "a 1 s window held {busiest} requests; the quota is {n}"
    );
}

#[tokio::test]
async fn locations_have_separate_budgets() {
    let fake = FakeGhl::start().await;
    let client = client(&fake, "4/1s");
    let calls: Vec<_> = ["loc-a", "loc-b"]
        .iter()
        .flat_map(|loc| std::iter::repeat_n(*loc, 4))
        .map(|loc| {
            let client = client.clone();
            tokio::spawn(async move { client.send(&request(loc)).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    let requests = fake.requests();
    for loc in ["loc-a", "loc-b"] {
        let arrivals: Vec<Instant> = requests
            .iter()
            .filter(|r| r.path.ends_with(loc))
            .map(|r| r.at)
            .collect();
        assert_eq!(arrivals.len(), 4);
        assert!(busiest_window(&arrivals, Duration::from_secs(1)) <= 4);
    }
    // Both locations start at once: one location's queue does not hold up the other's.
    let first = |loc: &str| requests.iter().find(|r| r.path.ends_with(loc)).unwrap().at;
    let last_a = requests
        .iter()
        .rev()
        .find(|r| r.path.ends_with("loc-a"))
        .unwrap()
        .at;
    assert!(first("loc-b") < last_a, "loc-b waited behind loc-a");
}
