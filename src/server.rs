//! The MCP server: a hand-written `ServerHandler` over the generated registry and the
//! meta-tools, shaped by the exposure flags (`--tools`, `--apps`, `--read-only`).

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt;

use ghl_runtime::result_cap::{self, Fitted};
use ghl_runtime::{BatchProgress, Client, ToolDef};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListToolsResult, PaginatedRequestParams, ProgressNotificationParam, ServerCapabilities,
    ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde_json::Value;

use crate::exposure::{Exposure, Mode};
use crate::{catalog, meta};

/// Serves the tools over MCP.
#[derive(Clone)]
pub(crate) struct GhlServer {
    client: Client,
    exposure: Arc<Exposure>,
    tools: Arc<Vec<Tool>>,
    /// Results longer than this (bytes of JSON) are cut, with a notice.
    max_result_bytes: usize,
}

impl GhlServer {
    pub(crate) fn new(client: Client, exposure: Exposure, max_result_bytes: usize) -> Self {
        let tools = match &exposure.mode {
            Mode::Meta => meta::tools(true),
            Mode::All | Mode::Named(_) => {
                let mut tools: Vec<Tool> = exposure.allowed().map(catalog::mcp_tool).collect();
                tools.extend(meta::tools(false));
                tools
            }
        };
        GhlServer {
            client,
            exposure: Arc::new(exposure),
            tools: Arc::new(tools),
            max_result_bytes,
        }
    }

    /// Runs a tool or meta-tool; a failure is an `isError` result the model can read. Only an
    /// unknown name is a protocol error. A panic on the way (a bug) is caught and becomes an
    /// `isError` result too, so the client always gets an answer.
    async fn call(
        &self,
        name: &str,
        args: Value,
        context: &RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let narrow = narrowing(name, &args);
        let outcome = guarded(name, &self.client, self.run(name, args, context)).await?;
        Ok(self.result(name, outcome, &narrow))
    }

    /// What a tool or meta-tool returned, or the message of its failure.
    async fn run(
        &self,
        name: &str,
        args: Value,
        context: &RequestContext<RoleServer>,
    ) -> Result<Result<Value, String>, ErrorData> {
        #[cfg(debug_assertions)]
        injected_panic(name);
        let exposure = &self.exposure;
        Ok(match name {
            "search_tools" => meta::search_tools(exposure, args),
            "describe_tool" => meta::describe_tool(exposure, args),
            "execute_tool" => meta::execute_tool(&self.client, exposure, args).await,
            "execute_batch" => {
                let progress = progress_reporter(context);
                meta::execute_batch_tool(&self.client, exposure, args, &context.ct, &progress).await
            }
            _ => {
                let Some(tool) = catalog::find(name) else {
                    return Err(ErrorData::invalid_params(catalog::unknown_tool(name), None));
                };
                if let Some(reason) = exposure.refusal(tool) {
                    return Ok(Err(reason));
                }
                self.client
                    .call(tool, args)
                    .await
                    .map_err(|e| format!("{name}: {e}"))
            }
        })
    }

    /// The MCP result of an outcome: GHL's JSON, cut to the cap with a notice, or the error.
    fn result(&self, name: &str, outcome: Result<Value, String>, narrow: &str) -> CallToolResult {
        match outcome {
            Ok(value) => {
                let Fitted { text, cut } = result_cap::fit(&value, self.max_result_bytes);
                let mut content = vec![ContentBlock::text(text)];
                if let Some(cut) = cut {
                    tracing::info!(
                        tool = name,
                        full_bytes = cut.full_bytes,
                        "result cut to fit"
                    );
                    content.push(ContentBlock::text(cut.notice(narrow)));
                }
                CallToolResult::success(content)
            }
            Err(message) => {
                tracing::info!(tool = name, error = %message, "tool call failed");
                CallToolResult::error(vec![ContentBlock::text(message)])
            }
        }
    }
}

/// Debug builds only (tests): `GHL_MCP_TEST_PANIC=TOOL:MESSAGE` makes every call of TOOL
/// panic with MESSAGE, so tests can check through the real binary that a panic is answered,
/// logged with the token scrubbed, and survived. No input makes a tool panic that tests
/// know of, which is why this hook exists; release builds do not have it.
#[cfg(debug_assertions)]
fn injected_panic(name: &str) {
    if let Some((tool, message)) = std::env::var("GHL_MCP_TEST_PANIC")
        .ok()
        .as_deref()
        .and_then(|spec| spec.split_once(':'))
        && tool == name
    {
        panic!("{message}");
    }
}

/// Runs `call`, turning a panic inside it into the failure of the call: its message (the
/// token scrubbed from it), logged and returned, so the request still gets an answer.
async fn guarded<T>(
    name: &str,
    client: &Client,
    call: impl Future<Output = Result<Result<T, String>, ErrorData>>,
) -> Result<Result<T, String>, ErrorData> {
    match AssertUnwindSafe(call).catch_unwind().await {
        Ok(outcome) => outcome,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".into());
            let what = client.scrub(what);
            tracing::error!(tool = name, panic = %what, "tool call panicked");
            Ok(Err(format!(
                "{name}: internal error in ghl-mcp (a bug; please report it): {what}. If the \
                 tool writes, check whether it took effect before repeating it"
            )))
        }
    }
}

/// How to ask for less, for the notice of a cut result: the route's own means (`select_fields`,
/// `result_mode`) and the tool's paging parameters.
fn narrowing(name: &str, args: &Value) -> String {
    let paging = |tool: &ToolDef| {
        const PAGING: [&str; 10] = [
            "limit",
            "pageLimit",
            "pageSize",
            "perPage",
            "page",
            "skip",
            "offset",
            "startAfter",
            "startAfterId",
            "searchAfter",
        ];
        let names: Vec<&str> = tool
            .args
            .iter()
            .map(|a| a.name)
            .filter(|n| PAGING.contains(n))
            .collect();
        if names.is_empty() {
            "its filters".to_string()
        } else {
            format!("its paging parameters ({}) or filters", names.join(", "))
        }
    };
    let target = |key: &str| {
        args.get(key)
            .and_then(Value::as_str)
            .and_then(catalog::find)
    };
    match name {
        "execute_tool" => match target("name") {
            Some(tool) => format!(
                "select_fields (e.g. [\"contacts.id\"]) keeps only the fields you need; or use {} \
                 to fetch less at a time.",
                paging(tool)
            ),
            None => "select_fields keeps only the fields you need.".into(),
        },
        "execute_batch" => "result_mode \"summary\" returns counts and errors only; \
             options.select_fields keeps only the fields you need; or send fewer items."
            .into(),
        "search_tools" | "describe_tool" => "a narrower query or a smaller limit.".into(),
        _ => match catalog::find(name) {
            Some(tool) => format!("use {} to fetch less at a time.", paging(tool)),
            None => "a narrower request.".into(),
        },
    }
}

/// Sends MCP progress notifications for a batch when the client asked for them (a progress
/// token in the request); otherwise does nothing.
fn progress_reporter(
    context: &RequestContext<RoleServer>,
) -> impl Fn(BatchProgress) + Send + Sync + use<> {
    let token = context.meta.get_progress_token();
    let sender = token.map(|token| {
        let (sender, mut updates) = tokio::sync::mpsc::unbounded_channel::<BatchProgress>();
        let peer = context.peer.clone();
        tokio::spawn(async move {
            while let Some(update) = updates.recv().await {
                let message = format!(
                    "{} of {} done, {} failed",
                    update.done, update.total, update.failed
                );
                let param = ProgressNotificationParam::new(token.clone(), update.done as f64)
                    .with_total(update.total as f64)
                    .with_message(message);
                if peer.notify_progress(param).await.is_err() {
                    break;
                }
            }
        });
        sender
    });
    move |update| {
        if let Some(sender) = &sender {
            let _ = sender.send(update);
        }
    }
}

impl ServerHandler for GhlServer {
    fn get_info(&self) -> ServerConfig {
        let instructions = match self.exposure.mode {
            Mode::Meta => {
                "GoHighLevel (GHL) API tools. Find a tool with search_tools, read its arguments \
                 with describe_tool, run it with execute_tool, or for many items with \
                 execute_batch. locationId defaults to the configured location."
            }
            _ => {
                "GoHighLevel (GHL) API tools. Each tool is one GHL operation; execute_batch runs \
                 one for many items. locationId defaults to the configured location."
            }
        };
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("ghl-mcp", env!("CARGO_PKG_VERSION")))
            .with_instructions(instructions)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools.as_ref().clone()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.tools.iter().find(|tool| tool.name == name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = request.arguments.map_or(Value::Null, Value::Object);
        self.call(&request.name, args, &context)
            .await
            .map(CallToolResponse::from)
    }
}

/// Serves MCP over stdin/stdout until the client closes stdin.
pub(crate) async fn serve(
    client: Client,
    exposure: Exposure,
    max_result_bytes: usize,
) -> anyhow::Result<()> {
    let server = GhlServer::new(client, exposure, max_result_bytes);
    tracing::info!(tools = server.tools.len(), "ghl-mcp serving MCP on stdio");
    let running = match server.serve(rmcp::transport::io::stdio_pipes()).await {
        Ok(running) => running,
        // The client went away before initializing: nothing to serve, and nothing went wrong.
        Err(rmcp::service::ServerInitializeError::ConnectionClosed(_)) => {
            tracing::info!("stdin closed before the MCP session began");
            return Ok(());
        }
        Err(error) => return Err(error.into()),
    };
    let reason = running.waiting().await?;
    tracing::info!(?reason, "MCP session ended");
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use ghl_runtime::Config;
    use serde_json::json;

    const TOKEN: &str = "pit-guarded-secret-0001";

    fn client() -> Client {
        let config = Config::from_lookup(|var| (var == "GHL_API_KEY").then(|| TOKEN.to_string()));
        Client::new(config.unwrap())
    }

    async fn panicking(message: String) -> Result<Result<Value, String>, ErrorData> {
        if !message.is_empty() {
            panic!("{message}");
        }
        Ok(Ok(json!("unreachable")))
    }

    #[tokio::test]
    async fn a_panic_becomes_the_calls_error_with_the_token_scrubbed() {
        let client = client();
        let outcome = guarded(
            "get_contact",
            &client,
            panicking(format!("state near {TOKEN}")),
        );
        let message = outcome.await.unwrap().unwrap_err();
        assert_eq!(
            message,
            "get_contact: internal error in ghl-mcp (a bug; please report it): state near \
             [redacted]. If the tool writes, check whether it took effect before repeating it"
        );
    }

    #[tokio::test]
    async fn a_panic_with_a_literal_message_keeps_it() {
        let call = async {
            if TOKEN.is_empty() {
                return Ok(Ok(json!(null)));
            }
            panic!("index out of bounds")
        };
        let message = guarded("execute_batch", &client(), call).await.unwrap();
        assert!(
            message
                .unwrap_err()
                .contains("please report it): index out of bounds."),
            "the message of a `&str` panic is kept"
        );
    }

    #[tokio::test]
    async fn outcomes_without_a_panic_pass_through_unchanged() {
        let client = client();
        let ok = guarded("a", &client, async { Ok(Ok(json!({"id": 1}))) }).await;
        assert_eq!(ok.unwrap().unwrap(), json!({"id": 1}));
        let failed = guarded("a", &client, async {
            Ok(Err::<Value, _>("a: no".to_string()))
        });
        assert_eq!(failed.await.unwrap().unwrap_err(), "a: no");
        let refused = guarded("a", &client, async {
            Err::<Result<Value, String>, _>(ErrorData::invalid_params("unknown tool `a`", None))
        });
        assert_eq!(refused.await.unwrap_err().message, "unknown tool `a`");
    }
}
