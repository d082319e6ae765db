//! Compilation (取りまとめ): cross-tabulating request lines into the totals the Cabinet Office reports.

#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::fiscal_year::FiscalYear;
use crate::line::RequestLine;
use crate::money::Yen;

/// Key for lines without an integrated project.
pub const NONE: &str = "NONE";
/// Key for lines without disease-area (or purpose) shares.
pub const UNASSIGNED: &str = "UNASSIGNED";

/// Which figures a compilation shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// The lines as requested by the ministries now.
    Requested,
    /// A frozen HQ compilation snapshot.
    Compiled,
    /// After negotiation with the fiscal authority.
    Settled,
}

/// Prior-year, requested and (once settled) settled amounts of one cell of a cross-tab.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Amounts {
    /// 前年度予算額
    pub prior_year: Yen,
    /// 要求額
    pub request: Yen,
    /// 査定額: the amount settled with the fiscal authority (settled stage only)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settled: Option<Yen>,
    /// 追加配分: the adjustment fund's allocations decided by HQ (once there are any)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjustment: Option<Yen>,
}

impl Amounts {
    /// The amount a stage reports as this year's: the settled amount once settled, else the request.
    pub fn current(&self) -> Yen {
        self.settled.unwrap_or(self.request)
    }
}

/// One row keyed by a single code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyRow {
    /// The code.
    pub key: String,
    /// Its amounts.
    #[serde(flatten)]
    pub amounts: Amounts,
}

/// One row of the ministry × project table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MinistryProjectRow {
    /// Ministry code.
    pub ministry: String,
    /// Project code or `NONE`.
    pub project: String,
    /// Its amounts.
    #[serde(flatten)]
    pub amounts: Amounts,
}

/// One row of the ministry × channel table (the summary, 総括表).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MinistryChannelRow {
    /// Ministry code.
    pub ministry: String,
    /// Channel code.
    pub channel: String,
    /// Its amounts.
    #[serde(flatten)]
    pub amounts: Amounts,
}

/// One row of the project × disease-area table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectDiseaseRow {
    /// Project code or `NONE`.
    pub project: String,
    /// Disease-area code or `UNASSIGNED`.
    pub disease_area: String,
    /// Its amounts.
    #[serde(flatten)]
    pub amounts: Amounts,
}

/// The compiled cross-tabs of a fiscal year. Every breakdown sums exactly to `total`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Compilation {
    /// The year.
    pub fiscal_year: FiscalYear,
    /// Which figures.
    pub stage: Stage,
    /// How many lines.
    pub lines: usize,
    /// The grand total.
    pub total: Amounts,
    /// By ministry.
    pub by_ministry: Vec<KeyRow>,
    /// By integrated project (`NONE` for lines without one).
    pub by_project: Vec<KeyRow>,
    /// By budget channel.
    pub by_channel: Vec<KeyRow>,
    /// By disease area, shares apportioned in whole yen (`UNASSIGNED` for lines without shares).
    pub by_disease_area: Vec<KeyRow>,
    /// By development purpose, likewise.
    pub by_purpose: Vec<KeyRow>,
    /// Ministry × project.
    pub by_ministry_project: Vec<MinistryProjectRow>,
    /// Ministry × channel.
    pub by_ministry_channel: Vec<MinistryChannelRow>,
    /// Project × disease area.
    pub by_project_disease_area: Vec<ProjectDiseaseRow>,
}

/// Compiles lines into cross-tabs; arrays are sorted by key.
pub fn compile(fiscal_year: FiscalYear, stage: Stage, lines: &[RequestLine]) -> Compilation {
    let mut cols = Columns::with_capacity(lines.len(), false);
    for l in lines {
        cols.push_line(l, None);
    }
    compile_columns(fiscal_year, stage, &cols)
}

/// Compiles settled lines: each with the amount settled for it, shown beside the request.
pub fn compile_settled(fiscal_year: FiscalYear, lines: &[(RequestLine, Yen)]) -> Compilation {
    let mut cols = Columns::with_capacity(lines.len(), true);
    for (l, s) in lines {
        cols.push_line(l, Some(*s));
    }
    compile_columns(fiscal_year, Stage::Settled, &cols)
}

/// Codes of one dimension, numbered in the order first seen. Dimensions are small (policy codes),
/// so a linear search beats hashing.
#[derive(Debug, Clone, Default)]
struct Dict(Vec<String>);

impl Dict {
    fn id(&mut self, code: &str) -> u32 {
        match self.0.iter().position(|c| c == code) {
            Some(i) => i as u32,
            None => {
                self.0.push(code.to_string());
                (self.0.len() - 1) as u32
            }
        }
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    /// Ids in the order of their codes.
    fn sorted(&self) -> Vec<usize> {
        let mut ids: Vec<usize> = (0..self.0.len()).collect();
        ids.sort_by(|a, b| self.0[*a].cmp(&self.0[*b]));
        ids
    }
}

/// Share lists of every line, flattened: line `i`'s shares are `code[start[i]..start[i + 1]]`.
/// A line without shares has one share of 100 % under `UNASSIGNED`.
#[derive(Debug, Clone)]
struct ShareColumn {
    dict: Dict,
    start: Vec<u32>,
    code: Vec<u32>,
    pct: Vec<u8>,
}

impl ShareColumn {
    fn with_capacity(n: usize) -> ShareColumn {
        let mut start = Vec::with_capacity(n + 1);
        start.push(0);
        ShareColumn { dict: Dict::default(), start, code: Vec::with_capacity(n * 2), pct: Vec::with_capacity(n * 2) }
    }

    fn push<'a>(&mut self, pairs: impl Iterator<Item = (&'a str, u8)>) {
        let before = self.code.len();
        for (c, p) in pairs {
            let id = self.dict.id(c);
            self.code.push(id);
            self.pct.push(p);
        }
        if self.code.len() == before {
            let id = self.dict.id(UNASSIGNED);
            self.code.push(id);
            self.pct.push(100);
        }
        self.start.push(self.code.len() as u32);
    }

    /// Parses the stored form `CODE:60;CODE:40` (empty: no shares). The percents must sum to 100.
    fn push_code_string(&mut self, s: &str) -> Result<(), String> {
        let mut sum = 0u32;
        let mut pairs = [("", 0u8); MAX_SHARES];
        let mut n = 0;
        for part in s.split(';').filter(|p| !p.is_empty()) {
            let (c, p) = part.split_once(':').ok_or_else(|| format!("malformed share: {part}"))?;
            let p: u8 = p.parse().map_err(|_| format!("malformed share: {part}"))?;
            if n == MAX_SHARES || p == 0 {
                return Err(format!("malformed shares: {s}"));
            }
            pairs[n] = (c, p);
            n += 1;
            sum += u32::from(p);
        }
        if n > 0 && sum != 100 {
            return Err(format!("shares do not sum to 100: {s}"));
        }
        self.push(pairs[..n].iter().copied());
        Ok(())
    }
}

/// The most shares one line may have across one dimension: whole percents of at least 1 each.
pub const MAX_SHARES: usize = 100;

/// Lines in columns, codes as small integers: what the compiler reads. Build it once (from lines,
/// or straight from stored rows) and compile it as often as needed.
#[derive(Debug, Clone)]
pub struct Columns {
    ministries: Dict,
    projects: Dict,
    channels: Dict,
    ministry: Vec<u32>,
    project: Vec<u32>,
    channel: Vec<u32>,
    prior: Vec<i64>,
    request: Vec<i64>,
    settled: Option<Vec<i64>>,
    disease: ShareColumn,
    purpose: ShareColumn,
}

impl Columns {
    /// Room for `n` lines; `settled` if every line will carry a settled amount.
    pub fn with_capacity(n: usize, settled: bool) -> Columns {
        Columns {
            ministries: Dict::default(),
            projects: Dict::default(),
            channels: Dict::default(),
            ministry: Vec::with_capacity(n),
            project: Vec::with_capacity(n),
            channel: Vec::with_capacity(n),
            prior: Vec::with_capacity(n),
            request: Vec::with_capacity(n),
            settled: settled.then(|| Vec::with_capacity(n)),
            disease: ShareColumn::with_capacity(n),
            purpose: ShareColumn::with_capacity(n),
        }
    }

    /// How many lines.
    pub fn len(&self) -> usize {
        self.ministry.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ministry.is_empty()
    }

    fn push_head(
        &mut self,
        ministry: &str,
        project: Option<&str>,
        channel: &str,
        prior: Yen,
        request: Yen,
        settled: Option<Yen>,
    ) {
        let m = self.ministries.id(ministry);
        let p = self.projects.id(project.unwrap_or(NONE));
        let c = self.channels.id(channel);
        self.ministry.push(m);
        self.project.push(p);
        self.channel.push(c);
        self.prior.push(prior.get());
        self.request.push(request.get());
        if let Some(s) = self.settled.as_mut() {
            s.push(settled.unwrap_or_default().get());
        }
    }

    /// Adds a line (with its settled amount when the columns hold settled amounts).
    pub fn push_line(&mut self, l: &RequestLine, settled: Option<Yen>) {
        self.push_head(&l.ministry, l.project.as_deref(), &l.channel, l.prior_year, l.request, settled);
        self.disease.push(l.disease_areas.iter().flat_map(|s| s.pairs()).map(|(c, p)| (c.as_str(), *p)));
        self.purpose.push(l.purposes.iter().flat_map(|s| s.pairs()).map(|(c, p)| (c.as_str(), *p)));
    }

    /// Adds a line from its stored fields, shares in the stored form `CODE:60;CODE:40` (empty or
    /// absent: none). Refuses shares that are malformed or do not sum to 100, adding nothing.
    #[allow(clippy::too_many_arguments)]
    pub fn push_stored(
        &mut self,
        ministry: &str,
        project: Option<&str>,
        channel: &str,
        prior: Yen,
        request: Yen,
        settled: Option<Yen>,
        disease_areas: Option<&str>,
        purposes: Option<&str>,
    ) -> Result<(), String> {
        // Check both share lists before anything is added, so a refusal leaves the columns whole.
        for s in [disease_areas, purposes].into_iter().flatten() {
            let mut probe = ShareColumn::with_capacity(0);
            probe.push_code_string(s)?;
        }
        self.push_head(ministry, project, channel, prior, request, settled);
        self.disease.push_code_string(disease_areas.unwrap_or(""))?;
        self.purpose.push_code_string(purposes.unwrap_or(""))?;
        Ok(())
    }
}

impl Compilation {
    /// Sets every cell's `adjustment` from a compilation of the adjustment fund's allocations
    /// (their amounts as the request, under their target lines' classification): 0 where a cell
    /// received nothing. Cells only the allocations have are added.
    pub fn with_adjustment(mut self, adj: &Compilation) -> Compilation {
        /// Sets each row's adjustment from the allocation rows with the same key (0 if none),
        /// adding rows only the allocations have; keeps the rows sorted by key.
        fn merge<R: Clone, K: Ord>(
            rows: &mut Vec<R>,
            adj: &[R],
            key: impl Fn(&R) -> K,
            amounts: impl Fn(&mut R) -> &mut Amounts,
        ) {
            for r in rows.iter_mut() {
                amounts(r).adjustment = Some(Yen::ZERO);
            }
            for a in adj {
                let mut added = a.clone();
                let y = amounts(&mut added).request;
                match rows.iter_mut().find(|r| key(r) == key(a)) {
                    Some(r) => amounts(r).adjustment = Some(y),
                    None => {
                        *amounts(&mut added) = Amounts { adjustment: Some(y), ..Amounts::default() };
                        rows.push(added);
                    }
                }
            }
            rows.sort_by_key(|a| key(a));
        }
        self.total.adjustment = Some(adj.total.request);
        for (rows, from) in [
            (&mut self.by_ministry, &adj.by_ministry),
            (&mut self.by_project, &adj.by_project),
            (&mut self.by_channel, &adj.by_channel),
            (&mut self.by_disease_area, &adj.by_disease_area),
            (&mut self.by_purpose, &adj.by_purpose),
        ] {
            merge(rows, from, |r| r.key.clone(), |r| &mut r.amounts);
        }
        merge(
            &mut self.by_ministry_project,
            &adj.by_ministry_project,
            |r| (r.ministry.clone(), r.project.clone()),
            |r| &mut r.amounts,
        );
        merge(
            &mut self.by_ministry_channel,
            &adj.by_ministry_channel,
            |r| (r.ministry.clone(), r.channel.clone()),
            |r| &mut r.amounts,
        );
        merge(
            &mut self.by_project_disease_area,
            &adj.by_project_disease_area,
            |r| (r.project.clone(), r.disease_area.clone()),
            |r| &mut r.amounts,
        );
        self
    }
}

/// Splits `amount` by whole percents summing to 100 with the largest-remainder rule of
/// [`crate::apportion::apportion`] (ties to the earlier share), into `out`, without allocating.
#[inline]
fn apportion_pct(amount: i64, pct: &[u8], out: &mut [i64]) {
    let (q, r) = (amount / 100, amount % 100);
    let mut rem = [0i64; MAX_SHARES];
    let mut assigned = 0i64;
    for (j, &p) in pct.iter().enumerate() {
        let p = i64::from(p);
        // amount × p / 100 without overflow: q·p is exact, and r·p < 10⁴.
        out[j] = q * p + (r * p) / 100;
        rem[j] = (r * p) % 100;
        assigned += out[j];
    }
    let rem = &mut rem[..pct.len()];
    // Negative amounts: remainders and the leftover are ≤ 0; mirror them so the same rule applies.
    let sign = if amount < 0 { -1 } else { 1 };
    let mut left = (amount - assigned) * sign;
    while left > 0 {
        let mut best = 0;
        for j in 1..rem.len() {
            if rem[j] * sign > rem[best] * sign {
                best = j;
            }
        }
        out[best] += sign;
        rem[best] = -100 * sign;
        left -= 1;
    }
}

/// Accumulates prior, request and settled amounts into dense cells.
struct Acc {
    cells: Vec<[i64; 3]>,
    seen: Vec<bool>,
}

impl Acc {
    fn new(n: usize) -> Acc {
        Acc { cells: vec![[0; 3]; n], seen: vec![false; n] }
    }

    #[inline]
    fn add(&mut self, i: usize, a: [i64; 3]) {
        let c = &mut self.cells[i];
        c[0] += a[0];
        c[1] += a[1];
        c[2] += a[2];
        self.seen[i] = true;
    }

    fn amounts(&self, i: usize, settled: bool) -> Amounts {
        let c = self.cells[i];
        Amounts { prior_year: Yen(c[0]), request: Yen(c[1]), settled: settled.then_some(Yen(c[2])), adjustment: None }
    }

    fn rows(&self, dict: &Dict, settled: bool) -> Vec<KeyRow> {
        dict.sorted()
            .into_iter()
            .filter(|&i| self.seen[i])
            .map(|i| KeyRow { key: dict.0[i].clone(), amounts: self.amounts(i, settled) })
            .collect()
    }

    /// Cells of an `a × b` grid (index `i·|b| + j`) in key order.
    fn pairs<'d>(&self, a: &'d Dict, b: &'d Dict, settled: bool) -> Vec<(&'d str, &'d str, Amounts)> {
        let bs = b.sorted();
        let mut out = Vec::new();
        for i in a.sorted() {
            for &j in &bs {
                let k = i * b.len() + j;
                if self.seen[k] {
                    out.push((a.0[i].as_str(), b.0[j].as_str(), self.amounts(k, settled)));
                }
            }
        }
        out
    }
}

/// Compiles columns into cross-tabs in one pass: integer sums into dense arrays indexed by code,
/// shares apportioned on the stack. Arrays are sorted by key.
pub fn compile_columns(fiscal_year: FiscalYear, stage: Stage, cols: &Columns) -> Compilation {
    let settled = cols.settled.is_some() || stage == Stage::Settled;
    let (nm, np, nc) = (cols.ministries.len(), cols.projects.len(), cols.channels.len());
    let (nd, nu) = (cols.disease.dict.len(), cols.purpose.dict.len());
    let mut total = Acc::new(1);
    let mut by_m = Acc::new(nm);
    let mut by_p = Acc::new(np);
    let mut by_c = Acc::new(nc);
    let mut by_mp = Acc::new(nm * np);
    let mut by_mc = Acc::new(nm * nc);
    let mut by_d = Acc::new(nd);
    let mut by_pd = Acc::new(np * nd);
    let mut by_u = Acc::new(nu);
    let mut parts = [[0i64; MAX_SHARES]; 3];
    for i in 0..cols.len() {
        let a = [cols.prior[i], cols.request[i], cols.settled.as_ref().map_or(0, |s| s[i])];
        let (m, p, c) = (cols.ministry[i] as usize, cols.project[i] as usize, cols.channel[i] as usize);
        total.add(0, a);
        by_m.add(m, a);
        by_p.add(p, a);
        by_c.add(c, a);
        by_mp.add(m * np + p, a);
        by_mc.add(m * nc + c, a);
        let (s, e) = (cols.disease.start[i] as usize, cols.disease.start[i + 1] as usize);
        if e - s == 1 {
            let d = cols.disease.code[s] as usize;
            by_d.add(d, a);
            by_pd.add(p * nd + d, a);
        } else {
            let pct = &cols.disease.pct[s..e];
            for k in 0..3 {
                apportion_pct(a[k], pct, &mut parts[k]);
            }
            for (j, &d) in cols.disease.code[s..e].iter().enumerate() {
                let d = d as usize;
                let part = [parts[0][j], parts[1][j], parts[2][j]];
                by_d.add(d, part);
                by_pd.add(p * nd + d, part);
            }
        }
        let (s, e) = (cols.purpose.start[i] as usize, cols.purpose.start[i + 1] as usize);
        if e - s == 1 {
            by_u.add(cols.purpose.code[s] as usize, a);
        } else {
            let pct = &cols.purpose.pct[s..e];
            for k in 0..3 {
                apportion_pct(a[k], pct, &mut parts[k]);
            }
            for (j, &u) in cols.purpose.code[s..e].iter().enumerate() {
                by_u.add(u as usize, [parts[0][j], parts[1][j], parts[2][j]]);
            }
        }
    }
    Compilation {
        fiscal_year,
        stage,
        lines: cols.len(),
        total: total.amounts(0, settled),
        by_ministry: by_m.rows(&cols.ministries, settled),
        by_project: by_p.rows(&cols.projects, settled),
        by_channel: by_c.rows(&cols.channels, settled),
        by_disease_area: by_d.rows(&cols.disease.dict, settled),
        by_purpose: by_u.rows(&cols.purpose.dict, settled),
        by_ministry_project: by_mp
            .pairs(&cols.ministries, &cols.projects, settled)
            .into_iter()
            .map(|(m, p, amounts)| MinistryProjectRow { ministry: m.into(), project: p.into(), amounts })
            .collect(),
        by_ministry_channel: by_mc
            .pairs(&cols.ministries, &cols.channels, settled)
            .into_iter()
            .map(|(m, c, amounts)| MinistryChannelRow { ministry: m.into(), channel: c.into(), amounts })
            .collect(),
        by_project_disease_area: by_pd
            .pairs(&cols.projects, &cols.disease.dict, settled)
            .into_iter()
            .map(|(p, d, amounts)| ProjectDiseaseRow { project: p.into(), disease_area: d.into(), amounts })
            .collect(),
    }
}
