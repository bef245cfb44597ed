//! The command line: `serve`, `tools`, `call`.

use std::io::Write;
use std::process::ExitCode;

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use ghl_runtime::{
    BatchError, BatchOptions, BatchProgress, CallError, Client, Config, OnError, execute_batch,
};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::exposure::{Exposure, Mode};
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
    /// Serve the tools to an MCP client over stdio (what Claude Desktop runs).
    #[command(
        after_help = "Examples:\n  ghl-mcp serve                      # 4 meta-tools: search, describe, execute, batch\n  \
        ghl-mcp serve --tools all --apps contacts --read-only\n  \
        ghl-mcp serve --tools get_contact,update_contact"
    )]
    Serve {
        /// What tools/list shows: `meta` (search_tools, describe_tool, execute_tool,
        /// execute_batch), `all` (every tool and execute_batch), or tool names separated by
        /// commas (those and execute_batch; no other tool runs).
        #[arg(long, default_value = "meta", value_parser = parse_mode)]
        tools: Mode,
        /// Only tools of these apps, separated by commas; enforced when a tool runs.
        #[arg(long, value_delimiter = ',')]
        apps: Vec<String>,
        /// Only tools that read; enforced when a tool runs, by any route.
        #[arg(long)]
        read_only: bool,
        /// Cut results longer than this many bytes of JSON (about 4 bytes a token), with a
        /// notice saying how large the whole was and how to ask for less.
        #[arg(long, env = "GHL_MAX_RESULT_BYTES", default_value_t = ghl_runtime::result_cap::DEFAULT_MAX_RESULT_BYTES, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1000..))]
        max_result_bytes: usize,
    },
    /// List the tools: name, method, path and summary.
    #[command(
        after_help = "Examples:\n  ghl-mcp tools --app calendars\n  ghl-mcp tools --json | jq '.[].name'"
    )]
    Tools {
        /// Only the tools of this app (see the app names in docs/README.md).
        #[arg(long)]
        app: Option<String>,
        /// Print JSON: name, app, method, path, summary and whether each writes.
        #[arg(long)]
        json: bool,
    },
    /// Show one tool: what it does, its request, and its parameters.
    #[command(after_help = "Example:\n  ghl-mcp describe update_contact")]
    Describe {
        /// The tool's name.
        tool: String,
        /// Print JSON (the same as the describe_tool meta-tool returns).
        #[arg(long)]
        json: bool,
    },
    /// Check the configuration and that GHL answers with this token (one cheap read).
    Doctor,
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  ghl-mcp completions bash > ~/.local/share/bash-completion/completions/ghl-mcp"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Convert one of GHL's official OpenAPI app files into a spec file.
    #[command(
        after_help = "Examples:\n  ghl-mcp import-openapi openapi/ghl-v2/apps/calendars.json --out specs/calendars.yaml\n\n\
        When --out already exists (a curated spec), nothing in it is changed: the import is\n\
        written beside it as <out>.imported and the differences are listed, to merge by hand.\n\
        Operations that cannot be converted are listed with their reason."
    )]
    ImportOpenapi {
        /// The official OpenAPI file (its `$ref`s to ../common/ are followed).
        file: PathBuf,
        /// The app's name (default: the file's name, `-` turned into `_`).
        #[arg(long)]
        app: Option<String>,
        /// Where to write the spec; without it the spec goes to stdout.
        #[arg(long)]
        out: Option<PathBuf>,
        /// The specs directory whose tool names the import must not reuse.
        #[arg(long, default_value = "specs")]
        specs: PathBuf,
    },
    /// Write the reference docs (Markdown per app, an index, tools.json) from the specs.
    #[command(after_help = "Example:\n  ghl-mcp docs --out docs/    # from the repository's root")]
    Docs {
        /// The specs directory to render.
        #[arg(long, default_value = "specs")]
        specs: PathBuf,
        /// Where to write the files (created if missing; stale generated files are removed).
        #[arg(long)]
        out: PathBuf,
    },
    /// Call one tool and print GHL's JSON answer.
    #[command(
        after_help = "Examples:\n  ghl-mcp call get_contact --args '{\"contactId\": \"abc123\"}'\n  \
        ghl-mcp call get_contact --arg contactId=abc123 --select contact.email,contact.tags\n  \
        echo '{\"contactId\": \"abc123\"}' | ghl-mcp call get_contact\n  \
        ghl-mcp call add_contact_tags --arg contactId=abc123 --arg 'tags=[\"vip\"]' --dry-run\n\n\
        Arguments come from --args, or from --arg key=value pairs (a value that parses as JSON is\n\
        taken as JSON, otherwise as text; dotted keys nest: --arg dnd.email=true), or from stdin.\n\
        Exit codes: 0 ok, 2 usage, 3 invalid arguments, 4 GHL error, 5 network or configuration."
    )]
    Call {
        /// The tool's name (see `ghl-mcp tools`).
        tool: String,
        /// The arguments as a JSON object.
        #[arg(long, conflicts_with = "arg")]
        args: Option<String>,
        /// One argument as key=value; repeat it for more.
        #[arg(long = "arg", value_name = "KEY=VALUE")]
        arg: Vec<String>,
        /// Keep only these fields of the answer: dotted paths, comma separated (through arrays).
        #[arg(long, value_delimiter = ',')]
        select: Vec<String>,
        /// Print the request (method, URL, headers without the token, body) and send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Run one tool for every line of a JSON Lines file (at most 100), within the rate limit.
    #[command(
        after_help = "Example:\n  ghl-mcp batch add_contact_tags --items tags.jsonl --concurrency 5 --detail --select tags\n\n\
        Each line of FILE is one arguments object. Prints the summary (or --detail) as JSON.\n\
        Exit codes: 0 every item succeeded, 6 some failed or were skipped, 2 usage, 3 invalid\n\
        items with --on-error stop, 5 network or configuration."
    )]
    Batch {
        /// The tool's name.
        tool: String,
        /// A JSON Lines file of arguments objects, `-` for stdin.
        #[arg(long)]
        items: PathBuf,
        /// Requests in flight at once (1 to 10).
        #[arg(long, default_value_t = 5)]
        concurrency: usize,
        /// What to do after an item fails.
        #[arg(long, value_enum, default_value_t = OnErrorCli::Continue)]
        on_error: OnErrorCli,
        /// Print every item's result too, in item order.
        #[arg(long)]
        detail: bool,
        /// With --detail: keep only these fields of each result (dotted paths, comma separated).
        #[arg(long, value_delimiter = ',')]
        select: Vec<String>,
        /// Retries per item (0 to 10); writes are retried only when safe.
        #[arg(long, default_value_t = 2)]
        max_retries: u32,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum OnErrorCli {
    /// Run the other items anyway.
    Continue,
    /// Start no new item after a failure.
    Stop,
}

fn parse_mode(value: &str) -> Result<Mode, String> {
    value.parse()
}

/// Runs the command and returns the process's exit code.
pub(crate) async fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Serve {
            tools,
            apps,
            read_only,
            max_result_bytes,
        } => {
            let apps = (!apps.is_empty()).then_some(apps);
            let exposure = Exposure {
                mode: tools,
                apps,
                read_only,
            };
            serve(exposure, max_result_bytes).await
        }
        Command::Batch {
            tool,
            items,
            concurrency,
            on_error,
            detail,
            select,
            max_retries,
        } => {
            let on_error = match on_error {
                OnErrorCli::Continue => OnError::Continue,
                OnErrorCli::Stop => OnError::Stop,
            };
            let options = BatchOptions {
                concurrency,
                on_error,
                max_retries,
            };
            batch(&tool, &items, &options, detail, &select).await
        }
        Command::Tools { app, json } => list_tools(app.as_deref(), json),
        Command::Describe { tool, json } => describe(&tool, json),
        Command::Doctor => crate::doctor::run().await,
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            // Into a buffer first: clap_complete panics when stdout closes early (`| head`).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "ghl-mcp", &mut script);
            let _ = std::io::stdout().write_all(&script);
            ExitCode::SUCCESS
        }
        Command::Docs { specs, out } => write_docs(&specs, &out),
        Command::ImportOpenapi {
            file,
            app,
            out,
            specs,
        } => import_openapi(&file, app, out.as_deref(), &specs),
        Command::Call {
            tool,
            args,
            arg,
            select,
            dry_run,
        } => {
            let args = match call_arguments(args, &arg) {
                Ok(args) => args,
                Err(e) => return fail(exit::INVALID_ARGUMENTS, e),
            };
            call(&tool, args, &select, dry_run).await
        }
    }
}

fn fail(code: u8, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(code)
}

async fn serve(exposure: Exposure, max_result_bytes: usize) -> ExitCode {
    if let Err(e) = exposure.check_apps() {
        return fail(exit::USAGE, e);
    }
    let client = match Config::from_env().map(Client::new) {
        Ok(client) => client,
        Err(e) => return fail(exit::NETWORK_OR_CONFIG, e),
    };
    if client.config().api_key.is_none() {
        tracing::warn!(
            "GHL_API_KEY is not set: tools are listed, but every call will fail until it is"
        );
    } else if let Err(e) = client.set_up_http() {
        tracing::warn!("{e}; tools are listed, but every call will fail");
    }
    match server::serve(client, exposure, max_result_bytes).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(exit::INTERNAL, format!("MCP server stopped: {e:#}")),
    }
}

fn list_tools(app: Option<&str>, json: bool) -> ExitCode {
    if let Some(app) = app
        && !crate::registry::APPS.iter().any(|a| a.name == app)
    {
        let known: Vec<&str> = crate::registry::APPS.iter().map(|a| a.name).collect();
        return fail(
            exit::USAGE,
            format!("unknown app `{app}`; the apps are: {}", known.join(", ")),
        );
    }
    let tools: Vec<_> = catalog::all()
        .filter(|t| app.is_none_or(|a| t.app == a))
        .collect();
    let mut out = std::io::stdout().lock();
    if json {
        let list: Vec<Value> = tools
            .iter()
            .map(|t| {
                serde_json::json!({
                    "name": t.name, "app": t.app, "method": t.method.as_str(), "path": t.path,
                    "summary": t.summary, "writes": !t.annotations.read_only,
                })
            })
            .collect();
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&list).unwrap_or_default()
        );
        return ExitCode::SUCCESS;
    }
    let width = tools.iter().map(|t| t.name.len()).max().unwrap_or(0);
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
    ExitCode::SUCCESS
}

fn describe(name: &str, json: bool) -> ExitCode {
    let tool = match find_tool(name) {
        Ok(tool) => tool,
        Err(code) => return code,
    };
    if json {
        write_json(
            &serde_json::to_string_pretty(&crate::describe::as_json(tool)).unwrap_or_default(),
        );
    } else {
        write_out(&crate::describe::as_text(tool));
    }
    ExitCode::SUCCESS
}

/// The arguments of `call`: `--args`, else the `--arg` pairs, else stdin when it is not a
/// terminal, else none.
fn call_arguments(args: Option<String>, pairs: &[String]) -> Result<Value, String> {
    if let Some(text) = args {
        return serde_json::from_str(&text).map_err(|e| format!("--args is not valid JSON: {e}"));
    }
    if !pairs.is_empty() {
        let mut object = serde_json::Map::new();
        for pair in pairs {
            let (key, raw) = pair
                .split_once('=')
                .ok_or_else(|| format!("--arg {pair:?} is not key=value"))?;
            let value =
                serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_string()));
            insert_dotted(&mut object, key, value)?;
        }
        return Ok(Value::Object(object));
    }
    if std::io::stdin().is_terminal() {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
        .map_err(|e| format!("cannot read stdin: {e}"))?;
    if text.trim().is_empty() {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    serde_json::from_str(&text)
        .map_err(|e| format!("the arguments on stdin are not valid JSON: {e}"))
}

/// Sets `a.b.c` = value, creating the objects on the way.
fn insert_dotted(
    object: &mut serde_json::Map<String, Value>,
    key: &str,
    value: Value,
) -> Result<(), String> {
    match key.split_once('.') {
        None if key.is_empty() => Err("--arg needs a key before `=`".into()),
        None => {
            object.insert(key.to_string(), value);
            Ok(())
        }
        Some((head, rest)) => {
            let child = object
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(serde_json::Map::new()));
            match child {
                Value::Object(child) => insert_dotted(child, rest, value),
                _ => Err(format!(
                    "--arg {key}: `{head}` is already set to a value that is not an object"
                )),
            }
        }
    }
}

async fn call(name: &str, args: Value, select: &[String], dry_run: bool) -> ExitCode {
    let tool = match find_tool(name) {
        Ok(tool) => tool,
        Err(code) => return code,
    };
    let client = match Config::from_env().map(Client::new) {
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
        write_out(&text);
        return ExitCode::SUCCESS;
    }
    match client.send(&request).await {
        Ok(value) => {
            let value = ghl_runtime::projection::project(&value, select);
            write_json(&serde_json::to_string_pretty(&value).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(e) => {
            let code = match &e {
                CallError::Arguments(_) => exit::INVALID_ARGUMENTS,
                CallError::Http { .. }
                | CallError::BadResponse { .. }
                | CallError::TooLarge { .. }
                | CallError::RateLimit(_) => exit::GHL_ERROR,
                CallError::Cancelled { .. } | CallError::Internal(_) => exit::INTERNAL,
                CallError::Network { .. } | CallError::Config(_) => exit::NETWORK_OR_CONFIG,
            };
            fail(code, format!("{name}: {e}"))
        }
    }
}

/// Reads a JSON Lines file (or stdin for `-`): one arguments value per non-empty line.
fn read_items(path: &Path) -> Result<Vec<Value>, String> {
    let reader: Box<dyn BufRead> = if path == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Box::new(std::io::BufReader::new(file))
    };
    let mut items = Vec::new();
    for (number, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let item = serde_json::from_str(&line)
            .map_err(|e| format!("{} line {}: not JSON: {e}", path.display(), number + 1))?;
        items.push(item);
    }
    Ok(items)
}

async fn batch(
    name: &str,
    items: &Path,
    options: &BatchOptions,
    detail: bool,
    select: &[String],
) -> ExitCode {
    let tool = match find_tool(name) {
        Ok(tool) => tool,
        Err(code) => return code,
    };
    let items = match read_items(items) {
        Ok(items) => items,
        Err(e) => return fail(exit::INVALID_ARGUMENTS, e),
    };
    let client = match Config::from_env().map(Client::new) {
        Ok(client) => client,
        Err(e) => return fail(exit::NETWORK_OR_CONFIG, e),
    };
    let bar = std::io::stderr().is_terminal();
    let progress = move |p: BatchProgress| {
        if bar {
            let width = 30;
            let filled = (p.done * width).checked_div(p.total).unwrap_or(width);
            eprint!(
                "\r[{}{}] {}/{} done, {} failed",
                "#".repeat(filled),
                ".".repeat(width - filled),
                p.done,
                p.total,
                p.failed
            );
            if p.done == p.total {
                eprintln!();
            }
        }
    };
    let report = match execute_batch(
        &client,
        tool,
        items,
        options,
        &CancellationToken::new(),
        &progress,
    )
    .await
    {
        Ok(report) => report,
        Err(e) => {
            let code = match e {
                BatchError::InvalidItems { .. } => exit::INVALID_ARGUMENTS,
                BatchError::Config(_) => exit::NETWORK_OR_CONFIG,
                BatchError::TooManyItems(_)
                | BatchError::Concurrency(_)
                | BatchError::MaxRetries(_) => exit::USAGE,
            };
            return fail(code, format!("{name}: {e}"));
        }
    };
    let output = if detail {
        report.detail(select)
    } else {
        report.summary()
    };
    write_json(&serde_json::to_string_pretty(&output).unwrap_or_default());
    if report.succeeded() == report.outcomes.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::SOME_ITEMS_FAILED)
    }
}

/// Renders the docs and writes them; removes `.md`/`.json` files in `out` that are no longer
/// rendered (an app whose spec was removed), so the directory matches the specs exactly.
fn write_docs(specs: &Path, out: &Path) -> ExitCode {
    let files = match ghl_codegen::docs::render_dir(specs) {
        Ok(files) => files,
        Err(errors) => return fail(exit::INVALID_ARGUMENTS, errors),
    };
    if let Err(e) = std::fs::create_dir_all(out) {
        return fail(
            exit::INTERNAL,
            format!("cannot create {}: {e}", out.display()),
        );
    }
    let rendered: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    if let Ok(entries) = std::fs::read_dir(out) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let generated = name.ends_with(".md") || name.ends_with(".json");
            if generated && !rendered.contains(&name.as_str()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    for file in &files {
        if let Err(e) = std::fs::write(out.join(&file.path), &file.text) {
            return fail(
                exit::INTERNAL,
                format!("cannot write {}: {e}", out.join(&file.path).display()),
            );
        }
    }
    eprintln!("wrote {} files to {}", files.len(), out.display());
    ExitCode::SUCCESS
}

/// Imports an official OpenAPI file. A curated spec at `out` is never overwritten: the import
/// goes beside it (`<out>.imported`) and the differences are listed.
fn import_openapi(file: &Path, app: Option<String>, out: Option<&Path>, specs: &Path) -> ExitCode {
    use ghl_codegen::openapi::{ImportOptions, compare, import_file};
    // Tool names of the other apps, so the import never reuses one.
    let mut taken_names = std::collections::BTreeSet::new();
    let existing = out.filter(|o| o.exists());
    if let Ok(loaded) = ghl_codegen::load::load_dir(specs) {
        for spec in loaded
            .iter()
            .filter(|s| existing.is_none_or(|e| !same_file(&s.file, e)))
        {
            taken_names.extend(spec.spec.tools.iter().map(|t| t.name.value.clone()));
        }
    }
    let imported = match import_file(file, &ImportOptions { app, taken_names }) {
        Ok(imported) => imported,
        Err(e) => return fail(exit::INVALID_ARGUMENTS, e),
    };
    for skipped in &imported.skipped {
        eprintln!(
            "skipped {} {}: {}",
            skipped.method, skipped.path, skipped.reason
        );
    }
    for note in &imported.notes {
        eprintln!("note: {}: {}", note.tool, note.message);
    }
    eprintln!(
        "{}: {} tools, {} operations skipped",
        imported.app,
        imported.tools.len(),
        imported.skipped.len()
    );
    let Some(out) = out else {
        write_out(&imported.yaml);
        return ExitCode::SUCCESS;
    };
    let target = match existing {
        None => out.to_path_buf(),
        Some(curated) => {
            let beside = PathBuf::from(format!("{}.imported", curated.display()));
            let parse = |path: &Path, text: &str| {
                ghl_codegen::load::parse(path, text).map_err(|e| e.to_string())
            };
            let current = std::fs::read_to_string(curated)
                .map_err(|e| e.to_string())
                .and_then(|t| parse(curated, &t));
            match (current, parse(&beside, &imported.yaml)) {
                (Ok(current), Ok(new)) => {
                    let differences = compare(&current, &new);
                    eprintln!(
                        "{} exists and is kept as it is; {} difference(s) from the import:",
                        curated.display(),
                        differences.len()
                    );
                    for difference in &differences {
                        eprintln!("  {}", difference.description);
                    }
                }
                (Err(e), _) | (_, Err(e)) => {
                    eprintln!("cannot compare with {}: {e}", curated.display())
                }
            }
            beside
        }
    };
    if let Err(e) = std::fs::write(&target, &imported.yaml) {
        return fail(
            exit::INTERNAL,
            format!("cannot write {}: {e}", target.display()),
        );
    }
    eprintln!("wrote {}", target.display());
    ExitCode::SUCCESS
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The tool with this name, or the usage error that says it is unknown.
fn find_tool(name: &str) -> Result<&'static ghl_runtime::ToolDef, ExitCode> {
    catalog::find(name).ok_or_else(|| {
        fail(
            exit::USAGE,
            format!(
                "{} (`ghl-mcp tools` lists them)",
                catalog::unknown_tool(name)
            ),
        )
    })
}

/// Writes to stdout, ignoring a reader that went away (`ghl-mcp tools --json | head -1`)
/// instead of panicking the way `println!` does.
fn write_out(text: &str) {
    let _ = std::io::stdout().write_all(text.as_bytes());
}

/// Writes a line of text (pretty JSON) with [`write_out`].
fn write_json(text: &str) {
    write_out(text);
    write_out("\n");
}
