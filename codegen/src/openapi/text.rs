//! Text from the official files made plain: HTML reduced to text, one-line summaries, descriptions
//! capped at a sentence boundary, and snake_case names.

/// Longest tool description kept, in characters.
pub(crate) const TOOL_DESCRIPTION_CAP: usize = 600;
/// Longest field description kept, in characters.
pub(crate) const FIELD_DESCRIPTION_CAP: usize = 400;
/// Longest summary kept, in characters.
pub(crate) const SUMMARY_CAP: usize = 200;

/// HTML and light Markdown reduced to one line of text: tags stripped, entities decoded, Markdown
/// links written as `text (url)`, `**` bold markers dropped, whitespace collapsed.
pub fn plain(text: &str) -> String {
    let text = strip_tags(text);
    let text = decode_entities(&text);
    let text = markdown_links(&text);
    let text = text.replace("**", "");
    tidy_punctuation(&collapse_whitespace(&text))
}

/// HTML tags GHL's descriptions use that are dropped without a space.
const INLINE_TAGS: &[&str] = &[
    "a", "b", "i", "em", "strong", "span", "code", "u", "sup", "sub", "small", "mark", "s", "font",
];
/// HTML tags replaced by a space.
const BLOCK_TAGS: &[&str] = &[
    "br",
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "tr",
    "td",
    "th",
    "thead",
    "tbody",
    "pre",
    "blockquote",
    "html",
    "head",
    "body",
    "title",
    "meta",
    "img",
    "dl",
    "dt",
    "dd",
];
/// HTML tags whose content is dropped too.
const HIDDEN_TAGS: &[&str] = &["style", "script"];

/// HTML tags removed: inline ones (`<b>`, `</span>`) with nothing, others (`</p>`, `<br/>`,
/// `<li>`) and comments with a space, `<style>` and `<script>` with their content. A link keeps
/// its target: `<a href="u">here</a>` → `here (u)`. Anything else in angle brackets
/// (`<object_name>`, `a < b`) is text and kept.
fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut link: Option<String> = None;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        if let Some(comment) = after.strip_prefix("!--") {
            out.push(' ');
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let closing = after.starts_with('/');
        let name: String = after
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        let known = INLINE_TAGS.contains(&name.as_str())
            || BLOCK_TAGS.contains(&name.as_str())
            || HIDDEN_TAGS.contains(&name.as_str());
        let tag_end = after.find('>').filter(|_| known);
        let Some(close) = tag_end else {
            out.push('<');
            rest = after;
            continue;
        };
        let tag = &after[..close];
        rest = &after[close + 1..];
        if HIDDEN_TAGS.contains(&name.as_str()) && !closing {
            let end = format!("</{name}");
            rest = rest
                .to_ascii_lowercase()
                .find(&end)
                .and_then(|at| rest[at..].find('>').map(|gt| &rest[at + gt + 1..]))
                .unwrap_or("");
            out.push(' ');
            continue;
        }
        if name == "a" {
            if closing {
                if let Some(url) = link.take()
                    && !out.trim_end().ends_with(url.as_str())
                {
                    out.push_str(" (");
                    out.push_str(&url);
                    out.push(')');
                }
            } else {
                link = attribute(tag, "href").filter(|u| u.starts_with("http"));
            }
        } else if !INLINE_TAGS.contains(&name.as_str()) {
            out.push(' ');
        }
    }
    out.push_str(rest);
    out
}

/// The value of `name="…"` (or `'…'`) in a tag's text.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let at = lower.find(&format!("{name}="))? + name.len() + 1;
    let value = &tag[at..];
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'');
    let value = match quote {
        Some(q) => {
            let inner = &value[1..];
            &inner[..inner.find(q)?]
        }
        None => value.split([' ', '>']).next()?,
    };
    Some(value.to_string())
}

/// `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#39;`, `&apos;`, `&nbsp;` and numeric references
/// (`&#8217;`, `&#x2019;`) decoded; anything else that looks like an entity is kept as written.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after
            .find(';')
            .filter(|&end| end <= 10)
            .and_then(|end| entity(&after[..end]).map(|c| (c, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

/// `[text](url)` → `text (url)`; `[url](url)` → `url`.
fn markdown_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let link = after.find("](").and_then(|mid| {
            let label = &after[..mid];
            let target = &after[mid + 2..];
            let close = target.find(')')?;
            (!label.contains(['[', ']'])).then_some((label, &target[..close], mid + 2 + close + 1))
        });
        match link {
            Some((label, url, used)) => {
                out.push_str(&rest[..open]);
                let label = label.trim_start_matches('!');
                if label.trim().is_empty() || label.trim() == url.trim() {
                    out.push_str(url);
                } else {
                    out.push_str(label);
                    out.push_str(" (");
                    out.push_str(url);
                    out.push(')');
                }
                rest = &after[used..];
            }
            None => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `word .` → `word.`: no space before a punctuation mark that ends a word.
fn tidy_punctuation(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ' ' {
            let mut ahead = chars.clone();
            if let Some(p) = ahead.next()
                && matches!(p, '.' | ',' | ';' | ':' | '!' | '?')
                && ahead.peek().is_none_or(|n| *n == ' ')
            {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// A summary: plain, one line, at most [`SUMMARY_CAP`] characters.
pub fn summary(text: &str) -> String {
    cap_at_sentence(&plain(text), SUMMARY_CAP)
}

/// Plain text cut to at most `cap` characters: at the last sentence end that keeps at least a
/// third of it, otherwise at the last space, with `…` added.
pub fn cap_at_sentence(text: &str, cap: usize) -> String {
    if text.chars().count() <= cap {
        return text.to_string();
    }
    let cut: String = text.chars().take(cap).collect();
    let sentence_end = cut
        .char_indices()
        .filter(|&(i, c)| matches!(c, '.' | '!' | '?') && cut[i + c.len_utf8()..].starts_with(' '))
        .map(|(i, c)| i + c.len_utf8())
        .next_back();
    if let Some(end) = sentence_end.filter(|&end| cut[..end].chars().count() >= cap / 3) {
        return cut[..end].to_string();
    }
    let head: String = cut.chars().take(cap.saturating_sub(1)).collect();
    let head = match head.rfind(' ') {
        Some(space) if space > 0 => &head[..space],
        _ => head.as_str(),
    };
    format!("{}…", head.trim_end_matches([',', ';', ':', ' ']))
}

/// Whether two texts say the same once case, spacing and a final period are ignored.
pub fn same_text(a: &str, b: &str) -> bool {
    let norm = |s: &str| collapse_whitespace(s).trim_end_matches('.').to_lowercase();
    norm(a) == norm(b)
}

/// `getContactByID` → `get_contact_by_id`, `search-contacts-advanced` →
/// `search_contacts_advanced`: camelCase split, anything not a letter or digit a separator,
/// separators collapsed, lowercase.
pub fn snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !out.ends_with('_') {
                out.push('_');
            }
            continue;
        }
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            let boundary = prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower);
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out.trim_matches('_').to_string()
}

/// A name cut to at most `max` bytes (names are ASCII), without a trailing `_`.
pub fn truncate_name(name: &str, max: usize) -> String {
    let cut = if name.len() > max { &name[..max] } else { name };
    cut.trim_end_matches('_').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_reduced_to_text() {
        assert_eq!(
            plain(
                "<p>Get a <b>contact</b>&nbsp;&amp; its tags.</p>\n<br/>Next &lt;line&gt; &#39;x&#39; &#x41;"
            ),
            "Get a contact & its tags. Next <line> 'x' A"
        );
        assert_eq!(plain("a < b && c"), "a < b && c");
        assert_eq!(plain("&bogus; &"), "&bogus; &");
        assert_eq!(
            plain("See [the list](https://x.io/a) and [https://y.io](https://y.io)."),
            "See the list (https://x.io/a) and https://y.io."
        );
        assert_eq!(plain("- **1**: only custom"), "- 1: only custom");
        assert_eq!(
            plain("format (custom_object.<object_name>.<field_key>) or `<YYYY-MM-DD>`"),
            "format (custom_object.<object_name>.<field_key>) or `<YYYY-MM-DD>`"
        );
        assert_eq!(
            plain("values <a href=\"https://x.io/c\" target=\"_blank\">here</a>.<br/>Next"),
            "values here (https://x.io/c). Next"
        );
        assert_eq!(
            plain(
                "<html><head><style>p { color: red }</style></head><body><p>Hi</p></body></html>"
            ),
            "Hi"
        );
        assert_eq!(
            plain("<!-- note -->Text <span>in</span>line ."),
            "Text inline."
        );
    }

    #[test]
    fn long_text_is_cut_at_a_sentence() {
        let text = "First sentence here. Second sentence is longer than that. Third.";
        assert_eq!(
            cap_at_sentence(text, 60),
            "First sentence here. Second sentence is longer than that."
        );
        assert_eq!(cap_at_sentence(text, 200), text);
        assert_eq!(cap_at_sentence("one two three four five", 12), "one two…");
        assert_eq!(cap_at_sentence("ééééé ééééé", 8), "ééééé…");
    }

    #[test]
    fn names_are_snake_case() {
        assert_eq!(snake("get-contact"), "get_contact");
        assert_eq!(snake("getContactByID"), "get_contact_by_id");
        assert_eq!(snake("getHTTPResponse"), "get_http_response");
        assert_eq!(
            snake("search__Contacts--advanced"),
            "search_contacts_advanced"
        );
        assert_eq!(
            snake("GET /contacts/{contactId}/"),
            "get_contacts_contact_id"
        );
        assert_eq!(snake("v2Items"), "v2_items");
        assert_eq!(truncate_name("abc_def", 4), "abc");
    }
}
