/*!
`wuyu psych score INPUT -o OUTPUT [--columns zh|code]`: the stateless scorer for counsellors with
paper results (issue 13). No database, nothing stored.

It reads a CSV (UTF-8, GB18030, UTF-16) or XLSX in the code layout of modules.md §3
(`student_no`, `phq9_1`…`phq9_9`, `gad7_1`…`gad7_7`, `asq_1`…`asq_5`) or with Chinese headers
(学籍号, "PHQ-9 第1题" …), scores every row with the built-in scales and the default level rules,
and writes OUTPUT as CSV (UTF-8 with BOM) or XLSX, by OUTPUT's extension: the input columns
unchanged, then `phq9_total`, `phq9_band`, `gad7_total`, `gad7_band`, `asq_result`, `level`,
`status` and `message` (Chinese headers and values by default, the codes with `--columns code`).

Every row is written. A bad value (an answer of 4 on PHQ-9, "maybe" on ASQ) or a repeated
学籍号 makes the row ERROR with a message naming the column and value, never a guess; a scale
with unanswered items gives no total and the row is INCOMPLETE (a positive safety item still
raises the level). The exit code is non-zero only when the file cannot be read or written.
*/
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use wuyu_ingest::{csv_cell, is_psych_header, read_psych_answers, read_tables};
use wuyu_standards::scales::{LevelRules, ScreeningResult, score_screening};

#[derive(clap::Subcommand)]
pub enum PsychCommand {
    /// 不用数据库，给一个 CSV/XLSX 心理筛查答卷文件计分（PHQ-9/PHQ-A、GAD-7、ASQ）
    ///
    /// 列：学籍号（student_no）、phq9_1…phq9_9、gad7_1…gad7_7（0–3，空白为未答）、
    /// asq_1…asq_5（yes/no/refused，或 是/否/不想回答）；也认中文列名（如“PHQ-9 第1题”）。
    /// 输出原有各列，再加各量表总分和分级、ASQ 结果、关注等级、状态和每行的中文说明。
    /// 关注等级不是诊断。只要文件能读，退出码就是 0。
    Score(ScoreArgs),
    /// 区级自定义量表定义：载入（新版本）、列出
    Scale {
        #[command(subcommand)]
        command: crate::psych_scale::ScaleCommand,
    },
}

#[derive(clap::Args)]
pub struct ScoreArgs {
    /// 输入文件：.csv（UTF-8、GB18030 或 UTF-16 编码）或 .xlsx
    input: PathBuf,
    /// 输出文件：.csv（带 BOM 的 UTF-8）或 .xlsx
    #[arg(short, long)]
    output: PathBuf,
    /// 新增列的列名和取值用语：zh（中文）或 code（代码名）
    #[arg(long, value_enum, default_value_t = Columns::Zh)]
    columns: Columns,
}

/// Which names the added columns and their values use.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Columns {
    /// 中文：PHQ-9总分、分级 轻度/中度……、状态 完整/不完整/错误
    Zh,
    /// 代码名：phq9_total、phq9_band mild/moderate……、status OK/INCOMPLETE/ERROR
    Code,
}

pub async fn run(cmd: PsychCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        PsychCommand::Score(args) => score(&args),
        PsychCommand::Scale { command } => crate::psych_scale::run(command).await,
    }
}

const HEADERS_CODE: [&str; 8] = [
    "phq9_total",
    "phq9_band",
    "gad7_total",
    "gad7_band",
    "asq_result",
    "level",
    "status",
    "message",
];
const HEADERS_ZH: [&str; 8] = [
    "PHQ-9总分",
    "PHQ-9分级",
    "GAD-7总分",
    "GAD-7分级",
    "ASQ结果",
    "关注等级",
    "状态",
    "说明",
];

/// The added cells of one scored row, in header order.
fn result_cells(r: &ScreeningResult, code: bool) -> (Vec<String>, Vec<String>) {
    let mut notes = Vec::new();
    let mut cells = Vec::with_capacity(6);
    match r.phq {
        Some(p) => {
            cells.push(p.total.map(|t| t.to_string()).unwrap_or_default());
            cells.push(
                p.band
                    .map(|b| if code { b.code() } else { b.label_zh() }.to_string())
                    .unwrap_or_default(),
            );
            if p.total.is_none() {
                notes.push("PHQ-9 有未作答的题，不计总分".to_string());
            }
        }
        None => cells.extend([String::new(), String::new()]),
    }
    match r.gad {
        Some(g) => {
            cells.push(g.total.map(|t| t.to_string()).unwrap_or_default());
            cells.push(
                g.band
                    .map(|b| if code { b.code() } else { b.label_zh() }.to_string())
                    .unwrap_or_default(),
            );
            if g.total.is_none() {
                notes.push("GAD-7 有未作答的题，不计总分".to_string());
            }
        }
        None => cells.extend([String::new(), String::new()]),
    }
    cells.push(
        r.asq
            .map(|a| if code { a.code() } else { a.label_zh() }.to_string())
            .unwrap_or_default(),
    );
    let n = r.level.number();
    cells.push(if code {
        n.to_string()
    } else {
        format!("{n} {}", r.level.label_zh())
    });
    (cells, notes)
}

fn status_text(incomplete: bool, error: bool, code: bool) -> &'static str {
    match (error, incomplete, code) {
        (true, _, true) => "ERROR",
        (true, _, false) => "错误",
        (false, true, true) => "INCOMPLETE",
        (false, true, false) => "不完整",
        (false, false, true) => "OK",
        (false, false, false) => "完整",
    }
}

/// One output sheet: its name, header and rows, all text.
struct OutSheet {
    name: String,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

pub fn score(args: &ScoreArgs) -> anyhow::Result<ExitCode> {
    let csv_out = match args
        .output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => true,
        Some("xlsx") => false,
        _ => bail!(
            "输出文件“{}”的扩展名应为 .csv 或 .xlsx",
            args.output.display()
        ),
    };
    let code = args.columns == Columns::Code;
    let file_name = args.input.file_name().map_or_else(
        || args.input.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let bytes =
        std::fs::read(&args.input).with_context(|| format!("无法读取 {}", args.input.display()))?;
    // The reader checks every cell; the tables give the rows to pass through in file order.
    let read = read_psych_answers(&bytes, &file_name).with_context(|| file_name.clone())?;
    let tables = read_tables(&file_name, &bytes).with_context(|| file_name.clone())?;
    let mut errors: HashMap<(&str, u32), Vec<String>> = HashMap::new();
    for e in &read.errors {
        errors
            .entry((e.sheet.as_str(), e.row))
            .or_default()
            .push(format!(
                "“{}”列的值“{}”：{}",
                e.column, e.value, e.message_zh
            ));
    }
    let rows: HashMap<(&str, u32), _> = read
        .rows
        .iter()
        .map(|r| ((r.origin.sheet.as_str(), r.origin.row), &r.answers))
        .collect();
    let added = if code { HEADERS_CODE } else { HEADERS_ZH };
    let rules = LevelRules::default();
    let (mut total, mut ok, mut incomplete, mut bad, mut by_level) = (0, 0, 0, 0, [0usize; 4]);
    let mut sheets = Vec::new();
    for table in tables.tables.iter().filter(|t| is_psych_header(&t.header)) {
        let width = table
            .rows()
            .map(|r| r.len())
            .max()
            .unwrap_or(0)
            .max(table.header.len());
        let mut header: Vec<String> = (0..width)
            .map(|c| table.header.get(c).cloned().unwrap_or_default())
            .collect();
        header.extend(added.iter().map(|h| h.to_string()));
        let mut out_rows = Vec::with_capacity(table.rows().len());
        for row in table.rows() {
            total += 1;
            let mut cells: Vec<String> = (0..width).map(|c| row.get(c).to_string()).collect();
            let key = (table.name.as_str(), row.number);
            let scored = match (errors.get(&key), rows.get(&key)) {
                (Some(msgs), _) => Err(msgs.join("；")),
                (None, Some(a)) => score_screening(a, &rules).map_err(|e| e.to_string()),
                (None, None) => Err("无法读取此行".to_string()),
            };
            match scored {
                Ok(r) => {
                    let (added, notes) = result_cells(&r, code);
                    cells.extend(added);
                    cells.push(status_text(r.incomplete, false, code).into());
                    cells.push(notes.join("；"));
                    if r.incomplete {
                        incomplete += 1;
                    } else {
                        ok += 1;
                    }
                    by_level[usize::from(r.level.number())] += 1;
                }
                Err(msg) => {
                    cells.extend((0..6).map(|_| String::new()));
                    cells.push(status_text(false, true, code).into());
                    cells.push(msg);
                    bad += 1;
                }
            }
            out_rows.push(cells);
        }
        sheets.push(OutSheet {
            name: table.name.clone(),
            header,
            rows: out_rows,
        });
    }
    if csv_out {
        if sheets.len() > 1 && sheets.iter().any(|s| s.header != sheets[0].header) {
            bail!("{file_name} 中有多个答卷工作表且列不同，无法合并为一个 CSV；请输出为 .xlsx");
        }
        write_csv(&args.output, &sheets)?;
    } else {
        write_xlsx(&args.output, &sheets)?;
    }
    eprintln!(
        "{file_name}：共 {total} 行，完整 {ok}，不完整 {incomplete}，错误 {bad}；关注等级 0/1/2/3：{}/{}/{}/{}。结果已写入 {}",
        by_level[0],
        by_level[1],
        by_level[2],
        by_level[3],
        args.output.display()
    );
    for e in read.errors.iter().take(20) {
        eprintln!("  {e}");
    }
    Ok(ExitCode::SUCCESS)
}

fn write_csv(path: &Path, sheets: &[OutSheet]) -> anyhow::Result<()> {
    use std::io::Write;
    let ctx = || format!("写入 {} 失败", path.display());
    let file =
        std::fs::File::create(path).with_context(|| format!("无法创建 {}", path.display()))?;
    let mut buf = std::io::BufWriter::new(file);
    // The BOM makes Excel on Chinese Windows read the file as UTF-8, not GBK.
    buf.write_all(b"\xEF\xBB\xBF").with_context(ctx)?;
    let mut w = csv::Writer::from_writer(buf);
    let mut header_written = false;
    for sheet in sheets {
        if !header_written {
            // Cells echo the input: guarded against formula injection like every CSV we write.
            w.write_record(sheet.header.iter().map(|c| csv_cell(c).into_owned()))
                .with_context(ctx)?;
            header_written = true;
        }
        for row in &sheet.rows {
            w.write_record(row.iter().map(|c| csv_cell(c).into_owned()))
                .with_context(ctx)?;
        }
    }
    w.flush().with_context(ctx)?;
    Ok(())
}

fn write_xlsx(path: &Path, sheets: &[OutSheet]) -> anyhow::Result<()> {
    use rust_xlsxwriter::{Format, Workbook};
    let bold = Format::new().set_bold();
    let mut wb = Workbook::new();
    for sheet in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(if sheet.name.is_empty() {
            "筛查结果"
        } else {
            sheet.name.as_str()
        })?;
        let col = |c: usize| u16::try_from(c).context("列数超过 Excel 上限");
        for (c, h) in sheet.header.iter().enumerate() {
            ws.write_string_with_format(0, col(c)?, h, &bold)?;
        }
        ws.set_freeze_panes(1, 0)?;
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).context("行数超过 Excel 上限")?;
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    // Everything stays text: 学籍号 keeps its leading zeros.
                    ws.write_string(r, col(c)?, v)?;
                }
            }
        }
    }
    wb.save(path)
        .with_context(|| format!("写入 {} 失败", path.display()))?;
    Ok(())
}
