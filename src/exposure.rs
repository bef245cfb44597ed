//! Which tools a server shows and lets run: `--tools`, `--apps`, `--read-only`.
//!
//! Filters are enforced when a tool is executed, by any route (a listed tool, `execute_tool`,
//! `execute_batch`), not only hidden from the list.

use ghl_runtime::ToolDef;

use crate::catalog;

/// What tools/list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `search_tools`, `describe_tool`, `execute_tool`, `execute_batch`.
    Meta,
    /// Every allowed tool plus `execute_batch`.
    All,
    /// These tools plus `execute_batch`; no other tool runs.
    Named(Vec<String>),
}

impl std::str::FromStr for Mode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "meta" => Ok(Mode::Meta),
            "all" => Ok(Mode::All),
            "" => Err("expected meta, all, or tool names separated by commas".into()),
            names => {
                let names: Vec<String> = names
                    .split(',')
                    .map(|n| n.trim().to_string())
                    .filter(|n| !n.is_empty())
                    .collect();
                for name in &names {
                    if catalog::find(name).is_none() {
                        return Err(catalog::unknown_tool(name));
                    }
                }
                Ok(Mode::Named(names))
            }
        }
    }
}

/// The server's view of the tools.
#[derive(Debug, Clone)]
pub(crate) struct Exposure {
    pub(crate) mode: Mode,
    /// Only tools of these apps, when given.
    pub(crate) apps: Option<Vec<String>>,
    /// Only tools that only read.
    pub(crate) read_only: bool,
}

impl Default for Exposure {
    fn default() -> Self {
        Exposure {
            mode: Mode::Meta,
            apps: None,
            read_only: false,
        }
    }
}

impl Exposure {
    /// Checks that every `--apps` name is an app.
    pub(crate) fn check_apps(&self) -> Result<(), String> {
        for app in self.apps.iter().flatten() {
            if !crate::registry::APPS.iter().any(|a| a.name == app) {
                let known: Vec<&str> = crate::registry::APPS.iter().map(|a| a.name).collect();
                return Err(format!(
                    "unknown app `{app}`; the apps are: {}",
                    known.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// Why `tool` may not run here, or `None` when it may.
    pub(crate) fn refusal(&self, tool: &ToolDef) -> Option<String> {
        if self.read_only && !tool.annotations.read_only {
            return Some(format!(
                "`{}` changes data, and this server runs with --read-only",
                tool.name
            ));
        }
        if let Some(apps) = &self.apps
            && !apps.iter().any(|a| a == tool.app)
        {
            return Some(format!(
                "`{}` belongs to app `{}`, and this server serves only --apps {}",
                tool.name,
                tool.app,
                apps.join(",")
            ));
        }
        if let Mode::Named(names) = &self.mode
            && !names.iter().any(|n| n == tool.name)
        {
            return Some(format!(
                "`{}` is not among the tools this server serves (--tools {})",
                tool.name,
                names.join(",")
            ));
        }
        None
    }

    /// Every tool that may run here.
    pub(crate) fn allowed(&self) -> impl Iterator<Item = &'static ToolDef> + '_ {
        catalog::all().filter(|tool| self.refusal(tool).is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_and_apps_filter_what_may_run() {
        let exposure = Exposure {
            mode: Mode::All,
            apps: None,
            read_only: true,
        };
        let get = catalog::find("get_contact").unwrap();
        let update = catalog::find("update_contact").unwrap();
        let search = catalog::find("search_contacts").unwrap();
        assert!(exposure.refusal(get).is_none());
        assert!(exposure.refusal(search).is_none(), "POST search only reads");
        assert!(exposure.refusal(update).unwrap().contains("--read-only"));
        assert!(exposure.allowed().all(|t| t.annotations.read_only));

        let exposure = Exposure {
            mode: Mode::All,
            apps: Some(vec!["calendars".into()]),
            read_only: false,
        };
        assert!(exposure.refusal(get).unwrap().contains("--apps calendars"));
        assert!(exposure.allowed().count() > 0);
        assert!(exposure.allowed().all(|t| t.app == "calendars"));
    }

    #[test]
    fn named_tools_are_the_only_ones_that_run() {
        let mode: Mode = "get_contact, update_contact".parse().unwrap();
        let exposure = Exposure {
            mode,
            apps: None,
            read_only: false,
        };
        assert_eq!(
            exposure.allowed().map(|t| t.name).collect::<Vec<_>>(),
            ["get_contact", "update_contact"]
        );
        assert!(
            "get_contcat"
                .parse::<Mode>()
                .unwrap_err()
                .contains("did you mean `get_contact`")
        );
    }
}
