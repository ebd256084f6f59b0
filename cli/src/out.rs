//! What the commands print on stdout. A reader that stops early (`anjian checklists
//! --unverified | head`) closes the pipe: the command then ends quietly with success instead of
//! panicking, since nobody is left to read the rest. Any other write failure is an error with a
//! message, like every other failure of a command.

use std::fmt;
use std::io::{self, Write};

/// Why a command stopped before finishing.
#[derive(Debug)]
pub enum Failure {
    /// Told to the user on stderr (in Chinese), with a non-zero exit.
    Message(String),
    /// Whoever read stdout closed it: nothing more can be said to anyone.
    StdoutClosed,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Message(message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Self {
        Failure::Message(message.to_string())
    }
}

/// Writes one line on stdout; use it through `outln!`.
pub fn line(args: fmt::Arguments) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    writeln!(out, "{args}").map_err(|e| match e.kind() {
        io::ErrorKind::BrokenPipe => Failure::StdoutClosed,
        _ => Failure::Message(format!("无法输出结果：{e}")),
    })
}

/// `println!` that returns `Result<(), Failure>` instead of panicking on a closed stdout.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::out::line(format_args!($($arg)*))
    };
}
pub(crate) use outln;
