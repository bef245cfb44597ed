//! Tool names from `operationId`s: snake_case, unique across apps, at most 64 characters.

use std::collections::BTreeSet;

use super::NoteKind;
use super::text::{snake, truncate_name};
use crate::spec::Method;

/// The longest name a tool may have.
pub(crate) const MAX_NAME: usize = 64;

/// App and tool names: `^[a-z0-9_]{1,64}$`.
pub(crate) fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Hands out tool names for one file.
pub(crate) struct Namer<'a> {
    app: &'a str,
    taken: &'a BTreeSet<String>,
    used: BTreeSet<String>,
}

impl<'a> Namer<'a> {
    pub(crate) fn new(app: &'a str, taken: &'a BTreeSet<String>) -> Self {
        Namer {
            app,
            taken,
            used: BTreeSet::new(),
        }
    }

    fn free(&self, name: &str) -> bool {
        !self.taken.contains(name) && !self.used.contains(name)
    }

    /// The name for an operation, and a note when it is not the one its `operationId` gives.
    ///
    /// The wanted name is the `operationId` in snake_case (or `<method>_<path>` without one),
    /// cut to 64 characters. When another app or an earlier operation of this file has it,
    /// the app name is put in front; when that is taken too, `_2`, `_3`… is added.
    pub(crate) fn claim(
        &mut self,
        operation_id: Option<&str>,
        method: Method,
        path: &str,
    ) -> (String, Vec<(NoteKind, String)>) {
        let from_id = operation_id
            .map(|id| truncate_name(&snake(id), MAX_NAME))
            .filter(|name| !name.is_empty());
        let mut notes = Vec::new();
        let wanted = match from_id {
            Some(name) => name,
            None => {
                let name = truncate_name(&snake(&format!("{} {path}", method.as_str())), MAX_NAME);
                let name = if name.is_empty() {
                    "operation".to_string()
                } else {
                    name
                };
                notes.push((
                    NoteKind::NoOperationId,
                    format!(
                        "the operation has no operationId; named `{name}` from its method and path"
                    ),
                ));
                name
            }
        };
        let mut name = wanted.clone();
        if !self.free(&name) {
            let by = if self.taken.contains(&wanted) {
                "another app's tool"
            } else {
                "an earlier operation of this file"
            };
            let prefixed = if wanted.starts_with(&format!("{}_", self.app)) {
                wanted.clone()
            } else {
                truncate_name(&format!("{}_{wanted}", self.app), MAX_NAME)
            };
            name = prefixed.clone();
            let mut n = 2;
            while !self.free(&name) {
                let suffix = format!("_{n}");
                name = format!(
                    "{}{suffix}",
                    truncate_name(&prefixed, MAX_NAME - suffix.len())
                );
                n += 1;
            }
            notes.push((
                NoteKind::NameCollision,
                format!("`{wanted}` is the name of {by}; named `{name}` instead"),
            ));
        }
        self.used.insert(name.clone());
        (name, notes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collisions_are_prefixed_then_numbered() {
        let taken: BTreeSet<String> = ["get_agent".to_string()].into();
        let mut namer = Namer::new("voice_ai", &taken);
        let claim = |namer: &mut Namer<'_>, id: &str| namer.claim(Some(id), Method::Get, "/x").0;
        assert_eq!(claim(&mut namer, "get-agent"), "voice_ai_get_agent");
        assert_eq!(claim(&mut namer, "getAgent"), "voice_ai_get_agent_2");
        assert_eq!(claim(&mut namer, "list-agents"), "list_agents");
        assert_eq!(claim(&mut namer, "listAgents"), "voice_ai_list_agents");
        let long = "a".repeat(80);
        assert_eq!(claim(&mut namer, &long), "a".repeat(64));
        assert_eq!(
            claim(&mut namer, &long),
            format!("voice_ai_{}", "a".repeat(55))
        );
        assert_eq!(
            claim(&mut namer, &long),
            format!("voice_ai_{}_2", "a".repeat(53))
        );
        let (name, notes) = namer.claim(None, Method::Delete, "/users/{userId}");
        assert_eq!(name, "delete_users_user_id");
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].0, NoteKind::NoOperationId);
    }
}
