//! What is fuzzed: every reader of a file a user can upload, exactly as the import calls it
//! (nothing stored), and the good files each starts from.

use haibun_domain::evidence::report::Table;
use haibun_domain::{FiscalYear, Policy, Unit};
use haibun_service::{ImportRequest, Limits, ServiceError};

/// A reader of uploaded bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A ministry's filled request template (xlsx, xls or CSV), read and every row checked.
    Template,
    /// An RS 2-1 budget and execution file.
    RsBudget,
    /// An RS 3-1 KPI file.
    RsKpis,
    /// One of the evidence tables.
    Evidence(Table),
    /// The optimiser's instance (JSON), parsed, validated and solved with a short time limit.
    Fund,
    /// A draft policy (TOML).
    Policy,
}

impl Target {
    /// Every target.
    pub fn all() -> Vec<Target> {
        let mut t = vec![Target::Template, Target::RsBudget, Target::RsKpis, Target::Fund, Target::Policy];
        t.extend(Table::ALL.iter().map(|&e| Target::Evidence(e)));
        t
    }

    /// Its name in reports.
    pub fn name(self) -> String {
        match self {
            Target::Template => "template".into(),
            Target::RsBudget => "rs-budget".into(),
            Target::RsKpis => "rs-kpis".into(),
            Target::Evidence(t) => format!("evidence-{}", t.name()),
            Target::Fund => "fund".into(),
            Target::Policy => "policy".into(),
        }
    }

    /// The file name an input is read under (its extension is a hint some readers use).
    pub fn file_name(self, input: &[u8]) -> &'static str {
        let workbook = input.starts_with(b"PK") || input.starts_with(&[0xD0, 0xCF]);
        match self {
            Target::Fund => "instance.json",
            Target::Policy => "policy.toml",
            _ if workbook => "input.xlsx",
            _ => "input.csv",
        }
    }
}

/// What the readers need besides the bytes.
#[derive(Debug)]
pub struct Context {
    policy: Policy,
    limits: Limits,
}

impl Context {
    /// The built-in FY2023 policy and the default limits.
    pub fn new() -> Context {
        let fy = FiscalYear::try_from(2023).expect("2023 is a fiscal year");
        let policy = Policy::builtin(fy).expect("FY2023 is built in").expect("the built-in policy is valid");
        Context { policy, limits: Limits::default() }
    }

    /// Runs one input through one reader. The answer sums up the outcome (accepted, or the
    /// first problem's code and column), which the fuzzer uses to keep inputs that reach
    /// something new. A panic is not caught here.
    pub fn run(&self, target: Target, input: &[u8]) -> String {
        let file = target.file_name(input);
        let refused = |p: &[haibun_domain::problem::Problem]| match p.first() {
            Some(p) => format!("{}@{}", p.code, p.location.column.as_deref().unwrap_or("-")),
            None => "refused-without-a-problem".into(),
        };
        match target {
            Target::Template => {
                let req = ImportRequest {
                    fiscal_year: self.policy.fiscal_year,
                    ministry: "MEXT",
                    file_name: file,
                    bytes: input,
                    unit: None,
                };
                match haibun_service::parse_request_file(&self.policy, "MEXT", &req, &self.limits) {
                    Ok(p) => format!("ok:{}:{}", bucket(p.lines.len()), p.unit.name()),
                    Err(ServiceError::Invalid(p)) => refused(&p),
                    Err(e) => format!("other:{e}"),
                }
            }
            Target::RsBudget => match haibun_sheets::rs::read_rs_budget(input, file, &self.limits) {
                Ok(f) => format!("ok:{}:{}", bucket(f.rows.len()), bucket(f.detail_rows)),
                Err(p) => refused(&p),
            },
            Target::RsKpis => match haibun_sheets::rs_kpi::read_rs_kpis(input, file, &self.limits) {
                Ok(f) => format!("ok:{}:{}", bucket(f.indicators.len()), bucket(f.qualitative)),
                Err(p) => refused(&p),
            },
            Target::Evidence(t) => {
                match haibun_sheets::evidence::read_evidence(t, input, file, &self.policy, &self.limits) {
                    Ok(_) => "ok".into(),
                    Err(p) => refused(&p),
                }
            }
            Target::Fund => fund(input),
            Target::Policy => match std::str::from_utf8(input) {
                Ok(text) => match Policy::from_toml(text, file) {
                    Ok(_) => "ok".into(),
                    Err(p) => refused(&p),
                },
                Err(_) => "not-utf8".into(),
            },
        }
    }

    /// The good files each target starts from (the hostile corpus is added to all of them).
    pub fn seeds(&self, target: Target) -> Vec<Vec<u8>> {
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/seeds");
        let read = |name: &str| std::fs::read(corpus.join(name)).unwrap_or_default();
        match target {
            Target::Template => {
                let mut lines = haibun_service::demo::generate(&self.policy, 11, 12);
                for l in &mut lines {
                    l.ministry = "MEXT".into();
                }
                vec![
                    haibun_sheets::write_workbook(&self.policy, Some("MEXT"), Unit::ThousandYen, &lines)
                        .expect("the template is written"),
                    haibun_sheets::write_csv(&self.policy, Some("MEXT"), Unit::ThousandYen, &lines),
                ]
            }
            Target::RsBudget => vec![read("rs-2-1.csv")],
            Target::RsKpis => vec![read("rs-3-1.csv")],
            Target::Evidence(t) => haibun_service::DEMO_EVIDENCE
                .iter()
                .filter(|(table, _, _)| *table == t)
                .map(|(_, _, text)| text.as_bytes().to_vec())
                .collect(),
            Target::Fund => {
                let inst = haibun_domain::optimise::generate(5, 8, 3);
                vec![serde_json::to_vec_pretty(&inst).expect("an instance serialises")]
            }
            Target::Policy => {
                let fy = self.policy.fiscal_year;
                vec![haibun_domain::policy::builtin_source(fy).map(|(_, t)| t.as_bytes().to_vec()).unwrap_or_default()]
            }
        }
    }
}

impl Default for Context {
    fn default() -> Self {
        Context::new()
    }
}

/// Counts in a few buckets, so a new count alone is not something new.
fn bucket(n: usize) -> &'static str {
    match n {
        0 => "0",
        1 => "1",
        2..=9 => "few",
        _ => "many",
    }
}

fn fund(input: &[u8]) -> String {
    use haibun_domain::optimise::{Instance, Options, solve};
    let Ok(inst) = serde_json::from_slice::<Instance>(input) else {
        return "not-an-instance".into();
    };
    if inst.proposals.len() > 40 {
        // The solver's time on big instances is the benchmark's business, not the fuzzer's.
        return "large".into();
    }
    let opts = Options { time_limit: Some(std::time::Duration::from_millis(200)), analyse: false };
    match solve(&inst, opts) {
        Ok(plan) => format!("solved:{}", plan.proven_optimal),
        Err(e) => format!("refused:{}", e.to_string().chars().take(24).collect::<String>()),
    }
}
