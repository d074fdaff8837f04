//! Which partner a request is for: the longest configured path prefix, and
//! the rest of the path to forward. Also the checks that keep the proxy from
//! ever being an open proxy.

use http::{Method, Request, StatusCode, Version};

use super::error::Refusal;

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

/// Refuses what a reverse proxy must never act on: `CONNECT`, absolute-form
/// targets (`GET http://elsewhere/`, the shape of a forward-proxy request),
/// and paths that could climb out of a route once the partner decodes them.
pub fn check_target<B>(req: &Request<B>) -> Result<(), Refusal> {
    if req.method() == Method::CONNECT {
        return Err(Refusal::caller(
            StatusCode::BAD_REQUEST,
            "connect_refused",
            "CONNECT is refused: this is a reverse proxy to configured partners only",
        ));
    }
    // HTTP/2 always carries :scheme and :authority; only HTTP/1 requests
    // with a scheme in the target line are forward-proxy requests.
    let h1 = req.version() <= Version::HTTP_11;
    if h1 && req.uri().scheme().is_some() {
        return Err(Refusal::caller(
            StatusCode::BAD_REQUEST,
            "absolute_uri_refused",
            "absolute-form request targets are refused: send the path only",
        ));
    }
    check_path(req.uri().path())
}

fn check_path(path: &str) -> Result<(), Refusal> {
    let refuse = |why: &str| {
        Err(Refusal::caller(
            StatusCode::BAD_REQUEST,
            "invalid_path",
            format!("the request path {why}"),
        ))
    };
    if !path.starts_with('/') {
        return refuse("must start with `/`");
    }
    let lower = path.to_ascii_lowercase();
    // Encoded dots, slashes and backslashes would be decoded by the partner
    // into a path outside the route's base.
    if lower.contains("%2e")
        || lower.contains("%2f")
        || lower.contains("%5c")
        || path.contains('\\')
    {
        return refuse("must not contain encoded `.`, `/` or `\\`");
    }
    if path.split('/').any(|s| s == "." || s == "..") {
        return refuse("must not contain `.` or `..` segments");
    }
    Ok(())
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

    fn request(method: Method, uri: &str, version: Version) -> Request<()> {
        Request::builder()
            .method(method)
            .uri(uri)
            .version(version)
            .body(())
            .expect("request")
    }

    #[test]
    fn forward_proxy_shapes_are_refused() {
        let codes = |m, u, v| check_target(&request(m, u, v)).map_err(|e| e.code);
        assert_eq!(
            codes(Method::CONNECT, "example.com:443", Version::HTTP_11),
            Err("connect_refused")
        );
        assert_eq!(
            codes(
                Method::GET,
                "http://example.com/partners/demo/",
                Version::HTTP_11
            ),
            Err("absolute_uri_refused")
        );
        assert_eq!(
            codes(Method::GET, "https://proxy/partners/demo/", Version::HTTP_2),
            Ok(())
        );
        for bad in [
            "/partners/demo/../x",
            "/p/%2E%2e/x",
            "/p/a%2fb",
            "/p/./x",
            "/p\\x",
        ] {
            assert_eq!(
                codes(Method::GET, bad, Version::HTTP_11),
                Err("invalid_path"),
                "{bad}"
            );
        }
        assert_eq!(
            codes(Method::POST, "/partners/demo/v1?a=1", Version::HTTP_11),
            Ok(())
        );
    }
}
