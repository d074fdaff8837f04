//! Which partner and scenario a request path is for: the longest
//! configured path prefix, and the rest of the path to forward. Built once
//! per generation from every partner's `route` and `routes`.
//!
//! A caller must not pick a scenario (the purpose consent is decided for)
//! by how it spells a path: routing happens on the normalized path
//! ([`normalize`]), and a path whose case-folded form reaches another route
//! than the path itself is ambiguous ([`Router::route_checked`]).

/// Configured routes, longest first, so the first match is the longest.
#[derive(Debug, Clone)]
pub struct Router {
    routes: Vec<(String, usize)>,
    /// The same routes lowercased, for the ambiguity check.
    folded: Vec<(String, usize)>,
}

/// A path that reaches one route as written and another (or only one)
/// when case-folded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ambiguous;

/// Why a path cannot be normalized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathProblem {
    /// `;` parameters (`/loan;x/`), which partners may or may not strip.
    Parameters,
}

/// A routed request: the partner's index and the path after the prefix
/// (without a leading `/`).
#[derive(Debug, PartialEq, Eq)]
pub struct Routed<'a> {
    pub partner: usize,
    pub rest: &'a str,
}

impl Router {
    /// `routes[i]` is partner `i`'s prefix (starting and ending with `/`).
    pub fn new<'a>(routes: impl IntoIterator<Item = &'a str>) -> Self {
        let mut routes: Vec<(String, usize)> = routes
            .into_iter()
            .enumerate()
            .map(|(i, r)| (r.to_string(), i))
            .collect();
        routes.sort_by_key(|r| std::cmp::Reverse(r.0.len()));
        let folded = routes
            .iter()
            .map(|(route, i)| (route.to_ascii_lowercase(), *i))
            .collect();
        Router { routes, folded }
    }

    pub fn route<'a>(&self, path: &'a str) -> Option<Routed<'a>> {
        longest(&self.routes, path)
    }

    /// [`Router::route`] of a normalized path, refusing a path whose
    /// case-folded form reaches another route (`/cb/Loan/` when `/cb/loan/`
    /// is a route of its own).
    pub fn route_checked<'a>(&self, path: &'a str) -> Result<Option<Routed<'a>>, Ambiguous> {
        let exact = longest(&self.routes, path);
        let lowered = path.to_ascii_lowercase();
        let folded = longest(&self.folded, &lowered).map(|r| r.partner);
        if folded != exact.as_ref().map(|r| r.partner) {
            return Err(Ambiguous);
        }
        Ok(exact)
    }
}

/// The path as routing sees it: percent-escapes of unreserved characters
/// decoded (`%6coan` is `loan`), empty segments merged (`//loan/` is
/// `/loan/`), `;` parameters refused.
pub fn normalize(path: &str) -> Result<String, PathProblem> {
    if path.contains(';') {
        return Err(PathProblem::Parameters);
    }
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while i < bytes.len() {
        let unreserved = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .filter(|b| b.is_ascii_alphanumeric() || b"-._~".contains(b));
        let (c, step) = match unreserved {
            Some(b) => (char::from(b), 3),
            None => (char::from(bytes[i]), 1),
        };
        if !(c == '/' && out.ends_with('/')) {
            out.push(c);
        }
        i += step;
    }
    Ok(out)
}

fn longest<'a>(routes: &[(String, usize)], path: &'a str) -> Option<Routed<'a>> {
    routes.iter().find_map(|(prefix, partner)| {
        if let Some(rest) = path.strip_prefix(prefix.as_str()) {
            return Some(Routed {
                partner: *partner,
                rest,
            });
        }
        // `/partners/demo` reaches the root of `/partners/demo/`.
        (path.len() + 1 == prefix.len() && prefix.starts_with(path)).then_some(Routed {
            partner: *partner,
            rest: "",
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router() -> Router {
        Router::new(["/partners/", "/partners/demo/", "/partners/demo/v2/"])
    }

    #[test]
    fn longest_prefix_wins_and_is_stripped() {
        let r = router();
        assert_eq!(
            r.route("/partners/demo/v2/x?"),
            Some(Routed {
                partner: 2,
                rest: "x?"
            })
        );
        assert_eq!(
            r.route("/partners/demo/v1/q"),
            Some(Routed {
                partner: 1,
                rest: "v1/q"
            })
        );
        assert_eq!(
            r.route("/partners/other"),
            Some(Routed {
                partner: 0,
                rest: "other"
            })
        );
        assert_eq!(
            r.route("/partners/demo"),
            Some(Routed {
                partner: 1,
                rest: ""
            })
        );
        assert_eq!(r.route("/partnersx/"), None);
        assert_eq!(r.route("/"), None);
        assert_eq!(
            r.route("/partners"),
            Some(Routed {
                partner: 0,
                rest: ""
            })
        );
    }
}
