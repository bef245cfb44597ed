//! `ghl-mcp`: GoHighLevel's API as MCP tools for AI agents, declared in YAML.
//!
//! One binary: an MCP stdio server (`serve`), a shell client (`tools`, `call`), all over the
//! tools generated from `specs/*.yaml` at build time.

mod catalog;
mod cli;
#[cfg(test)]
mod conformance;
mod describe;
mod doctor;
mod exit;
mod exposure;
mod meta;
mod registry;
mod search;
mod server;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    init_logging();
    report_panics_in_the_log();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::INTERNAL);
        }
    };
    runtime.block_on(cli::run(cli))
}

/// Logs go to stderr only: stdout carries the MCP protocol. `GHL_LOG` sets the filter
/// (`info` by default; `debug` shows every request GHL answered).
fn init_logging() {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::prelude::*;
    let filter = std::env::var("GHL_LOG")
        .ok()
        .and_then(|spec| spec.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO));
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(false),
        )
        .with(filter)
        .init();
}

/// A panic (a bug) is reported through the log, on stderr, with the token scrubbed from its
/// message: the default hook prints the message as it is. Tool calls also catch panics and
/// answer with an error (see `server`), so this is what a user sees beside that answer.
fn report_panics_in_the_log() {
    let token = std::env::var("GHL_API_KEY")
        .ok()
        .map(ghl_runtime::Secret::new);
    std::panic::set_hook(Box::new(move |info| {
        let text = info.to_string();
        let text = match &token {
            Some(token) => token.scrub(text),
            None => text,
        };
        tracing::error!("ghl-mcp {text} (a bug; please report it)");
    }));
}
