//! Exams on the command line: `wuyu exam create | list | recompute`, `wuyu import exam-scores |
//! exam-items` and `wuyu template exam-scores`. Files are read and checked completely before
//! the database is touched; every problem is printed with file, row, column and value, and a
//! file with any problem changes nothing (the store's import is one transaction as well).
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use wuyu_domain::{Exam, ExamId, ExamLevel, ExamSubject, Grade, NewExam, Scope, Term, parse_date};
use wuyu_service::ServiceError;
use wuyu_service::exam::import::{
    NO_ITEM_ROWS, NO_SCORE_ROWS, import_exam_candidates, import_exam_items, import_exam_scores,
};
use wuyu_service::import::{ImportActor, ImportOutcome};
use wuyu_store::{ExamImportSummary, Store, StoreError};

use crate::progress::step;
use crate::upload::{failure, finish, read_upload, service};

/// `wuyu import exam-scores --help`: the layout of a score sheet.
const SCORES_HELP: &str = "\
文件格式（.xlsx 读名为“成绩”的工作表，否则第一张有学籍号列的表；.csv 可为 UTF-8 或 GBK）：
  学籍号,姓名,班级,语文,数学(120分),英语成绩
  G320102201203051234,张三,1班,98.5,缺考,110
  G320102201203055678,李四,1班,0,120,

  学籍号    按全国学籍号对应学生（学号不能代替学籍号）；没有学籍号列时，有考号表的考试按“考号”列对应
            （考号表：wuyu import exam-candidates，或 wuyu template exam-scores --candidate-numbers 生成）。
  姓名      如有，须与名册中该学籍号的学生姓名一致，否则整个文件不导入（防止学籍号填错记到别人名下）。
  科目列    列名为科目名称，可带“成绩”“得分”或括号注明满分；政治/道法 = 道德与法治，外语 = 英语。
            本次考试没有的科目列（如 物理）会被拒绝。班级、考号、总分、排名 等列不导入。
  分数      0 到满分之间，可以有小数；缺考填“缺考”（也可 缺、缺席、缺考(病假)），不记 0 分；
            未参加该科留空。
  再次导入同一学生同一科目会替换原成绩。有任何错误时整个文件都不导入，并逐条列出
  行号、列名、填写的值和原因。

  模板：wuyu template exam-scores --db DB --exam ID -o 成绩模板.xlsx";

/// `wuyu import exam-items --help`: the layout of an item sheet and its blueprint.
const ITEMS_HELP: &str = "\
小题得分表（每行一名学生）：
  学籍号,姓名,1,2,3(1),3(2),总分,状态
  G320102201203051234,张三,4,0,2.5,7,13.5,
  G320102201203055678,李四,,,,,,缺考

  题号列    1、13(2)、13（2）、第1题、T1、选择1、21① 等写法均可，须与细目表的题号一一对应。
  得分      0 到该题分值之间；空格按 0 分计入该科成绩。总分列（如有）须等于各题之和。
  缺考      状态/备注列填“缺考”，或各题都填“缺考”；所有题都为空且未标缺考的行按未参加本科处理，不导入。

双向细目表（同一工作簿中名为“双向细目表”的工作表，或用 --blueprint 指定的 CSV/XLSX 文件）：
  题号,分值,知识点
  1,4,有理数、绝对值
  3(1),5,一元一次方程；应用题

  分值也可写作 满分、配分；知识点可写多个，用 、，,;； 分隔；合计行和“一、选择题”这样的标题行会跳过。
  各题分值之和须等于该科满分。";

#[derive(Subcommand)]
pub enum ExamCommand {
    /// 创建一次考试（名称、日期、级别、年级、各科满分），输出新考试的编号
    #[command(after_help = "\
示例：
  wuyu exam create --db wuyu.db --name 2025学年第一学期期末 --date 2026-01-15 \\
      --level 区级 --grade 8 --subject 语文:120 --subject 数学:120 --subject 英语:120

标准输出只有新考试的编号（便于脚本使用），说明写在标准错误。
同名、同日期、同年级的考试已存在时拒绝创建。")]
    Create(CreateArgs),
    /// 列出全部考试：编号、名称、日期、级别、年级、科目、参考学校数和学生数
    List {
        /// 数据库：SQLite 文件路径 / sqlite:// URL，或 postgres://…
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// 以 JSON 输出（每次考试一项）
        #[arg(long)]
        json: bool,
    },
    /// 设置一次考试自己的分数线（占满分的百分比），如中考、小学质量监测用不同的线；
    /// 不给任何线则显示当前的线；--district 恢复为区级设置的线。设置后立即重新计算该考试
    Lines {
        /// 数据库：SQLite 文件路径 / sqlite:// URL，或 postgres://…
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// 考试编号（见 wuyu exam list）
        #[arg(long)]
        exam: i64,
        /// 优秀线（%），如 85
        #[arg(long)]
        excellent: Option<f64>,
        /// 良好线（%）；不给则只算三率
        #[arg(long)]
        good: Option<f64>,
        /// 及格线（%）
        #[arg(long)]
        pass: Option<f64>,
        /// 低分线（%，低于此线为低分）
        #[arg(long)]
        low: Option<f64>,
        /// 去掉这次考试自己的线，按区级设置计算
        #[arg(long, conflicts_with_all = ["excellent", "good", "pass", "low"])]
        district: bool,
    },
    /// 按当前的考试设置（优秀线、及格线、缺考处理等）重新计算一次考试的全部统计
    Recompute {
        /// 数据库：SQLite 文件路径 / sqlite:// URL，或 postgres://…
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// 考试编号（见 wuyu exam list）
        #[arg(long)]
        exam: i64,
    },
}

/// `wuyu import exam-scores | exam-items`.
#[derive(Subcommand)]
pub enum Import {
    /// 一次考试的各科成绩（成绩表：每行一名学生，学籍号 + 每科一列）
    #[command(name = "exam-scores", after_help = SCORES_HELP)]
    Scores(ScoresArgs),
    /// 一科的小题得分（阅卷系统导出：每行一名学生，学籍号 + 每道题一列，附双向细目表）
    #[command(name = "exam-items", after_help = ITEMS_HELP)]
    Items(ItemsArgs),
    /// 一次考试的考号表（每行一名学生：学籍号、考号），替换该考试原有的考号表
    #[command(name = "exam-candidates", after_help = CANDIDATES_HELP)]
    Candidates(CandidatesArgs),
}

/// `wuyu import exam-candidates --help`.
const CANDIDATES_HELP: &str = "\
考号表（.xlsx 或 .csv）：
  学籍号,姓名,考号
  G320102201203051234,张三,080101

  阅卷系统只导出考号（没有学籍号列）时，成绩表和小题分表按考号表对应学生。
  考号为 1–30 位英文字母、数字或横线，同一次考试内不能重复；姓名（如有）须与名册一致。
  也可以不导入考号表，用 wuyu template exam-scores --candidate-numbers 生成带考号的成绩模板。";

#[derive(Args)]
pub struct CandidatesArgs {
    /// 考号表文件（.xlsx 或 .csv）：每行一名学生，有“学籍号”“考号”两列
    file: PathBuf,
    /// 数据库：SQLite 文件路径 / sqlite:// URL，或 postgres://…
    #[arg(long, env = "WUYU_DB")]
    db: String,
    /// 考试编号（见 wuyu exam list）
    #[arg(long)]
    exam: i64,
    /// 记录为导入人
    #[arg(long, default_value = "cli", env = "USER")]
    user: String,
}

/// `wuyu template exam-scores`.
#[derive(Subcommand)]
pub enum Template {
    /// 一次考试的成绩导入模板：说明页 + 成绩表（学籍号、姓名、班级、各科一列）
    ExamScores(TemplateArgs),
}

#[derive(Args)]
pub struct CreateArgs {
    /// 数据库：SQLite 文件路径 / sqlite:// URL，或 postgres://…
    #[arg(long, env = "WUYU_DB")]
    db: String,
    /// 考试名称，如 2025学年第一学期期末
    #[arg(long)]
    name: String,
    /// 考试日期 YYYY-MM-DD（也可 2026/1/15、2026年1月15日）
    #[arg(long)]
    date: String,
    /// 考试级别：校级 / 区级 / 市级 / 中考（或 school / district / city / zhongkao）
    #[arg(long)]
    level: String,
    /// 年级：1–12 或 八年级、初二 等
    #[arg(long)]
    grade: String,
    /// 学期，如 2025-autumn（2025年秋季）、2026-spring（2026年春季）、2025-2026-1、2025学年第二学期；
    /// 不填时按考试日期推定（8–12 月、1 月为秋季学期，2–7 月为春季学期）。考试日期须在该学期内
    #[arg(long)]
    term: Option<String>,
    /// 确认使用离今天很远的学期（下下学期以后，或 12 学年以前），如补录历史考试
    #[arg(long)]
    force: bool,
    /// 科目及满分，形如 语文:120；每科一个 --subject，按报表中的顺序给出
    #[arg(long = "subject", value_name = "SUBJECT:MARKS", required = true)]
    subjects: Vec<String>,
    /// 基线考试的编号（同一批学生较早的一次考试，增值评价以它为起点）
    #[arg(long)]
    baseline: Option<i64>,
}

#[derive(Args)]
pub struct ScoresArgs {
    /// 成绩文件（.xlsx 或 .csv，CSV 可为 UTF-8 或 GBK/GB18030）：每行一名学生，有“学籍号”列，每科一列
    file: PathBuf,
    /// 数据库：SQLite 文件路径 / sqlite:// URL，或 postgres://…
    #[arg(long, env = "WUYU_DB")]
    db: String,
    /// 考试编号（见 wuyu exam list）
    #[arg(long)]
    exam: i64,
    /// 记录为导入人
    #[arg(long, default_value = "cli", env = "USER")]
    user: String,
}

#[derive(Args)]
pub struct ItemsArgs {
    /// 阅卷系统导出的小题分文件（.xlsx 或 .csv）：每行一名学生，有“学籍号”列，每道题一列
    file: PathBuf,
    /// 数据库：SQLite 文件路径 / sqlite:// URL，或 postgres://…
    #[arg(long, env = "WUYU_DB")]
    db: String,
    /// 考试编号（见 wuyu exam list）
    #[arg(long)]
    exam: i64,
    /// 科目名称，须是该考试的科目之一，如 数学
    #[arg(long)]
    subject: String,
    /// 双向细目表文件（列：题号、分值、知识点）；不填时读取成绩文件中名为“双向细目表”的工作表
    #[arg(long)]
    blueprint: Option<PathBuf>,
    /// 记录为导入人
    #[arg(long, default_value = "cli", env = "USER")]
    user: String,
}

#[derive(Args)]
pub struct TemplateArgs {
    /// 数据库：SQLite 文件路径 / sqlite:// URL，或 postgres://…
    #[arg(long, env = "WUYU_DB")]
    db: String,
    /// 考试编号（见 wuyu exam list）
    #[arg(long)]
    exam: i64,
    /// 输出的 .xlsx 文件
    #[arg(short, long)]
    output: PathBuf,
    /// 预填该年级全部学生并加“考号”列；考试还没有考号表时先生成（六位数字，按学校、班级、学籍号编排）
    #[arg(long)]
    candidate_numbers: bool,
}

pub async fn import(cmd: Import) -> anyhow::Result<ExitCode> {
    match cmd {
        Import::Scores(args) => import_scores(args).await,
        Import::Items(args) => import_items(args).await,
        Import::Candidates(args) => import_candidates(args).await,
    }
}

pub async fn template(cmd: Template) -> anyhow::Result<ExitCode> {
    let Template::ExamScores(args) = cmd;
    score_template(args).await
}

pub async fn run(cmd: ExamCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ExamCommand::Create(args) => create(args).await,
        ExamCommand::List { db, json } => list(&db, json).await,
        ExamCommand::Lines {
            db,
            exam,
            excellent,
            good,
            pass,
            low,
            district,
        } => {
            let store = crate::open_store(&db).await?;
            let exam = find_exam(store.as_ref(), exam).await?;
            let lines = match (excellent, pass, low) {
                _ if district => None,
                (Some(e), Some(p), Some(l)) => Some(
                    wuyu_service::settings::score_lines(
                        e / 100.0,
                        good.map(|g| g / 100.0),
                        p / 100.0,
                        l / 100.0,
                    )
                    .map_err(anyhow::Error::msg)?,
                ),
                (None, None, None) if good.is_none() => {
                    match store.exam_lines(exam.id).await? {
                        Some(l) => println!(
                            "考试 {}（{}）的分数线：{}",
                            exam.id,
                            exam.name,
                            lines_zh(&l)
                        ),
                        None => println!(
                            "考试 {}（{}）按区级设置的分数线：{}",
                            exam.id,
                            exam.name,
                            lines_zh(&store.exam_settings().await?.lines)
                        ),
                    }
                    return Ok(ExitCode::SUCCESS);
                }
                _ => {
                    bail!("请同时给出 --excellent、--pass 和 --low（--good 可选），或用 --district")
                }
            };
            step(
                "重新计算统计",
                store.set_exam_lines(exam.id, lines.as_ref()),
            )
            .await
            .context("设置分数线失败")?;
            match &lines {
                Some(l) => println!(
                    "考试 {}（{}）改用自己的分数线：{}，已重新计算",
                    exam.id,
                    exam.name,
                    lines_zh(l)
                ),
                None => println!(
                    "考试 {}（{}）恢复按区级设置的分数线，已重新计算",
                    exam.id, exam.name
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        ExamCommand::Recompute { db, exam } => {
            let store = crate::open_store(&db).await?;
            let exam = find_exam(store.as_ref(), exam).await?;
            step("重新计算统计", store.recompute_exam(exam.id))
                .await
                .context("重新计算失败")?;
            println!(
                "已按当前设置重新计算考试 {}（{}）的统计",
                exam.id, exam.name
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn create(a: CreateArgs) -> anyhow::Result<ExitCode> {
    let name = a.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        bail!("--name：考试名称不能为空，最多 100 个字");
    }
    let date = parse_date(&a.date).map_err(|e| anyhow::anyhow!("--date：{e}"))?;
    let level = ExamLevel::parse(&a.level).map_err(|e| anyhow::anyhow!("--level：{e}"))?;
    let grade = Grade::parse(&a.grade).map_err(|e| anyhow::anyhow!("--grade：{e}"))?;
    let term = match &a.term {
        Some(t) => crate::terms::parse_term(t)?,
        None => Term::of_date(date).map_err(|e| anyhow::anyhow!("--date：{e}"))?,
    };
    crate::terms::check_date_in_term("--date：考试日期", date, term)?;
    crate::terms::check_near(term, a.force)?;
    let mut subjects: Vec<ExamSubject> = Vec::new();
    for s in &a.subjects {
        let subject = parse_subject(s)?;
        if subjects.iter().any(|x| x.name == subject.name) {
            bail!("--subject：科目“{}”给了两次", subject.name);
        }
        subjects.push(subject);
    }
    let exam = NewExam {
        name,
        date,
        term,
        level,
        grade,
        subjects,
        baseline: a.baseline.map(ExamId),
    };
    let store = crate::open_store(&a.db).await?;
    match store.create_exam(&exam).await {
        Ok(id) => {
            eprintln!(
                "已创建考试 {id}：{}（{}，{}，{}，{}）科目：{}",
                exam.name,
                exam.date,
                exam.level.name_zh(),
                exam.grade.label_zh(),
                exam.term.label_zh(),
                subject_list(&exam.subjects)
            );
            println!("{id}");
            Ok(ExitCode::SUCCESS)
        }
        Err(StoreError::Conflict(_)) => bail!(
            "已有同名、同日期、同年级的考试“{}”（{}，{}），未重复创建；用 wuyu exam list 查看",
            exam.name,
            exam.date,
            exam.grade.label_zh()
        ),
        Err(StoreError::NotFound) if exam.baseline.is_some() => bail!(
            "--baseline：没有编号为 {} 的考试（用 wuyu exam list 查看）",
            a.baseline.unwrap_or_default()
        ),
        Err(e) => Err(anyhow::Error::new(e).context("创建考试失败")),
    }
}

/// `语文:120` (also a full-width colon or `=`).
fn parse_subject(s: &str) -> anyhow::Result<ExamSubject> {
    let bad = || anyhow::anyhow!("--subject “{s}”无效：应写成 科目:满分，如 语文:120");
    let (name, full) = s.split_once([':', '：', '=']).ok_or_else(bad)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 30 || name.chars().any(char::is_control) {
        return Err(bad());
    }
    if name == wuyu_store::exam::TOTAL {
        bail!("--subject：“总分”是各科合计，不能作为科目名称");
    }
    let full: f64 = full.trim().parse().map_err(|_| bad())?;
    if !(full.is_finite() && full > 0.0 && full <= 1000.0) {
        bail!("--subject “{s}”：满分应在 0 到 1000 之间（不含 0）");
    }
    Ok(ExamSubject {
        name: name.to_string(),
        full_marks: full,
    })
}

fn subject_list(subjects: &[ExamSubject]) -> String {
    subjects
        .iter()
        .map(|s| format!("{} {}", s.name, num(s.full_marks)))
        .collect::<Vec<_>>()
        .join("、")
}

fn num(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

async fn list(db: &str, json: bool) -> anyhow::Result<ExitCode> {
    let store = crate::open_store(db).await?;
    let exams = store
        .list_exams(&Scope::District)
        .await
        .context("读取考试列表失败")?;
    if json {
        println!("{}", serde_json::to_string_pretty(&exams)?);
        return Ok(ExitCode::SUCCESS);
    }
    if exams.is_empty() {
        println!("还没有考试。用 wuyu exam create 创建。");
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows = vec![[
        "编号".to_string(),
        "名称".to_string(),
        "日期".to_string(),
        "级别".to_string(),
        "年级".to_string(),
        "科目（满分）".to_string(),
        "学校".to_string(),
        "学生".to_string(),
        "小题分".to_string(),
    ]];
    for s in &exams {
        let e = &s.exam;
        rows.push([
            e.id.to_string(),
            e.name.clone(),
            e.date.to_string(),
            e.level.name_zh().to_string(),
            e.grade.label_zh().to_string(),
            subject_list(&e.subjects),
            s.schools.to_string(),
            s.students.to_string(),
            if s.has_items { "有" } else { "无" }.to_string(),
        ]);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| width(&r[c])).max().unwrap_or(0))
        .collect();
    for r in &rows {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            line.push_str(cell);
            if c + 1 < r.len() {
                line.push_str(&" ".repeat(widths[c] - width(cell) + 2));
            }
        }
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Display width in a terminal: CJK and full-width characters take two columns.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
        .sum()
}

async fn find_exam(store: &dyn Store, id: i64) -> anyhow::Result<Exam> {
    match store.exam(&Scope::District, ExamId(id)).await {
        Ok(e) => Ok(e),
        Err(StoreError::NotFound) => {
            bail!("没有编号为 {id} 的考试（用 wuyu exam list 查看，或用 wuyu exam create 创建）")
        }
        Err(e) => Err(anyhow::Error::new(e).context("读取考试失败")),
    }
}

fn describe_sheet(encoding: Option<&str>, sheet: &str) {
    match (encoding, sheet) {
        (Some(enc), _) => eprintln!("文件编码：{enc}"),
        (None, s) if !s.is_empty() => eprintln!("读取工作表：{s}"),
        _ => {}
    }
}

fn print_ignored(ignored: &[String]) {
    if !ignored.is_empty() {
        eprintln!("以下列不导入（仅供核对）：{}", ignored.join("、"));
    }
}

fn print_summary(s: &ExamImportSummary, what: &str) {
    println!(
        "导入成功（第 {} 次导入）：{what}；学生 {} 名，成绩 {} 条（其中缺考 {}），涉及 {} 所学校",
        s.import_id, s.students, s.marks, s.absent, s.schools
    );
}

/// `wuyu import exam-scores`.
async fn import_scores(a: ScoresArgs) -> anyhow::Result<ExitCode> {
    let file = read_upload(&a.file)?;
    let svc = service(&a.db).await?;
    let exam = find_exam(svc.store().as_ref(), a.exam).await?;
    let outcome = step(
        "读取、校验、写入数据库并计算统计",
        import_exam_scores(&svc, &ImportActor::Operator(a.user), exam.id, &file),
    )
    .await
    .map_err(import_failure)?;
    let notes = outcome.notes();
    describe_sheet(notes.encoding, &notes.sheet);
    print_ignored(&notes.ignored_columns);
    if no_rows(&outcome, NO_SCORE_ROWS) {
        eprintln!("{} 中没有学生成绩行，未导入", file.name);
        return Ok(ExitCode::FAILURE);
    }
    let what = format!("{}，科目 {}", exam.name, notes.subjects.join("、"));
    Ok(finish(&outcome, |s| print_summary(s, &what)))
}

/// `wuyu import exam-items`.
async fn import_items(a: ItemsArgs) -> anyhow::Result<ExitCode> {
    let file = read_upload(&a.file)?;
    let blueprint = a.blueprint.as_deref().map(read_upload).transpose()?;
    let svc = service(&a.db).await?;
    let exam = find_exam(svc.store().as_ref(), a.exam).await?;
    let outcome = step(
        "读取、校验、写入数据库并计算统计",
        import_exam_items(
            &svc,
            &ImportActor::Operator(a.user),
            exam.id,
            &a.subject,
            &file,
            blueprint.as_ref(),
        ),
    )
    .await
    .map_err(import_failure)?;
    let notes = outcome.notes();
    describe_sheet(notes.encoding, &notes.sheet);
    eprintln!(
        "双向细目表：{}，共 {} 题",
        notes.blueprint_source.as_deref().unwrap_or_default(),
        notes.items.unwrap_or_default()
    );
    print_ignored(&notes.ignored_columns);
    let empty = no_rows(&outcome, NO_ITEM_ROWS);
    // The reader's row errors come before the blank-row hint, as when the file is read.
    if outcome.imported().is_some() || empty {
        print_blank_rows(&notes.blank_rows);
    }
    if empty {
        eprintln!("{} 中没有学生得分行，未导入", file.name);
        return Ok(ExitCode::FAILURE);
    }
    let what = format!(
        "{} {}，{} 题",
        exam.name,
        notes.subjects.join("、"),
        notes.items.unwrap_or_default()
    );
    Ok(finish(&outcome, |s| print_summary(s, &what)))
}

/// Whether the file was rejected only because no student row was left: the CLI says so in
/// one line beside the file name instead of a row-error list.
fn no_rows<S>(outcome: &ImportOutcome<S>, message: &str) -> bool {
    matches!(outcome.errors(), [e] if e.row == 0 && e.message_zh == message)
}

fn print_blank_rows(blank_rows: &[u32]) {
    if blank_rows.is_empty() {
        return;
    }
    let shown: Vec<String> = blank_rows.iter().take(20).map(u32::to_string).collect();
    eprintln!(
        "提示：{} 行所有题目均为空且未标缺考，按未参加本科处理，未导入（第 {} 行{}）。如是缺考，请在状态列填“缺考”",
        blank_rows.len(),
        shown.join("、"),
        if blank_rows.len() > 20 { " 等" } else { "" }
    );
}

/// A write that fails for a reason other than rows leaves the database as it was.
fn import_failure(e: ServiceError) -> anyhow::Error {
    match e {
        ServiceError::BadRequest(_) => failure(e),
        other => failure(other).context("导入失败，数据库未作任何修改"),
    }
}

/// `wuyu import exam-candidates`.
async fn import_candidates(a: CandidatesArgs) -> anyhow::Result<ExitCode> {
    let file = read_upload(&a.file)?;
    let svc = service(&a.db).await?;
    let exam = find_exam(svc.store().as_ref(), a.exam).await?;
    let outcome = step(
        "读取、校验并写入考号表",
        import_exam_candidates(&svc, &ImportActor::Operator(a.user), exam.id, &file),
    )
    .await
    .map_err(import_failure)?;
    Ok(finish(&outcome, |s| {
        println!(
            "导入成功（第 {} 次导入）：{} 的考号表，学生 {} 名，涉及 {} 所学校",
            s.import_id, exam.name, s.students, s.schools
        );
    }))
}

/// `wuyu template exam-scores`.
async fn score_template(a: TemplateArgs) -> anyhow::Result<ExitCode> {
    let svc = service(&a.db).await?;
    let exam = find_exam(svc.store().as_ref(), a.exam).await?;
    let bytes = wuyu_service::exam::import::score_template(&svc, exam.id, a.candidate_numbers)
        .await
        .map_err(failure)?;
    std::fs::write(&a.output, bytes)
        .with_context(|| format!("写入 {} 失败", a.output.display()))?;
    println!(
        "已生成考试“{}”的成绩导入模板：{}",
        exam.name,
        a.output.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// "优秀 85%、良好 75%、及格 60%、低分 40%" (an absolute line in points).
fn lines_zh(l: &wuyu_analytics::descriptive::RateLines) -> String {
    use wuyu_analytics::descriptive::Line;
    let one = |name: &str, line: Line| match line {
        Line::Fraction(f) => format!("{name} {}%", (f * 1000.0).round() / 10.0),
        Line::Absolute(a) => format!("{name} {a} 分"),
    };
    let mut parts = vec![one("优秀", l.excellent)];
    if let Some(g) = l.good {
        parts.push(one("良好", g));
    }
    parts.push(one("及格", l.pass));
    parts.push(one("低分", l.low));
    parts.join("、")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_term_follows_the_school_calendar() {
        let t = |d| Term::of_date(d).unwrap().code();
        assert_eq!(t(date!(2026 - 01 - 15)), "2025-autumn");
        assert_eq!(t(date!(2025 - 11 - 10)), "2025-autumn");
        assert_eq!(t(date!(2025 - 09 - 01)), "2025-autumn");
        assert_eq!(t(date!(2026 - 02 - 20)), "2026-spring");
        assert_eq!(t(date!(2026 - 06 - 25)), "2026-spring");
    }

    #[test]
    fn subjects_with_full_marks() {
        let s = parse_subject("语文:120").unwrap();
        assert_eq!((s.name.as_str(), s.full_marks), ("语文", 120.0));
        assert_eq!(parse_subject("道德与法治：100").unwrap().full_marks, 100.0);
        assert_eq!(parse_subject(" 英语 = 150 ").unwrap().name, "英语");
        for bad in [
            "语文",
            "语文:",
            ":120",
            "语文:0",
            "语文:-5",
            "语文:abc",
            "总分:750",
        ] {
            assert!(parse_subject(bad).is_err(), "{bad}");
        }
    }
}
