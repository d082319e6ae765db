//! Progress of long commands (a database copy, a large import): a bar on a terminal. Where
//! stderr is not a terminal (a log, a pipe), a copy writes one line per step instead, so a script
//! still sees how far it came; an import writes nothing there (its result says it all).

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Reports the progress of one long command on stderr.
#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
    step: String,
    /// Whether steps are written as lines when stderr is not a terminal.
    lines: bool,
}

impl Progress {
    /// A counter of `unit`s: a bar on a terminal; else, if `lines`, a line as each step begins.
    pub fn counter(unit: &str, lines: bool) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            let template = format!("{{spinner}} {{msg:20}} [{{bar:30}}] {{pos}}/{{len}} {unit} ({{eta}})");
            bar.set_style(ProgressStyle::with_template(&template).expect("a valid template").progress_chars("=> "));
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress { bar, step: String::new(), lines }
    }

    /// `done` of `total`, now in `step`; off a terminal, a line as each step begins.
    pub fn update(&mut self, step: &str, done: u64, total: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(total);
            bar.set_position(done);
        }
        if self.step == step {
            return;
        }
        match &self.bar {
            Some(bar) => bar.set_message(step.to_string()),
            None if self.lines => eprintln!("  {step}… {done}/{total}"),
            None => {}
        }
        self.step = step.to_string();
    }

    /// Clears the bar (the command then prints its result).
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}
