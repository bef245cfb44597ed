//! Keeping a result within what a client accepts: some MCP clients refuse a tool result over
//! about 25,000 tokens, and any large result crowds an agent's context. [`fit`] keeps the JSON
//! valid where it can, by keeping the first items of its largest array, and says what it cut.

use serde_json::Value;

/// The default cap: 40,000 bytes, about 10,000 tokens at 4 bytes a token (JSON often runs
/// nearer 3, so still under 14,000): well under the 25,000 tokens some clients enforce.
pub const DEFAULT_MAX_RESULT_BYTES: usize = 40_000;

/// A result made to fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// The text to send: the whole JSON, or what fits of it.
    pub text: String,
    /// Set when something was cut.
    pub cut: Option<Cut>,
}

/// What [`fit`] left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    /// The size of the whole result, in bytes of compact JSON.
    pub full_bytes: usize,
    /// The cap it had to fit.
    pub max_bytes: usize,
    /// How it was cut.
    pub how: CutHow,
}

/// The two ways a result is cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CutHow {
    /// The JSON is still valid: the array at `path` keeps its first `kept` of `total` items.
    Items {
        /// Dotted path of the array (`""` when the result itself is the array).
        path: String,
        /// Items kept.
        kept: usize,
        /// Items there were.
        total: usize,
    },
    /// No array could make room: the text is cut after `kept_bytes` and is not valid JSON.
    Text {
        /// Bytes kept.
        kept_bytes: usize,
    },
}

impl Cut {
    /// One paragraph for the agent: how large the result was, what it holds now, and `narrow`
    /// (how to ask for less with the tool at hand).
    pub fn notice(&self, narrow: &str) -> String {
        let what = match &self.how {
            CutHow::Items { path, kept, total } if path.is_empty() => {
                format!("it keeps the first {kept} of its {total} items")
            }
            CutHow::Items { path, kept, total } => {
                format!("`{path}` keeps its first {kept} of {total} items; the JSON is valid")
            }
            CutHow::Text { kept_bytes } => format!(
                "only its first {kept_bytes} bytes are shown, so the JSON above is incomplete"
            ),
        };
        format!(
            "[ghl-mcp] Result cut: the full result was {} bytes (~{} tokens), over the {}-byte \
             cap; {what}. To see the rest, ask for less: {narrow}",
            self.full_bytes,
            self.full_bytes.div_ceil(4),
            self.max_bytes,
        )
    }
}

/// `value` as compact JSON within `max_bytes`. When it is larger, the largest array found
/// through its objects keeps as many leading items as fit; if that is not enough, the text
/// itself is cut (at a character boundary).
pub fn fit(value: &Value, max_bytes: usize) -> Fitted {
    let text = value.to_string();
    if text.len() <= max_bytes {
        return Fitted { text, cut: None };
    }
    let full_bytes = text.len();
    let cut = |how| {
        Some(Cut {
            full_bytes,
            max_bytes,
            how,
        })
    };
    if let Some((path, items)) = largest_array(value, String::new()) {
        let sizes: Vec<usize> = items.iter().map(|i| i.to_string().len()).collect();
        let array_bytes = 2 + sizes.iter().sum::<usize>() + sizes.len().saturating_sub(1);
        let rest = full_bytes - array_bytes;
        // The size with the first k items: rest + 2 + their sizes + (k − 1) commas.
        let mut used = rest + 2;
        let mut kept = 0;
        for size in &sizes {
            let next = used + size + usize::from(kept > 0);
            if next > max_bytes {
                break;
            }
            used = next;
            kept += 1;
        }
        if used <= max_bytes {
            let mut trimmed = value.clone();
            if let Some(Value::Array(array)) = pointer_mut(&mut trimmed, &path) {
                array.truncate(kept);
            }
            let text = trimmed.to_string();
            debug_assert_eq!(text.len(), used);
            let total = items.len();
            return Fitted {
                text,
                cut: cut(CutHow::Items { path, kept, total }),
            };
        }
    }
    let mut end = max_bytes.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Fitted {
        text: text[..end].to_string(),
        cut: cut(CutHow::Text { kept_bytes: end }),
    }
}

/// The array with the most items' worth of text, through objects only (not inside arrays), with
/// its dotted path.
fn largest_array(value: &Value, path: String) -> Option<(String, &Vec<Value>)> {
    match value {
        Value::Array(items) => Some((path, items)),
        Value::Object(map) => map
            .iter()
            .filter_map(|(key, child)| {
                let child_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                largest_array(child, child_path)
            })
            .max_by_key(|(_, items)| items.iter().map(|i| i.to_string().len()).sum::<usize>()),
        _ => None,
    }
}

/// The value at a dotted path of object keys.
fn pointer_mut<'a>(value: &'a mut Value, path: &str) -> Option<&'a mut Value> {
    if path.is_empty() {
        return Some(value);
    }
    path.split('.')
        .try_fold(value, |node, key| node.as_object_mut()?.get_mut(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn contacts(n: usize) -> Value {
        let items: Vec<Value> = (0..n)
            .map(|i| json!({ "id": format!("c{i:04}"), "name": "x".repeat(50) }))
            .collect();
        json!({ "contacts": items, "meta": { "total": n, "nextPageUrl": "…" } })
    }

    #[test]
    fn small_results_pass_untouched() {
        let value = contacts(3);
        assert_eq!(
            fit(&value, 10_000),
            Fitted {
                text: value.to_string(),
                cut: None
            }
        );
    }

    #[test]
    fn the_largest_array_keeps_what_fits_and_the_json_stays_valid() {
        let value = contacts(1000);
        let full = value.to_string().len();
        let fitted = fit(&value, 5_000);
        assert!(fitted.text.len() <= 5_000);
        let parsed: Value = serde_json::from_str(&fitted.text).unwrap();
        let kept = parsed["contacts"].as_array().unwrap().len();
        assert!(kept > 40 && kept < 100, "{kept}");
        assert_eq!(parsed["contacts"][0]["id"], "c0000");
        assert_eq!(
            parsed["meta"]["total"], 1000,
            "the rest of the result stays"
        );
        // One more item would not have fitted.
        let mut more = parsed.clone();
        more["contacts"]
            .as_array_mut()
            .unwrap()
            .push(value["contacts"][kept].clone());
        assert!(more.to_string().len() > 5_000);
        let cut = fitted.cut.unwrap();
        assert_eq!(
            cut.how,
            CutHow::Items {
                path: "contacts".into(),
                kept,
                total: 1000
            }
        );
        assert_eq!(cut.full_bytes, full);
        let notice = cut.notice("pass select_fields");
        assert!(
            notice.contains(&format!("the full result was {full} bytes"))
                && notice.contains(&format!("`contacts` keeps its first {kept} of 1000 items"))
                && notice.ends_with("pass select_fields"),
            "{notice}"
        );
    }

    #[test]
    fn nested_and_top_level_arrays_are_found() {
        let value = json!({ "data": { "small": [1, 2], "items": vec!["y".repeat(100); 100] } });
        let cut = fit(&value, 1_000).cut.unwrap();
        assert!(
            matches!(cut.how, CutHow::Items { ref path, total: 100, .. } if path == "data.items")
        );
        let value = Value::Array(vec![json!("z".repeat(100)); 50]);
        let fitted = fit(&value, 1_000);
        assert!(
            matches!(fitted.cut.unwrap().how, CutHow::Items { ref path, .. } if path.is_empty())
        );
        assert!(serde_json::from_str::<Value>(&fitted.text).is_ok());
    }

    #[test]
    fn without_an_array_to_trim_the_text_is_cut_at_a_character_boundary() {
        let value = json!({ "note": "é".repeat(5_000) });
        let fitted = fit(&value, 1_001);
        assert!(fitted.text.len() <= 1_001 && fitted.text.starts_with("{\"note\":\"é"));
        let Some(Cut {
            how: CutHow::Text { kept_bytes },
            ..
        }) = fitted.cut
        else {
            panic!("expected a text cut: {:?}", fitted.cut)
        };
        assert_eq!(kept_bytes, fitted.text.len());
        // An array whose removal still leaves too much falls back to the text cut too.
        let value = json!({ "note": "n".repeat(5_000), "tags": ["a", "b"] });
        assert!(matches!(
            fit(&value, 1_000).cut.unwrap().how,
            CutHow::Text { .. }
        ));
    }
}
