//! The MCP server: a hand-written `ServerHandler` over the generated registry.

use std::sync::Arc;

use ghl_runtime::Client;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde_json::Value;

use crate::catalog;

/// Serves every generated tool over MCP.
#[derive(Clone)]
pub(crate) struct GhlServer {
    client: Client,
    tools: Arc<Vec<Tool>>,
}

impl GhlServer {
    pub(crate) fn new(client: Client) -> Self {
        let tools = catalog::all().map(catalog::mcp_tool).collect();
        GhlServer {
            client,
            tools: Arc::new(tools),
        }
    }

    /// Runs the tool and turns the outcome into a result the model can read: GHL's JSON, or
    /// an `isError` result naming what is wrong.
    async fn call(&self, name: &str, args: Value) -> Result<CallToolResult, ErrorData> {
        let Some(tool) = catalog::find(name) else {
            let hint = catalog::closest(name)
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            return Err(ErrorData::invalid_params(
                format!("unknown tool `{name}`{hint}"),
                None,
            ));
        };
        match self.client.call(tool, args).await {
            Ok(value) => Ok(CallToolResult::success(vec![ContentBlock::text(
                value.to_string(),
            )])),
            Err(error) => {
                tracing::info!(tool = name, %error, "tool call failed");
                Ok(CallToolResult::error(vec![ContentBlock::text(format!(
                    "{name}: {error}"
                ))]))
            }
        }
    }
}

impl ServerHandler for GhlServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("ghl-mcp", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "GoHighLevel (GHL) API tools. Each tool is one GHL operation; arguments are its \
                 path, query and body fields. locationId defaults to the configured location.",
            )
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
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = request.arguments.map_or(Value::Null, Value::Object);
        self.call(&request.name, args)
            .await
            .map(CallToolResponse::from)
    }
}

/// Serves MCP over stdin/stdout until the client closes stdin.
pub(crate) async fn serve(client: Client) -> anyhow::Result<()> {
    let server = GhlServer::new(client);
    tracing::info!(tools = server.tools.len(), "ghl-mcp serving MCP on stdio");
    let running = server.serve(rmcp::transport::io::stdio_pipes()).await?;
    let reason = running.waiting().await?;
    tracing::info!(?reason, "MCP session ended");
    Ok(())
}
