//! What the command-line tests share: a `pubeval serve` child on a free port.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::process::{Command, Stdio};

/// A `pubeval serve` child process, killed when dropped (also when an assertion fails).
pub struct Server(pub std::process::Child);

impl Server {
    /// Kills the server at once (SIGKILL: no shutdown, no flush), as a crash would.
    pub fn crash(&mut self) {
        self.0.kill().expect("kill -9");
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `pubeval serve` on port 0 (the system picks a free port: no race for it) with more
/// arguments, in `dir`, and reads the port it printed.
pub fn serve_on_any_port(dir: &std::path::Path, args: &[&str]) -> (Server, u16) {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_pubeval"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let mut lines = std::io::BufReader::new(stdout).lines();
    let port = loop {
        let line = lines
            .next()
            .expect("the server printed its address")
            .unwrap();
        if let Some(address) = line.split("listening on http://").nth(1) {
            break address
                .trim_end_matches('/')
                .rsplit(':')
                .next()
                .unwrap()
                .parse::<u16>()
                .unwrap();
        }
    };
    // Keep reading its output so that the pipe never fills.
    std::thread::spawn(move || for _ in lines {});
    (server, port)
}
