//! Every shell command in README.md runs, so the README cannot rot: `ghl-mcp …` and
//! `cargo run --release -- …` lines run the real binary against a fake GHL on 127.0.0.1 and
//! must exit 0; `cargo …` lines that build or test are what `.ci/run` runs, and are checked
//! to be there.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Stdio;

use ghl_testkit::FakeGhl;
use tokio::process::Command;

/// The lines of the README's ```sh blocks, comments dropped.
fn shell_lines(readme: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_block = false;
    for line in readme.lines() {
        match line.trim() {
            "```sh" => in_block = true,
            "```" => in_block = false,
            text if in_block && !text.is_empty() => {
                let code = split_comment(text);
                if !code.is_empty() {
                    lines.push(code.to_string());
                }
            }
            _ => {}
        }
    }
    lines
}

/// The line without a trailing `# comment` outside quotes.
fn split_comment(line: &str) -> &str {
    let mut quote = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') => return line[..i].trim_end(),
            _ => {}
        }
    }
    line.trim_end()
}

/// Shell words: spaces separate, single and double quotes group.
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote = None;
    let mut started = false;
    for c in line.chars() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if started {
                    words.push(std::mem::take(&mut current));
                    started = false;
                }
            }
            (_, c) => {
                current.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(current);
    }
    words
}

#[tokio::test]
async fn every_command_in_the_readme_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let ci = std::fs::read_to_string(root.join(".ci/run")).unwrap();
    let fake = FakeGhl::start().await;
    let work = std::env::temp_dir().join(format!("ghl-mcp-readme-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("tags.jsonl"), "{\"contactId\": \"c1\", \"tags\": [\"vip\"]}\n{\"contactId\": \"c2\", \"tags\": [\"vip\"]}\n").unwrap();

    let lines = shell_lines(&readme);
    assert!(lines.len() >= 8, "the README has its commands: {lines:?}");
    let mut ran = 0;
    for line in &lines {
        let mut words: Vec<String> = words(line)
            .into_iter()
            .skip_while(|w| w.contains('=') && w.starts_with("GHL_"))
            .collect();
        // Output redirection: the file goes to the scratch directory.
        let redirect = words.iter().position(|w| w == ">").map(|at| {
            let target = words[at + 1].clone();
            words.truncate(at);
            target
        });
        let args: Vec<String> = match words.first().map(String::as_str) {
            Some("ghl-mcp") => words[1..].to_vec(),
            Some("cargo")
                if words.get(1..4) == Some(&["run".into(), "--release".into(), "--".into()]) =>
            {
                words[4..].to_vec()
            }
            Some("cargo") => {
                assert!(
                    ci.contains(line.as_str()),
                    "`{line}` is in the README but .ci/run does not run it"
                );
                continue;
            }
            _ => panic!("a README command this test does not know how to run: `{line}`"),
        };
        let child = Command::new(env!("CARGO_BIN_EXE_ghl-mcp"))
            .args(&args)
            .current_dir(&work)
            .env("GHL_BASE_URL", fake.base_url())
            .env("GHL_API_KEY", "readme-token")
            .env("GHL_LOCATION_ID", "loc-readme")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let output = tokio::time::timeout(std::time::Duration::from_secs(30), async {
            child.wait_with_output().await.unwrap()
        })
        .await
        .unwrap_or_else(|_| panic!("`{line}` did not finish"));
        assert!(
            output.status.success(),
            "`{line}` exited {:?}: {}",
            output.status.code(),
            String::from_utf8_lossy(&output.stderr)
        );
        if let Some(target) = redirect {
            std::fs::write(work.join(target), &output.stdout).unwrap();
        }
        ran += 1;
    }
    assert!(ran >= 8, "ran {ran} commands");
    assert!(
        work.join("ghl-mcp.bash").exists(),
        "the completion script was written"
    );
    std::fs::remove_dir_all(&work).unwrap();
}

#[test]
fn words_and_comments_split_like_a_shell() {
    assert_eq!(
        words(r#"call x --args '{"a": "b c"}' --dry-run"#),
        ["call", "x", "--args", r#"{"a": "b c"}"#, "--dry-run"]
    );
    assert_eq!(
        split_comment("ghl-mcp tools   # list them"),
        "ghl-mcp tools"
    );
    assert_eq!(
        split_comment("echo '# not a comment'"),
        "echo '# not a comment'"
    );
}
