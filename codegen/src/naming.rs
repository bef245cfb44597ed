//! Rust identifiers from JSON names: snake_case fields, PascalCase types, no keywords.

use std::collections::BTreeSet;

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe",
    "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override",
    "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Splits a JSON name into lowercase words: `contactId` → [contact, id], `first-name` → [first, name].
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut prev: Option<char> = None;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev = None;
            continue;
        }
        let boundary = c.is_ascii_uppercase()
            && prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit());
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.push(c.to_ascii_lowercase());
        prev = Some(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// A snake_case field name that is a valid, non-keyword Rust identifier.
pub fn field_ident(name: &str) -> String {
    let mut ident = words(name).join("_");
    if ident.is_empty() {
        ident = "field".into();
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert(0, '_');
    }
    if KEYWORDS.contains(&ident.as_str()) {
        ident.push('_');
    }
    ident
}

/// A PascalCase type name.
pub fn type_ident(name: &str) -> String {
    let mut ident: String = words(name)
        .iter()
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect();
    if ident.is_empty() || ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert(0, 'T');
    }
    if ident == "Self" {
        ident.push('_');
    }
    ident
}

/// Hands out names, adding a number when one is taken.
#[derive(Debug, Default)]
pub struct Unique(BTreeSet<String>);

impl Unique {
    /// `base`, or `base2`, `base3`… when taken.
    pub fn claim(&mut self, base: String) -> String {
        let mut candidate = base.clone();
        let mut n = 2;
        while !self.0.insert(candidate.clone()) {
            candidate = format!("{base}{n}");
            n += 1;
        }
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_snake_case_and_never_keywords() {
        assert_eq!(field_ident("contactId"), "contact_id");
        assert_eq!(field_ident("first-name"), "first_name");
        assert_eq!(field_ident("type"), "type_");
        assert_eq!(field_ident("2fa"), "_2fa");
        assert_eq!(field_ident("field_value"), "field_value");
        assert_eq!(field_ident("$"), "field");
    }

    #[test]
    fn types_are_pascal_case() {
        assert_eq!(type_ident("customFields"), "CustomFields");
        assert_eq!(type_ident("dnd_settings"), "DndSettings");
        assert_eq!(type_ident("1x"), "T1x");
        assert_eq!(type_ident("self"), "Self_");
    }

    #[test]
    fn unique_names_get_a_number() {
        let mut u = Unique::default();
        assert_eq!(u.claim("a".into()), "a");
        assert_eq!(u.claim("a".into()), "a2");
        assert_eq!(u.claim("a".into()), "a3");
    }
}
