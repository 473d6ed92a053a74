/*!
`wuyu fitness score INPUT -o OUTPUT [--columns zh|code]`: the stateless scorer for PE teachers
and scripts (issue 3). No database.

It reads a CSV (UTF-8, GB18030, UTF-16) or XLSX in the national template layout or the
code-name layout (see `wuyu_ingest::fitness` for the headers and the accepted value forms),
scores every row with `wuyu_standards::score_record`, and writes OUTPUT as CSV (UTF-8 with BOM,
so Excel opens it) or XLSX, chosen by OUTPUT's extension.

Output: the input columns unchanged and in order, then a fixed set of columns (the same for every
file, so scripts can rely on them): `bmi`, `bmi_category`, `<item>_score` for every item of the
standard, `<item>_bonus` for every bonus item, `bonus_total`, `standard_score`, `year_total`,
`level`, `status`, `message`. Headers and values are Chinese by default and the glossary code
names with `--columns code`.

Every row is written: a row with errors gets status ERROR (错误) and a message listing all its
problems, so a teacher fixes the whole file in one pass. The exit code is non-zero only when the
file cannot be read at all (or OUTPUT cannot be written).
*/
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use wuyu_domain::RowError;
use wuyu_ingest::fitness::{FitnessRow, FitnessSheet, find_fitness_sheets};
use wuyu_ingest::{csv_cell, read_tables};
use wuyu_standards::{FitnessItem, FitnessResult, FitnessStatus, max_item_bonus, score_record};

#[derive(clap::Args)]
pub struct ScoreArgs {
    /// 输入文件：.csv（UTF-8、GB18030 或 UTF-16 编码）或 .xlsx
    input: PathBuf,
    /// 输出文件：.csv（带 BOM 的 UTF-8）或 .xlsx
    #[arg(short, long)]
    output: PathBuf,
    /// 新增列的列名和取值用语：zh（中文）或 code（术语表中的代码名）
    #[arg(long, value_enum, default_value_t = Columns::Zh)]
    columns: Columns,
}

/// Which names the added columns and their values use.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Columns {
    /// 中文：体重指数、50米跑得分、等级 优秀/良好/及格/不及格、状态 完整/缺项/错误……
    Zh,
    /// 代码名：bmi、run_50m_score、level excellent/good/pass/fail、status OK/INCOMPLETE/ERROR……
    Code,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum OutFormat {
    Csv,
    Xlsx,
}

fn out_format(path: &Path) -> anyhow::Result<OutFormat> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv") => Ok(OutFormat::Csv),
        Some("xlsx") => Ok(OutFormat::Xlsx),
        _ => bail!("输出文件“{}”的扩展名应为 .csv 或 .xlsx", path.display()),
    }
}

/// Counts for the summary.
#[derive(Default)]
struct Tally {
    rows: usize,
    ok: usize,
    incomplete: usize,
    error: usize,
    warnings: usize,
    /// The first few problems, printed in full (file, sheet, row, column, value, message).
    shown: Vec<String>,
}

const SHOWN_MAX: usize = 20;

impl Tally {
    /// Adds the counts of the rows after these (their first problems after ours).
    fn add(&mut self, later: Tally) {
        self.rows += later.rows;
        self.ok += later.ok;
        self.incomplete += later.incomplete;
        self.error += later.error;
        self.warnings += later.warnings;
        let room = SHOWN_MAX - self.shown.len().min(SHOWN_MAX);
        self.shown.extend(later.shown.into_iter().take(room));
    }
}

pub fn score(args: &ScoreArgs) -> anyhow::Result<ExitCode> {
    let format = out_format(&args.output)?;
    let file_name = args.input.file_name().map_or_else(
        || args.input.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let bytes =
        std::fs::read(&args.input).with_context(|| format!("无法读取 {}", args.input.display()))?;
    let tables = read_tables(&file_name, &bytes).with_context(|| file_name.clone())?;
    let sheets = find_fitness_sheets(&file_name, &tables).with_context(|| file_name.clone())?;
    let names = OutNames::new(args.columns);

    // Pass-through width: the header, or a longer row (cells past the header stay in place).
    let widths: Vec<usize> = sheets
        .iter()
        .map(|s| {
            s.table()
                .rows()
                .map(|r| r.len())
                .max()
                .unwrap_or(0)
                .max(s.table().header.len())
        })
        .collect();
    for s in &sheets {
        for h in &s.table().header {
            if names.headers.iter().any(|n| n == h) {
                eprintln!(
                    "提醒：输入中已有列“{h}”，输出中将出现两列同名（输入列在前，新算出的在后）"
                );
            }
        }
    }

    let mut tally = Tally::default();
    match format {
        OutFormat::Csv => {
            // One CSV holds one table: several sheets must share a header to be concatenated.
            if let Some(other) = sheets
                .iter()
                .find(|s| s.table().header != sheets[0].table().header)
            {
                bail!(
                    "{file_name} 中有多个体测成绩表且列不同（“{}”与“{}”），无法合并为一个 CSV；请输出为 .xlsx（每个工作表对应一个）",
                    sheets[0].table().name,
                    other.table().name
                );
            }
            let width = widths.iter().copied().max().unwrap_or(0);
            write_csv(&args.output, &sheets, width, &names, &mut tally)?;
        }
        OutFormat::Xlsx => write_xlsx(&args.output, &sheets, &widths, &names, &mut tally)?,
    }

    eprintln!(
        "{file_name}：共 {} 行，完整 {}，缺项 {}，错误 {}；提醒 {} 条。结果已写入 {}",
        tally.rows,
        tally.ok,
        tally.incomplete,
        tally.error,
        tally.warnings,
        args.output.display()
    );
    for line in &tally.shown {
        eprintln!("  {line}");
    }
    let problems = tally.error + tally.warnings;
    if problems > tally.shown.len() {
        eprintln!(
            "  …… 其余 {} 条见输出文件的“{}”列",
            problems - tally.shown.len(),
            names.headers.last().expect("message column")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The added columns' headers and the words used for values.
struct OutNames {
    headers: Vec<String>,
    code: bool,
}

/// Items with a bonus column, in `FitnessItem::ALL` order.
fn bonus_items() -> impl Iterator<Item = FitnessItem> {
    FitnessItem::ALL.into_iter().filter(|i| i.has_bonus())
}

impl OutNames {
    fn new(columns: Columns) -> Self {
        let code = columns == Columns::Code;
        let mut headers = Vec::new();
        if code {
            headers.extend(["bmi".to_string(), "bmi_category".to_string()]);
            headers.extend(
                FitnessItem::ALL
                    .iter()
                    .map(|i| format!("{}_score", i.code())),
            );
            headers.extend(bonus_items().map(|i| format!("{}_bonus", i.code())));
            headers.extend(
                [
                    "bonus_total",
                    "standard_score",
                    "year_total",
                    "level",
                    "status",
                    "message",
                ]
                .map(String::from),
            );
        } else {
            headers.extend(["体重指数".to_string(), "体重指数等级".to_string()]);
            headers.extend(FitnessItem::ALL.iter().map(|&i| {
                let name = if i == FitnessItem::Bmi {
                    "体重指数"
                } else {
                    i.name_zh()
                };
                format!("{name}得分")
            }));
            headers.extend(bonus_items().map(|i| format!("{}附加分", i.name_zh())));
            headers
                .extend(["附加分", "标准分", "学年总分", "等级", "状态", "说明"].map(String::from));
        }
        Self { headers, code }
    }

    fn status(&self, s: Status) -> &'static str {
        match (s, self.code) {
            (Status::Ok, true) => "OK",
            (Status::Incomplete, true) => "INCOMPLETE",
            (Status::Error, true) => "ERROR",
            (Status::Ok, false) => "完整",
            (Status::Incomplete, false) => "缺项",
            (Status::Error, false) => "错误",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Ok,
    Incomplete,
    Error,
}

/// One added cell.
enum Out {
    Empty,
    Int(u32),
    /// A number held exactly in tenths (BMI, 标准分, 学年总分), written with one decimal.
    Tenths(u32),
    Text(&'static str),
    Owned(String),
}

/// Scores a read row into the added cells (in `OutNames::headers` order), and counts it.
fn scored(row: &FitnessRow<'_>, names: &OutNames, tally: &mut Tally, out: &mut Vec<Out>) {
    out.clear();
    tally.rows += 1;
    tally.warnings += row.warnings.len();
    let mut notes: Vec<String> = Vec::new();
    let show = |e: &RowError, tally: &mut Tally| {
        if tally.shown.len() < SHOWN_MAX {
            tally.shown.push(e.to_string());
        }
    };
    let result: Result<FitnessResult, String> = if row.errors.is_empty() {
        let input = row.input.expect("a row without errors has an input");
        score_record(&input).map_err(|e| e.to_string())
    } else {
        Err(row
            .errors
            .iter()
            .map(|e| e.message_zh.as_str())
            .collect::<Vec<_>>()
            .join("；"))
    };
    for e in &row.errors {
        show(e, tally);
    }
    for w in &row.warnings {
        show(w, tally);
    }
    let status = match result {
        Err(msg) => {
            out.extend((0..names.headers.len() - 2).map(|_| Out::Empty));
            notes.push(msg);
            Status::Error
        }
        Ok(r) => {
            out.push(r.bmi.map_or(Out::Empty, |b| Out::Tenths(b.tenths())));
            out.push(r.bmi_category.map_or(Out::Empty, |c| {
                Out::Text(if names.code { c.code() } else { c.label_zh() })
            }));
            for item in FitnessItem::ALL {
                out.push(
                    r.items
                        .get(item)
                        .map_or(Out::Empty, |s| Out::Int(u32::from(s.score))),
                );
            }
            for item in bonus_items() {
                // Only where the item carries a bonus for this grade and sex (not primary
                // sit-ups, for example): an empty cell, not a misleading 0.
                let carries = max_item_bonus(item, r.grade, r.sex) > 0;
                out.push(match r.items.get(item) {
                    Some(s) if carries => Out::Int(u32::from(s.bonus)),
                    _ => Out::Empty,
                });
            }
            out.push(Out::Int(u32::from(r.bonus_total)));
            out.push(
                r.standard_score
                    .map_or(Out::Empty, |p| Out::Tenths(u32::from(p.tenths()))),
            );
            out.push(
                r.year_total
                    .map_or(Out::Empty, |p| Out::Tenths(u32::from(p.tenths()))),
            );
            out.push(r.level.map_or(Out::Empty, |l| {
                Out::Text(if names.code { l.code() } else { l.label_zh() })
            }));
            match r.status {
                FitnessStatus::Ok => Status::Ok,
                FitnessStatus::Incomplete { missing } => {
                    notes.push(format!("缺少 {missing}，不计标准分、学年总分和等级"));
                    Status::Incomplete
                }
            }
        }
    };
    match status {
        Status::Ok => tally.ok += 1,
        Status::Incomplete => tally.incomplete += 1,
        Status::Error => tally.error += 1,
    }
    notes.extend(row.warnings.iter().map(|w| w.message_zh.clone()));
    out.push(Out::Text(names.status(status)));
    out.push(if notes.is_empty() {
        Out::Empty
    } else {
        Out::Owned(notes.join("；"))
    });
}

/// Rows per piece of work: big enough that handing pieces out costs nothing, small enough that
/// the pieces waiting to be written stay a few megabytes.
const CHUNK_ROWS: usize = 16_384;

fn write_csv(
    path: &Path,
    sheets: &[FitnessSheet<'_>],
    width: usize,
    names: &OutNames,
    tally: &mut Tally,
) -> anyhow::Result<()> {
    let ctx = || format!("写入 {} 失败", path.display());
    let file = File::create(path).with_context(|| format!("无法创建 {}", path.display()))?;
    let mut buf = BufWriter::with_capacity(1 << 20, file);
    // The BOM makes Excel on Chinese Windows read the file as UTF-8, not GBK.
    buf.write_all(b"\xEF\xBB\xBF").with_context(ctx)?;
    let mut w = csv::Writer::from_writer(buf);
    let header = &sheets[0].table().header;
    // Pass-through cells are whatever the input held: guarded against CSV injection.
    for c in 0..width {
        w.write_field(csv_cell(header.get(c).map_or("", String::as_str)).as_bytes())
            .with_context(ctx)?;
    }
    for h in &names.headers {
        w.write_field(h).with_context(ctx)?;
    }
    w.write_record(None::<&[u8]>).with_context(ctx)?;
    let mut buf = w
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(ctx)?;

    // Pieces of rows are read, scored and turned into CSV text on every core; this thread
    // writes the texts in input order as they arrive.
    let pieces: Vec<(usize, std::ops::Range<usize>)> = sheets
        .iter()
        .enumerate()
        .flat_map(|(s, sheet)| {
            (0..sheet.len())
                .step_by(CHUNK_ROWS)
                .map(move |from| (s, from..(from + CHUNK_ROWS).min(sheet.len())))
        })
        .collect();
    let threads = wuyu_ingest::worker_threads().min(pieces.len()).max(1);
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<u8>, Tally)>(2 * threads);
        for _ in 0..threads {
            let tx = tx.clone();
            let (pieces, next) = (&pieces, &next);
            scope.spawn(move || {
                loop {
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((s, rows)) = pieces.get(k) else {
                        break;
                    };
                    let (text, part) = render_rows(&sheets[*s], rows.clone(), width, names);
                    // The receiver is gone only when writing failed: stop.
                    if tx.send((k, text, part)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut waiting = std::collections::BTreeMap::new();
        let mut due = 0usize;
        for (k, text, part) in rx {
            waiting.insert(k, (text, part));
            while let Some((text, part)) = waiting.remove(&due) {
                buf.write_all(&text).with_context(ctx)?;
                tally.add(part);
                due += 1;
            }
        }
        Ok(())
    })?;
    buf.flush().with_context(ctx)?;
    Ok(())
}

/// The output lines of `rows` of `sheet` as CSV text, and their counts.
fn render_rows(
    sheet: &FitnessSheet<'_>,
    rows: std::ops::Range<usize>,
    width: usize,
    names: &OutNames,
) -> (Vec<u8>, Tally) {
    let mut tally = Tally::default();
    let mut w = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 256));
    let mut out = Vec::with_capacity(names.headers.len());
    let mut num = String::new();
    let table = sheet.table();
    // Writing into memory cannot fail.
    let put = |w: &mut csv::Writer<Vec<u8>>, field: &[u8]| {
        w.write_field(field).expect("writing to memory");
    };
    for i in rows {
        let row = sheet.read_row(table.row(i));
        for c in 0..width {
            put(&mut w, csv_cell(row.cells.get(c)).as_bytes());
        }
        scored(&row, names, &mut tally, &mut out);
        for cell in &out {
            num.clear();
            let text: &str = match cell {
                Out::Empty => "",
                Out::Int(n) => {
                    push_int(&mut num, *n);
                    &num
                }
                Out::Tenths(t) => {
                    push_int(&mut num, t / 10);
                    num.push('.');
                    push_int(&mut num, t % 10);
                    &num
                }
                Out::Text(s) => s,
                Out::Owned(s) => s,
            };
            // Messages quote the input's values; a message could start with one.
            put(&mut w, csv_cell(text).as_bytes());
        }
        w.write_record(None::<&[u8]>).expect("writing to memory");
    }
    let text = w.into_inner().expect("writing to memory");
    (text, tally)
}

/// Decimal digits of `n`, without `fmt` machinery (this runs millions of times).
fn push_int(s: &mut String, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        s.push(char::from(d));
    }
}

/// Excel's row limit, header included.
const XLSX_MAX_ROWS: usize = 1_048_576;

fn write_xlsx(
    path: &Path,
    sheets: &[FitnessSheet<'_>],
    widths: &[usize],
    names: &OutNames,
    tally: &mut Tally,
) -> anyhow::Result<()> {
    use rust_xlsxwriter::{Format, Workbook};
    if let Some(big) = sheets.iter().find(|s| s.len() + 1 > XLSX_MAX_ROWS) {
        bail!(
            "工作表“{}”有 {} 行，超过 Excel 每个工作表 {} 行的上限；请输出为 .csv",
            big.table().name,
            big.len(),
            XLSX_MAX_ROWS
        );
    }
    let bold = Format::new().set_bold();
    let mut wb = Workbook::new();
    let mut out = Vec::with_capacity(names.headers.len());
    for (sheet, &width) in sheets.iter().zip(widths) {
        let ws = wb.add_worksheet();
        let name = if sheet.table().name.is_empty() {
            "体测成绩"
        } else {
            sheet.table().name.as_str()
        };
        ws.set_name(name)?;
        let header = &sheet.table().header;
        let col = |c: usize| u16::try_from(c).context("列数超过 Excel 上限");
        for c in 0..width {
            ws.write_string_with_format(
                0,
                col(c)?,
                header.get(c).map_or("", String::as_str),
                &bold,
            )?;
        }
        for (k, h) in names.headers.iter().enumerate() {
            ws.write_string_with_format(0, col(width + k)?, h, &bold)?;
        }
        ws.set_freeze_panes(1, 0)?;
        for (r, row) in sheet.rows().enumerate() {
            let r = u32::try_from(r + 1).context("行数超过 Excel 上限")?;
            // Pass-through cells stay text, exactly as read (学籍号 keeps its leading zeros).
            for c in 0..width {
                let v = row.cells.get(c);
                if !v.is_empty() {
                    ws.write_string(r, col(c)?, v)?;
                }
            }
            scored(&row, names, tally, &mut out);
            for (k, cell) in out.iter().enumerate() {
                let c = col(width + k)?;
                match cell {
                    Out::Empty => {}
                    Out::Int(n) => {
                        ws.write_number(r, c, f64::from(*n))?;
                    }
                    Out::Tenths(t) => {
                        ws.write_number(r, c, f64::from(*t) / 10.0)?;
                    }
                    Out::Text(s) => {
                        ws.write_string(r, c, *s)?;
                    }
                    Out::Owned(s) => {
                        ws.write_string(r, c, s)?;
                    }
                }
            }
        }
    }
    wb.save(path)
        .with_context(|| format!("写入 {} 失败", path.display()))?;
    Ok(())
}
