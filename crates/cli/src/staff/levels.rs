//! `wuyu staff levels INPUT -o OUTPUT [--columns zh|code]`: reads the appraisal layout through
//! `wuyu_ingest::staff`, levels every teacher with `wuyu_analytics::appraisal::appraise`, and
//! writes the input columns unchanged followed by the level and the arithmetic behind it, as
//! CSV (UTF-8 with BOM) or XLSX by OUTPUT's extension. Any bad cell refuses the whole file:
//! a school's cap depends on every one of its rows.
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use wuyu_analytics::appraisal::{AppraisalRules, Level, Outcome, PoolKind, appraise};
use wuyu_ingest::csv_cell;
use wuyu_ingest::staff::read_levels_input;

use crate::analytics::input::Sheet;

#[derive(clap::Args)]
pub struct LevelsArgs {
    /// 输入文件：.csv（UTF-8、GB18030 或 UTF-16 编码）或 .xlsx（第一个可见工作表）
    input: PathBuf,
    /// 输出文件：.csv（带 BOM 的 UTF-8）或 .xlsx
    #[arg(short, long)]
    output: PathBuf,
    /// 新增列的列名和取值用语：zh（中文）或 code（代码名）
    #[arg(long, value_enum, default_value_t = Columns::Zh)]
    columns: Columns,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Columns {
    /// 考核等次、参加定等人数、优秀名额……，等次写 优秀/合格/基本合格/不合格……
    Zh,
    /// level、n_base、cap……，等次写 excellent/qualified/basic/unqualified……
    Code,
}

const HEADERS_ZH: [&str; 7] = [
    "考核等次",
    "参加定等人数",
    "优秀名额",
    "名额统筹",
    "统筹人数",
    "统筹名额",
    "集体研究名额",
];
const HEADERS_CODE: [&str; 7] = [
    "level",
    "n_base",
    "cap",
    "pool",
    "pool_n",
    "pool_cap",
    "committee_places",
];

/// Errors printed in full before the count of the rest.
const SHOWN_MAX: usize = 30;

pub fn run(args: &LevelsArgs) -> anyhow::Result<ExitCode> {
    let xlsx = match args
        .output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => false,
        Some("xlsx") => true,
        _ => bail!(
            "输出文件“{}”的扩展名应为 .csv 或 .xlsx",
            args.output.display()
        ),
    };
    let sheet = Sheet::read(&args.input)?;
    let file = args.input.display().to_string();
    let input = read_levels_input(&file, &sheet.table);
    if !input.errors.is_empty() {
        for e in input.errors.iter().take(SHOWN_MAX) {
            eprintln!("  {e}");
        }
        if input.errors.len() > SHOWN_MAX {
            eprintln!("  …… 另有 {} 条错误", input.errors.len() - SHOWN_MAX);
        }
        bail!(
            "{} 有 {} 处错误，未定等次、未写出结果；请改正后重试",
            sheet.place,
            input.errors.len()
        );
    }
    let outcomes = appraise(&input.cases, &AppraisalRules::default())
        .map_err(|e| anyhow::anyhow!("{}：无法定等次：{e}", sheet.place))?;
    let code = args.columns == Columns::Code;
    let cells: Vec<[Cell; 7]> = outcomes.iter().map(|o| cells(o, code)).collect();
    let headers = if code { HEADERS_CODE } else { HEADERS_ZH };
    if xlsx {
        write_xlsx(&args.output, &sheet, &headers, &cells)?;
    } else {
        write_csv(&args.output, &sheet, &headers, &cells)?;
    }
    summary(&sheet.place, &input.cases, &outcomes, &args.output);
    Ok(ExitCode::SUCCESS)
}

enum Cell {
    Text(&'static str),
    Int(usize),
    Empty,
}

fn cells(o: &Outcome, code: bool) -> [Cell; 7] {
    let level = if code {
        o.level.code()
    } else {
        o.level.label_zh()
    };
    let pool = if code {
        o.pool.code()
    } else {
        o.pool.label_zh()
    };
    [
        Cell::Text(level),
        Cell::Int(o.n_base),
        Cell::Int(o.cap),
        Cell::Text(pool),
        Cell::Int(o.pool_n),
        Cell::Int(o.pool_cap),
        o.committee_places.map_or(Cell::Empty, Cell::Int),
    ]
}

/// Per level counts and, per school, the cap arithmetic — nothing decided silently.
fn summary(
    place: &str,
    cases: &[wuyu_analytics::appraisal::AppraisalCase],
    outcomes: &[Outcome],
    output: &Path,
) {
    let mut counts: BTreeMap<Level, usize> = BTreeMap::new();
    for o in outcomes {
        *counts.entry(o.level).or_default() += 1;
    }
    let levels: Vec<String> = counts
        .iter()
        .map(|(l, n)| format!("{} {n}", l.label_zh()))
        .collect();
    let schools: BTreeMap<&str, &Outcome> = cases
        .iter()
        .zip(outcomes)
        .map(|(c, o)| (c.school.as_str(), o))
        .collect();
    let pooled: Vec<&Outcome> = schools
        .values()
        .copied()
        .filter(|o| o.pool == PoolKind::District)
        .collect();
    eprintln!(
        "{place}：{} 名教师、{} 所学校；{}。结果已写入 {}",
        outcomes.len(),
        schools.len(),
        levels.join("，"),
        output.display()
    );
    if let Some(p) = pooled.first() {
        eprintln!(
            "  {} 所学校优秀名额为 0，由区统筹：统筹人数 {}，名额 ⌊20 % × {}⌋ = {}",
            pooled.len(),
            p.pool_n,
            p.pool_n,
            p.pool_cap
        );
    }
    let committee = counts.get(&Level::Committee).copied().unwrap_or(0);
    if committee > 0 {
        eprintln!("  {committee} 名教师在名额边界上同分，标为“需集体研究”，由考核委员会确定");
    }
}

fn write_csv(
    path: &Path,
    sheet: &Sheet,
    headers: &[&str; 7],
    cells: &[[Cell; 7]],
) -> anyhow::Result<()> {
    let ctx = || format!("写入 {} 失败", path.display());
    let file = File::create(path).with_context(|| format!("无法创建 {}", path.display()))?;
    let mut buf = BufWriter::with_capacity(1 << 20, file);
    // The BOM makes Excel on Chinese Windows read the file as UTF-8.
    buf.write_all(b"\xEF\xBB\xBF").with_context(ctx)?;
    let mut w = csv::Writer::from_writer(buf);
    let width = sheet.table.header.len();
    for h in &sheet.table.header {
        w.write_field(csv_cell(h).as_bytes()).with_context(ctx)?;
    }
    for h in headers {
        w.write_field(h).with_context(ctx)?;
    }
    w.write_record(None::<&[u8]>).with_context(ctx)?;
    let mut num = String::new();
    for (row, out) in sheet.table.rows().zip(cells) {
        for c in 0..width {
            w.write_field(csv_cell(row.get(c)).as_bytes())
                .with_context(ctx)?;
        }
        for cell in out {
            let text: &str = match cell {
                Cell::Text(t) => t,
                Cell::Int(n) => {
                    num.clear();
                    use std::fmt::Write as _;
                    let _ = write!(num, "{n}");
                    &num
                }
                Cell::Empty => "",
            };
            w.write_field(text).with_context(ctx)?;
        }
        w.write_record(None::<&[u8]>).with_context(ctx)?;
    }
    w.into_inner()
        .map_err(|e| e.into_error())
        .with_context(ctx)?
        .flush()
        .with_context(ctx)?;
    Ok(())
}

fn write_xlsx(
    path: &Path,
    sheet: &Sheet,
    headers: &[&str; 7],
    cells: &[[Cell; 7]],
) -> anyhow::Result<()> {
    use rust_xlsxwriter::{Format, Workbook};
    let bold = Format::new().set_bold();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("考核等次")?;
    let width = sheet.table.header.len();
    let col = |c: usize| u16::try_from(c).context("列数超过 Excel 上限");
    for (c, h) in sheet.table.header.iter().enumerate() {
        ws.write_string_with_format(0, col(c)?, h, &bold)?;
    }
    for (k, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, col(width + k)?, *h, &bold)?;
    }
    ws.set_freeze_panes(1, 0)?;
    for (r, (row, out)) in sheet.table.rows().zip(cells).enumerate() {
        let r = u32::try_from(r + 1).context("行数超过 Excel 上限")?;
        // Input cells stay text, exactly as read (工号 keeps its leading zeros).
        for c in 0..width {
            let v = row.get(c);
            if !v.is_empty() {
                ws.write_string(r, col(c)?, v)?;
            }
        }
        for (k, cell) in out.iter().enumerate() {
            let c = col(width + k)?;
            match cell {
                Cell::Text(t) => {
                    ws.write_string(r, c, *t)?;
                }
                Cell::Int(n) => {
                    ws.write_number(r, c, *n as f64)?;
                }
                Cell::Empty => {}
            }
        }
    }
    wb.save(path)
        .with_context(|| format!("写入 {} 失败", path.display()))?;
    Ok(())
}
