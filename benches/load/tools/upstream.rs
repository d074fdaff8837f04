//! The upstream partner of the load harness: HTTP/1.1 with keep-alive, reads
//! each request body to the end (so a proxy's forwarding is complete) and
//! answers `{"ok":true,"received":N}`. Kept minimal so it is never the
//! bottleneck: no logging, no parsing of the body.

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on; port 0 picks a free one (printed on stdout).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Runtime worker threads (default: the CPUs this process may use).
    #[arg(long)]
    threads: Option<usize>,
}

pub fn run(args: &Args) -> Result<(), String> {
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(threads) = args.threads {
        runtime.worker_threads(threads);
    }
    let runtime = runtime
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    runtime.block_on(serve(args.listen))
}

async fn serve(listen: SocketAddr) -> Result<(), String> {
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    // The harness reads the port from this line.
    println!("load-upstream: listening on {addr}");
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(_) => {
                // Out of descriptors: back off rather than spin.
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service_fn(answer))
                .await;
        });
    }
}

async fn answer(
    request: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let received = match request.into_body().collect().await {
        Ok(body) => body.to_bytes().len(),
        Err(_) => {
            let mut response = Response::new(Full::new(Bytes::from_static(
                br#"{"ok":false,"error":"body_read_error"}"#,
            )));
            *response.status_mut() = hyper::StatusCode::BAD_REQUEST;
            return Ok(response);
        }
    };
    let mut response = Response::new(Full::new(Bytes::from(format!(
        r#"{{"ok":true,"received":{received}}}"#
    ))));
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    Ok(response)
}
