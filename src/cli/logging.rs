//! Log output of `serve`: text or JSON lines on stderr, filtered by
//! `PII_PROXY_LOG`, else `RUST_LOG`, else `info`.

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum LogFormat {
    Text,
    Json,
}

pub(super) fn init(format: LogFormat) {
    crate::notice::set_json(format == LogFormat::Json);
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("PII_PROXY_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info"));
    // Colours only for a person at a terminal, not in files and collectors.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .init(),
    }
}
