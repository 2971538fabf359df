//! What a command can fail with, and the exit code each failure gives.

use std::path::PathBuf;

use pubeval_scoring::Problem;

/// Input problems shown at most, so a wholly wrong file does not flood the terminal.
const PROBLEMS_SHOWN: usize = 50;

/// A problem in one line of an input file.
#[derive(Debug, Clone)]
pub struct LineProblem {
    /// The file.
    pub file: PathBuf,
    /// The line, from 1 (0: the file as a whole).
    pub line: usize,
    /// What is wrong, with its field.
    pub problem: Problem,
}

/// A command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The input is wrong; exit code 2.
    #[error("{}", describe_input(.0))]
    Input(Vec<LineProblem>),
    /// A file refused as a whole after every problem was reported (an import); exit code 2.
    #[error("{0}")]
    Rejected(String),
    /// Anything else; exit code 1.
    #[error("错误 / error: {0:#}")]
    Other(#[from] anyhow::Error),
}

impl CliError {
    /// The process exit code: 2 for bad input, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Input(_) | CliError::Rejected(_) => 2,
            CliError::Other(_) => 1,
        }
    }
}

fn describe_input(problems: &[LineProblem]) -> String {
    let mut out = format!(
        "输入有误，未输出任何结果 / invalid input, nothing was scored ({} 处问题 / problem(s)):",
        problems.len()
    );
    for p in problems.iter().take(PROBLEMS_SHOWN) {
        let place = if p.line == 0 {
            p.file.display().to_string()
        } else {
            format!("{}:{}", p.file.display(), p.line)
        };
        out.push_str(&format!(
            "\n  {place}: {}: {} ({})",
            p.problem.field, p.problem.message, p.problem.message_en
        ));
    }
    if problems.len() > PROBLEMS_SHOWN {
        out.push_str(&format!(
            "\n  …… 另有 {} 处 / and {} more",
            problems.len() - PROBLEMS_SHOWN,
            problems.len() - PROBLEMS_SHOWN
        ));
    }
    out
}
