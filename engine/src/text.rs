//! Small text rules shared by every reader of outside input (scenario files, fault specs, links,
//! host commands): numbers in one canonical spelling, and messages kept to one short line.

/// A whole number in its one canonical spelling: ASCII digits only (no sign, no spaces) and no
/// leading zero (but `0` itself), within `T`. What the encoder writes back is then exactly what
/// was read; `+2`, `02` and ` 2` are refused rather than rewritten.
pub fn digits<T: std::str::FromStr>(text: &str) -> Option<T> {
    let canonical = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && (text == "0" || !text.starts_with('0'));
    if !canonical {
        return None;
    }
    text.parse().ok()
}

/// At most `max` characters of `text`, with `…` when cut.
pub fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// `text` on one line (control characters and line separators escaped), at most `max` characters.
pub fn one_line(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max));
    for c in text.chars() {
        if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    shorten(&out, max)
}

/// `text` as HTML or XML text or a quoted attribute value: the five characters markup reserves
/// escaped (`'` as `&#39;`, which HTML and XML both read).
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
