//! haibun's domain: plain data and pure functions about medical R&D budgets.
//!
//! Nothing here touches files, databases, the network or the clock; every rule about
//! budgets lives here so that it can be tested without any of them.

pub mod apportion;
pub mod book;
pub mod classify;
pub mod compile;
pub mod evidence;
pub mod fiscal_year;
pub mod fund;
pub mod line;
pub mod money;
pub mod optimise;
pub mod pdca;
pub mod policy;
pub mod problem;
pub mod review;
pub mod rng;
pub mod shares;
pub mod text;
pub mod workflow;

pub use compile::{Compilation, Stage, compile, compile_settled};
pub use fiscal_year::FiscalYear;
pub use line::{LineId, RequestLine};
pub use money::{Unit, Yen};
pub use policy::Policy;
pub use problem::{Location, Problem, ProblemCode};
pub use shares::Shares;
