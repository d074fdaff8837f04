//! The `pii-proxy` binary: parse the command line, run it, exit with the
//! code of the one table in [`pii_proxy::cli`].

use std::process::ExitCode;

use clap::Parser;

// glibc's malloc was ~13% of the proxy's CPU at 1 KB (malloc, _int_malloc,
// malloc_consolidate, free, realloc) and kept freed body buffers after a
// burst of large requests; measured against it in benches/README.md.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = pii_proxy::cli::Cli::parse();
    match pii_proxy::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let message = error.to_string();
            if !message.is_empty() {
                eprintln!("{message}");
            }
            pii_proxy::cli::exit_code(&error)
        }
    }
}
