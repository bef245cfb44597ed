//! Field projection: keep only the parts of a result an agent asked for.
//!
//! A path is dotted (`contact.id`); where it meets an array it applies to every item
//! (`contacts.id` keeps the `id` of each contact). Several paths merge into one value that
//! keeps the original nesting. A path that is absent selects nothing.

use serde_json::{Map, Value};

/// The parts of `value` named by `paths`; the whole value when `paths` is empty.
pub fn project(value: &Value, paths: &[String]) -> Value {
    if paths.is_empty() {
        return value.clone();
    }
    let mut out: Option<Value> = None;
    for path in paths {
        let steps: Vec<&str> = path.split('.').filter(|s| !s.is_empty()).collect();
        if let Some(selected) = select(value, &steps) {
            out = Some(match out {
                None => selected,
                Some(so_far) => merge(so_far, selected),
            });
        }
    }
    out.unwrap_or_else(|| match value {
        Value::Array(_) => Value::Array(Vec::new()),
        _ => Value::Object(Map::new()),
    })
}

fn select(value: &Value, steps: &[&str]) -> Option<Value> {
    let Some((first, rest)) = steps.split_first() else {
        return Some(value.clone());
    };
    match value {
        Value::Object(map) => {
            let inner = select(map.get(*first)?, rest)?;
            let mut out = Map::new();
            out.insert((*first).to_string(), inner);
            Some(Value::Object(out))
        }
        Value::Array(items) => Some(Value::Array(
            items
                .iter()
                .map(|item| select(item, steps).unwrap_or_else(|| Value::Object(Map::new())))
                .collect(),
        )),
        _ => None,
    }
}

/// Merges two selections of the same value: objects key by key, arrays item by item.
fn merge(a: Value, b: Value) -> Value {
    match (a, b) {
        (Value::Object(mut a), Value::Object(b)) => {
            for (key, value) in b {
                let merged = match a.remove(&key) {
                    Some(existing) => merge(existing, value),
                    None => value,
                };
                a.insert(key, merged);
            }
            Value::Object(a)
        }
        (Value::Array(a), Value::Array(b)) => {
            Value::Array(a.into_iter().zip(b).map(|(x, y)| merge(x, y)).collect())
        }
        (_, b) => b,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn paths(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn keeps_nested_paths_and_merges_them() {
        let value = json!({ "contact": { "id": "c1", "name": "Ada", "address": { "city": "X", "zip": "1" } }, "traceId": "t" });
        assert_eq!(
            project(&value, &paths(&["contact.id", "contact.address.city"])),
            json!({ "contact": { "id": "c1", "address": { "city": "X" } } })
        );
    }

    #[test]
    fn goes_through_arrays() {
        let value = json!({ "contacts": [{ "id": "a", "tags": ["x"] }, { "id": "b" }], "meta": { "total": 2 } });
        assert_eq!(
            project(&value, &paths(&["contacts.id", "meta.total"])),
            json!({ "contacts": [{ "id": "a" }, { "id": "b" }], "meta": { "total": 2 } })
        );
        assert_eq!(
            project(&json!([{ "id": 1, "x": 2 }]), &paths(&["id"])),
            json!([{ "id": 1 }])
        );
        // Items lacking the field stay in place, empty, so positions still line up.
        assert_eq!(
            project(&json!({ "a": [{ "b": 1 }, { "c": 2 }] }), &paths(&["a.b"])),
            json!({ "a": [{ "b": 1 }, {}] })
        );
    }

    #[test]
    fn absent_paths_select_nothing_and_no_paths_keep_everything() {
        let value = json!({ "a": 1 });
        assert_eq!(project(&value, &paths(&["b.c"])), json!({}));
        assert_eq!(project(&value, &[]), value);
        assert_eq!(project(&json!("text"), &paths(&["a"])), json!({}));
    }
}
