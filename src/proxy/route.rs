//! The checks that keep the proxy from ever being an open proxy: what a
//! reverse proxy must refuse before it routes (the route table itself is
//! the generation's, [`crate::app::routes`]).

use http::{Method, Request, Version};

use super::refusal::{Reason, Refusal};

/// Refuses what a reverse proxy must never act on: `CONNECT`, absolute-form
/// targets (`GET http://elsewhere/`, the shape of a forward-proxy request),
/// and paths that could climb out of a route once the partner decodes them.
pub fn check_target<B>(req: &Request<B>) -> Result<(), Refusal> {
    if req.method() == Method::CONNECT {
        return Err(Refusal::new(
            Reason::ConnectRefused,
            "CONNECT is refused: this is a reverse proxy to configured partners only",
        ));
    }
    // HTTP/2 always carries :scheme and :authority; only HTTP/1 requests
    // with a scheme in the target line are forward-proxy requests.
    let h1 = req.version() <= Version::HTTP_11;
    if h1 && req.uri().scheme().is_some() {
        return Err(Refusal::new(
            Reason::AbsoluteUriRefused,
            "absolute-form request targets are refused: send the path only",
        ));
    }
    // Two Host headers could route on one and forward the other.
    if req.headers().get_all(http::header::HOST).iter().count() > 1 {
        return Err(Refusal::new(
            Reason::InvalidHeader,
            "the request has more than one Host header",
        ));
    }
    check_path(req.uri().path())
}

fn check_path(path: &str) -> Result<(), Refusal> {
    let refuse = |why: &str| {
        Err(Refusal::new(
            Reason::InvalidPath,
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
        let codes = |m, u, v| check_target(&request(m, u, v)).map_err(|e| e.code());
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
