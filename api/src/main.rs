//! The `pubeval` command.

use std::process::ExitCode;

use clap::Parser;

// polars allocates and frees many short-lived buffers; mimalloc does that far faster than the
// system allocator (measured in `pubeval bench scoring`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = pubeval::cli::Cli::parse();
    match pubeval::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{err}");
            ExitCode::from(err.exit_code())
        }
    }
}
