//! Which partner and scenario a request path is for: the longest
//! configured path prefix, and the rest of the path to forward. Built once
//! per generation from every partner's `route` and `routes`.

/// Configured routes, longest first, so the first match is the longest.
#[derive(Debug, Clone)]
pub struct Router {
    routes: Vec<(String, usize)>,
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
        Router { routes }
    }

    pub fn route<'a>(&self, path: &'a str) -> Option<Routed<'a>> {
        self.routes.iter().find_map(|(prefix, partner)| {
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
