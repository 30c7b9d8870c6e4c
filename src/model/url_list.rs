//! The learner's own download list: one address per line, checked before anything is fetched, so
//! every mistake is named with its line number instead of surfacing later as a vague network error.

use std::fmt;

/// More addresses than this in one run is almost certainly a paste gone wrong.
pub const MAX_URLS: usize = 50;
/// Browsers and servers commonly refuse longer URLs; refusing here gives the better message.
pub const MAX_URL_CHARS: usize = 2048;

/// One address to fetch and the line it came from (1-based, as an editor shows it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlLine {
    pub line: usize,
    /// As typed, trimmed. Relative addresses (`samples/a.bin`) are resolved against the page later.
    pub url: String,
}

/// Why one line cannot be fetched. `line` is 0 for problems with the list as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

/// Parses a text area of addresses: blank lines and `#` comments are skipped. `page_is_https`
/// turns on the mixed-content check (an https page may not fetch plain http from other hosts).
/// Returns every usable line, or every problem found (all of them, so the learner fixes them at once).
pub fn parse_url_list(text: &str, page_is_https: bool) -> Result<Vec<UrlLine>, Vec<LineError>> {
    let mut urls: Vec<UrlLine> = Vec::new();
    let mut errors = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let url = raw.trim();
        if url.is_empty() || url.starts_with('#') {
            continue;
        }
        let problem = check_url(url, page_is_https).or_else(|| {
            urls.iter()
                .find(|earlier| earlier.url == url)
                .map(|earlier| format!("repeats line {}; each file is listed once", earlier.line))
        });
        match problem {
            Some(message) => errors.push(LineError { line, message }),
            None => urls.push(UrlLine {
                line,
                url: url.to_owned(),
            }),
        }
    }
    let counted = urls.len() + errors.len();
    if counted > MAX_URLS {
        errors.push(LineError {
            line: 0,
            message: format!("at most {MAX_URLS} addresses per run; this list has {counted}"),
        });
    }
    if errors.is_empty() {
        Ok(urls)
    } else {
        Err(errors)
    }
}

/// What is wrong with one trimmed, non-empty address, if anything.
fn check_url(url: &str, page_is_https: bool) -> Option<String> {
    if url.chars().count() > MAX_URL_CHARS {
        return Some(format!(
            "the address is longer than {MAX_URL_CHARS} characters"
        ));
    }
    if url.chars().any(char::is_whitespace) {
        return Some(
            "an address cannot contain spaces; put one address on each line (write a space as %20)"
                .into(),
        );
    }
    let Some(scheme) = scheme_of(url) else {
        // No scheme: a path on this page's own server, e.g. `samples/file-01.bin` or `/data/x.csv`.
        return url.strip_prefix("//").and_then(host_problem);
    };
    match scheme.to_ascii_lowercase().as_str() {
        "https" => {}
        "http" => {
            let rest = &url[scheme.len() + 1..];
            let Some(authority) = rest.strip_prefix("//") else {
                return Some("write http:// with two slashes, e.g. http://example.com/file".into());
            };
            if let Some(problem) = host_problem(authority) {
                return Some(problem);
            }
            if page_is_https && !is_loopback(host_of(authority)) {
                return Some(
                    "this page was loaded over https, so the browser blocks plain http:// downloads \
                     (mixed content); use the https:// address"
                        .into(),
                );
            }
            return None;
        }
        other => {
            return Some(format!(
                "only http:// and https:// addresses can be downloaded here, not {other}:"
            ))
        }
    }
    match url[scheme.len() + 1..].strip_prefix("//") {
        Some(authority) => host_problem(authority),
        None => Some("write https:// with two slashes, e.g. https://example.com/file".into()),
    }
}

/// `Some("https")` for `https://…`; `None` for relative paths. A scheme is letters, digits, `+-.`,
/// starting with a letter, followed by `:` (RFC 3986 §3.1). A Windows drive (`C:\…`) is not one.
fn scheme_of(url: &str) -> Option<&str> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    let valid = first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && scheme.len() > 1;
    valid.then_some(scheme)
}

/// The host (no user info, no port) of an authority-led remainder like `example.com:8080/a`.
fn host_of(authority_and_path: &str) -> &str {
    let authority = authority_and_path
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let host_and_port = authority.rsplit('@').next().unwrap_or_default();
    if let Some(bracketed) = host_and_port.strip_prefix('[') {
        return bracketed.split(']').next().unwrap_or_default();
    }
    host_and_port.split(':').next().unwrap_or_default()
}

fn host_problem(authority_and_path: &str) -> Option<String> {
    host_of(authority_and_path)
        .is_empty()
        .then(|| "the address has no host name after the //".into())
}

/// Loopback hosts count as secure, so an https page may still fetch `http://localhost/…`.
fn is_loopback(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost") || host.starts_with("127.") || host == "::1"
}
