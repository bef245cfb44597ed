//! Ranked search over the tools, for the `search_tools` meta-tool.
//!
//! Words of the query are matched against each tool's name, summary, app and description
//! (in that order of weight), ignoring case and a plural `s`; a word that starts another
//! counts for less. Tools matching every query word rank above those matching some.

use ghl_runtime::ToolDef;

const NAME: f64 = 4.0;
const SUMMARY: f64 = 3.0;
const APP: f64 = 2.0;
const DESCRIPTION: f64 = 1.0;
const PREFIX: f64 = 0.6;

/// Lowercase words, split on anything not a letter or digit, with a plural `s` dropped.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let w = w.to_lowercase();
            match w.strip_suffix('s') {
                Some(stem) if stem.len() >= 3 && !stem.ends_with('s') => stem.to_string(),
                _ => w,
            }
        })
        .collect()
}

/// How well one query word matches a field's words: 1 exact, [`PREFIX`] as a prefix.
fn word_match(term: &str, field: &[String]) -> f64 {
    let mut best: f64 = 0.0;
    for word in field {
        if word == term {
            return 1.0;
        }
        if term.len() >= 3
            && (word.starts_with(term) || term.starts_with(word.as_str()) && word.len() >= 3)
        {
            best = best.max(PREFIX);
        }
    }
    best
}

/// The tools that match `query`, best first, at most `limit`.
pub(crate) fn search<'a>(
    query: &str,
    tools: impl Iterator<Item = &'a ToolDef>,
    limit: usize,
) -> Vec<&'a ToolDef> {
    let terms = words(query);
    if terms.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(f64, &ToolDef)> = tools
        .filter_map(|tool| {
            let fields = [
                (words(tool.name), NAME),
                (words(tool.summary), SUMMARY),
                (words(tool.app), APP),
                (words(tool.description), DESCRIPTION),
            ];
            let mut score = 0.0;
            let mut matched = 0;
            for term in &terms {
                let best = fields
                    .iter()
                    .map(|(field, weight)| word_match(term, field) * weight)
                    .fold(0.0, f64::max);
                if best > 0.0 {
                    matched += 1;
                }
                score += best;
            }
            if matched == 0 {
                return None;
            }
            if matched == terms.len() {
                score *= 2.0;
            }
            if tool.name == query.trim() {
                score += 100.0;
            }
            // Shorter names are more general; among equals, prefer them.
            score -= tool.name.len() as f64 * 0.001;
            Some((score, tool))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.name.cmp(b.1.name)));
    scored
        .into_iter()
        .take(limit)
        .map(|(_, tool)| tool)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;

    fn top(query: &str, n: usize) -> Vec<&'static str> {
        search(query, catalog::all(), n)
            .into_iter()
            .map(|t| t.name)
            .collect()
    }

    #[test]
    fn finds_the_tool_a_person_means() {
        assert_eq!(top("update contact", 1), ["update_contact"]);
        assert_eq!(top("add tags to a contact", 1), ["add_contact_tags"]);
        assert_eq!(top("contact notes", 3).len(), 3);
        assert!(
            top("contact notes", 3).iter().all(|n| n.contains("note")),
            "{:?}",
            top("contact notes", 3)
        );
        assert_eq!(top("get_contact", 1), ["get_contact"], "an exact name wins");
        assert!(top("workflow", 5).contains(&"add_contact_to_workflow"));
    }

    #[test]
    fn nothing_matches_nothing() {
        assert!(top("zebra quantum", 5).is_empty());
        assert!(top("  ", 5).is_empty());
    }

    #[test]
    fn plural_and_case_do_not_matter() {
        assert_eq!(top("TASKS", 10), top("task", 10));
    }
}
