//! The command line: `serve`, `tools`, `call`.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ghl_runtime::{CallError, Client, Config};
use serde_json::Value;

use crate::{catalog, exit, server};

/// GoHighLevel's API as MCP tools for AI agents, declared in YAML.
///
/// Configuration comes from the environment: GHL_API_KEY (token), GHL_LOCATION_ID (default
/// location), GHL_BASE_URL, GHL_RATE_LIMIT (e.g. 100/10s), GHL_TIMEOUT_SECS, GHL_LOG.
#[derive(Debug, Parser)]
#[command(name = "ghl-mcp", version, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve every tool to an MCP client over stdio (what Claude Desktop runs).
    Serve,
    /// List the tools: name, method, path and summary.
    Tools,
    /// Call one tool and print GHL's JSON answer.
    #[command(
        after_help = "Example:\n  ghl-mcp call get_contact --args '{\"contactId\": \"abc123\"}'\n\n\
        Exit codes: 0 ok, 2 usage, 3 invalid arguments, 4 GHL error, 5 network or configuration."
    )]
    Call {
        /// The tool's name (see `ghl-mcp tools`).
        tool: String,
        /// The arguments as a JSON object.
        #[arg(long, default_value = "{}")]
        args: String,
        /// Print the request (method, URL, headers without the token, body) and send nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Runs the command and returns the process's exit code.
pub(crate) async fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Serve => serve().await,
        Command::Tools => {
            list_tools();
            ExitCode::SUCCESS
        }
        Command::Call {
            tool,
            args,
            dry_run,
        } => call(&tool, &args, dry_run).await,
    }
}

fn fail(code: u8, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(code)
}

async fn serve() -> ExitCode {
    let client = match Config::from_env().and_then(Client::new) {
        Ok(client) => client,
        Err(e) => return fail(exit::NETWORK_OR_CONFIG, e),
    };
    if client.config().api_key.is_none() {
        tracing::warn!(
            "GHL_API_KEY is not set: tools are listed, but every call will fail until it is"
        );
    }
    match server::serve(client).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(exit::INTERNAL, format!("MCP server stopped: {e:#}")),
    }
}

fn list_tools() {
    let tools: Vec<_> = catalog::all().collect();
    let width = tools.iter().map(|t| t.name.len()).max().unwrap_or(0);
    let mut out = std::io::stdout().lock();
    for tool in tools {
        let _ = writeln!(
            out,
            "{:width$}  {:6} {}  {}",
            tool.name,
            tool.method.as_str(),
            tool.path,
            tool.summary
        );
    }
}

async fn call(name: &str, args: &str, dry_run: bool) -> ExitCode {
    let Some(tool) = catalog::find(name) else {
        let hint = catalog::closest(name)
            .map(|c| format!("; did you mean `{c}`?"))
            .unwrap_or_default();
        return fail(
            exit::USAGE,
            format!("unknown tool `{name}`{hint} (`ghl-mcp tools` lists them)"),
        );
    };
    let args: Value = match serde_json::from_str(args) {
        Ok(args) => args,
        Err(e) => {
            return fail(
                exit::INVALID_ARGUMENTS,
                format!("--args is not valid JSON: {e}"),
            );
        }
    };
    let client = match Config::from_env().and_then(Client::new) {
        Ok(client) => client,
        Err(e) => return fail(exit::NETWORK_OR_CONFIG, e),
    };
    let request = match tool.build_request(args, client.config().location_id.as_deref()) {
        Ok(request) => request,
        Err(e) => return fail(exit::INVALID_ARGUMENTS, format!("{name}: {e}")),
    };
    if dry_run {
        let mut text = format!("{} {}\n", request.method.as_str(), client.url(&request));
        for (header, value) in client.redacted_headers(&request) {
            text.push_str(&format!("{header}: {value}\n"));
        }
        if let Some(body) = &request.body {
            text.push('\n');
            text.push_str(&serde_json::to_string_pretty(body).unwrap_or_default());
            text.push('\n');
        }
        print!("{text}");
        return ExitCode::SUCCESS;
    }
    match client.send(&request).await {
        Ok(value) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            let code = match &e {
                CallError::Arguments(_) => exit::INVALID_ARGUMENTS,
                CallError::Http { .. } => exit::GHL_ERROR,
                CallError::Network { .. } | CallError::Config(_) => exit::NETWORK_OR_CONFIG,
            };
            fail(code, format!("{name}: {e}"))
        }
    }
}
