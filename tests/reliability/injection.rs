//! Ids that try to leave their path segment, add a query, or add a header. Each must arrive as
//! exactly one percent-encoded segment that decodes back to the id, or be refused before
//! anything is sent.

use ghl_testkit::FakeGhl;
use serde_json::json;

use crate::Run;
use crate::session::{Session, text};

pub const IDS: [&str; 12] = [
    "../../users/me",
    "..",
    ".",
    "",
    "a/b",
    "%2F..%2Fusers",
    "x?locationId=other",
    "x#fragment",
    "x\r\nX-Injected: 1",
    "ünïcødé/日本",
    "x y+z&w=1",
    "http://evil.example/path",
];

/// The id as the report shows it (control characters escaped).
pub fn shown(id: &str) -> String {
    format!("`{}`", id.escape_debug())
}

fn decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = segment
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub async fn run(id: &'static str) -> Run {
    let fake = FakeGhl::start().await;
    let session = Session::start(&fake.base_url()).await;
    let answer = session
        .call("get_contact", json!({ "contactId": id }))
        .await;
    let requests = fake.requests();
    let (expected, said) = match (&answer, requests.as_slice()) {
        (Ok(result), []) if result.is_error == Some(true) => {
            let said = text(result);
            (said.contains("contactId"), format!("refused: {said}"))
        }
        (Ok(result), [one]) if result.is_error != Some(true) => {
            let segment = one.path.strip_prefix("/contacts/").unwrap_or("");
            let clean = !segment.is_empty()
                && !segment.contains('/')
                && decode(segment) == id
                && one.query.is_none()
                && one.header("x-injected").is_none();
            (clean, format!("sent as GET {}", one.path))
        }
        (answer, requests) => (
            false,
            format!("unexpected: {answer:?}, {} requests", requests.len()),
        ),
    };
    let served = session.serves().await;
    session.finish().await;
    Run {
        expected,
        served,
        problem: (!expected).then(|| said.clone()),
        said,
        ..Run::default()
    }
}

macro_rules! injection_tests {
    ($($name:ident => $index:expr),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            run(IDS[$index]).await.assert_sound(IDS[$index]);
        }
    )*};
}

injection_tests! {
    dot_dot_slashes => 0,
    dot_dot => 1,
    dot => 2,
    empty => 3,
    slash => 4,
    encoded_slash => 5,
    question_mark => 6,
    hash => 7,
    crlf_header => 8,
    unicode => 9,
    query_characters => 10,
    absolute_url => 11,
}
