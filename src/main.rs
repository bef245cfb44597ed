//! ghl-mcp: GoHighLevel tools for AI agents.
mod registry;
fn main() {
    let n: usize = registry::APPS.iter().map(|a| a.tools.len()).sum();
    println!("{n}");
}
