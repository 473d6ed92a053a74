//! `wuyu import roster`: read, validate, then import in one transaction. Any error — in the
//! file or against the database — is printed row by row and nothing is written.
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use wuyu_domain::{
    FitnessBatch, FitnessMeasures, NewFitnessRecord, Origin, RowError, SchoolCode, StudentNo, Term,
    parse_date,
};
use wuyu_ingest::fitness::find_fitness_sheets;
use wuyu_ingest::schema::normalize_header;
use wuyu_store::{ImportMeta, StoreError};

use crate::progress::step;

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Schools, classes, students, teachers and assignments (CSV in UTF-8 or GB18030, or XLSX).
    Roster {
        file: PathBuf,
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// School code for sheets without a 学校代码 column.
        #[arg(long)]
        school: Option<String>,
        /// Recorded as the importer.
        #[arg(long, default_value = "cli", env = "USER")]
        user: String,
    },
    /// One term's fitness and vision results (国家学生体质健康标准 template layout or the
    /// code-name layout, CSV or XLSX), matched to students by 学籍号, scored and stored.
    Fitness {
        file: PathBuf,
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// The term, e.g. 2024-autumn or 2024-spring.
        #[arg(long)]
        term: String,
        /// Test date (YYYY-MM-DD) for rows without a 测试日期 / test_date cell.
        #[arg(long)]
        test_date: Option<String>,
        /// Recorded as the importer.
        #[arg(long, default_value = "cli", env = "USER")]
        user: String,
    },
    /// 一次考试的各科成绩（成绩表：每行一名学生，学籍号 + 每科一列）
    #[command(name = "exam-scores", after_help = crate::exam::SCORES_HELP)]
    ExamScores(crate::exam::ScoresArgs),
    /// 一科的小题得分（阅卷系统导出：每行一名学生，学籍号 + 每道题一列，附双向细目表）
    #[command(name = "exam-items", after_help = crate::exam::ITEMS_HELP)]
    ExamItems(crate::exam::ItemsArgs),
}

pub async fn run(cmd: ImportCommand) -> anyhow::Result<ExitCode> {
    let (file, db, school, user) = match cmd {
        ImportCommand::Roster {
            file,
            db,
            school,
            user,
        } => (file, db, school, user),
        ImportCommand::Fitness {
            file,
            db,
            term,
            test_date,
            user,
        } => return fitness(file, db, term, test_date, user).await,
        ImportCommand::ExamScores(args) => return crate::exam::import_scores(args).await,
        ImportCommand::ExamItems(args) => return crate::exam::import_items(args).await,
    };
    let bytes = std::fs::read(&file).with_context(|| format!("无法读取 {}", file.display()))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let opts = wuyu_ingest::RosterOptions {
        default_school: school
            .as_deref()
            .map(SchoolCode::parse)
            .transpose()
            .map_err(|e| anyhow::anyhow!("--school：{e}"))?,
    };
    let read = step("读取并校验文件", async {
        wuyu_ingest::read_roster(&name, &bytes, &opts)
    })
    .await
    .map_err(|e| anyhow::anyhow!("{name}：{e}"))?;
    if let Some(enc) = read.encoding {
        eprintln!("文件编码：{enc}");
    }
    if !read.errors.is_empty() {
        print_errors(&read.errors);
        return Ok(ExitCode::FAILURE);
    }
    let store = crate::open_store(&db).await?;
    let meta = ImportMeta {
        username: user,
        file_name: name,
        file_sha256: read.file_sha256.clone(),
        at: time::OffsetDateTime::now_utc().unix_timestamp(),
    };
    match step("写入数据库", store.import_roster(&read.batch, &meta)).await {
        Ok(s) => {
            println!(
                "导入成功（第 {} 次导入）：学校 新增 {} 更新 {}；班级 新增 {}；学生 新增 {} 更新 {}；教师 新增 {} 更新 {}；任课 {} 条",
                s.import_id,
                s.schools_added,
                s.schools_updated,
                s.classes_added,
                s.students_added,
                s.students_updated,
                s.teachers_added,
                s.teachers_updated,
                s.assignments_written
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(StoreError::Rejected(errors)) => {
            print_errors(&errors);
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn print_errors(errors: &[RowError]) {
    eprintln!(
        "导入被拒绝，数据库未作任何修改。共 {} 处错误：",
        errors.len()
    );
    for e in errors.iter().take(200) {
        eprintln!("  {e}");
    }
    if errors.len() > 200 {
        eprintln!("  ……其余 {} 处错误未列出", errors.len() - 200);
    }
}

/// `wuyu import fitness`: every fitness sheet of the file, one term. A row needs a 学籍号; its
/// test date is the row's 测试日期 / test_date cell, or `--test-date`. Grade and sex are read as
/// the stateless scorer reads them and checked against the roster by the store.
async fn fitness(
    file: PathBuf,
    db: String,
    term: String,
    test_date: Option<String>,
    user: String,
) -> anyhow::Result<ExitCode> {
    let term = Term::parse_code(&term).map_err(|e| {
        anyhow::anyhow!("--term “{term}”无效（应如 2024-autumn、2024-spring）：{e}")
    })?;
    let default_date = test_date
        .as_deref()
        .map(parse_date)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--test-date 应为 YYYY-MM-DD：{e}"))?;
    let bytes = std::fs::read(&file).with_context(|| format!("无法读取 {}", file.display()))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let file_sha256 = {
        use sha2::Digest;
        let d = sha2::Sha256::digest(&bytes);
        d.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let tables =
        wuyu_ingest::read_tables(&name, &bytes).map_err(|e| anyhow::anyhow!("{name}：{e}"))?;
    let sheets = find_fitness_sheets(&name, &tables).map_err(|e| anyhow::anyhow!("{name}：{e}"))?;

    let mut batch = FitnessBatch::default();
    let mut errors: Vec<RowError> = Vec::new();
    let mut warnings = 0usize;
    for sheet in &sheets {
        let t = sheet.table();
        let col = |names: &[&str]| {
            t.header
                .iter()
                .position(|h| names.contains(&normalize_header(h).as_str()))
        };
        let sheet_label = if t.name.is_empty() {
            name.clone()
        } else {
            format!("{name} 工作表“{}”", t.name)
        };
        let Some(no_col) = col(&["学籍号", "student_no", "全国学籍号"]) else {
            anyhow::bail!(
                "{sheet_label} 没有“学籍号”列（或 student_no）：体测成绩按学籍号对应到学生，请加上该列"
            );
        };
        let date_col = col(&["测试日期", "test_date", "体测日期"]);
        if date_col.is_none() && default_date.is_none() {
            anyhow::bail!(
                "{sheet_label} 没有“测试日期”列（或 test_date）：请在命令中用 --test-date YYYY-MM-DD 给出测试日期"
            );
        }
        for row in sheet.rows() {
            warnings += row.warnings.len();
            let problem = |c: usize, msg: String| RowError {
                file: name.clone(),
                sheet: t.name.clone(),
                row: row.number,
                column: t.header[c].clone(),
                value: row.cells.get(c).to_string(),
                message_zh: msg,
            };
            let no = StudentNo::parse(row.cells.get(no_col));
            if let Err(e) = &no {
                errors.push(problem(no_col, format!("学籍号无效：{e}")));
            }
            let date = match date_col.map(|c| (c, row.cells.get(c))) {
                Some((c, v)) if !v.is_empty() => match parse_date(v) {
                    Ok(d) => Some(d),
                    Err(e) => {
                        errors.push(problem(c, format!("测试日期无效：{e}")));
                        None
                    }
                },
                Some((c, _)) if default_date.is_none() => {
                    errors.push(problem(
                        c,
                        "测试日期为空：请填写，或在命令中用 --test-date 给出".to_string(),
                    ));
                    None
                }
                _ => default_date,
            };
            errors.extend(row.errors.iter().cloned());
            let (Ok(no), Some(date), Some(input)) = (no, date, row.input) else {
                continue;
            };
            let Some(grade) = input.grade.school_grade() else {
                errors.push(RowError {
                    file: name.clone(),
                    sheet: t.name.clone(),
                    row: row.number,
                    column: "年级".into(),
                    value: input.grade.code().into(),
                    message_zh: "大学年级不能导入中小学学籍".into(),
                });
                continue;
            };
            let [left, right] = row.eyes;
            batch.records.push(NewFitnessRecord {
                origin: Origin {
                    sheet: t.name.clone(),
                    row: row.number,
                },
                student_no: no,
                term,
                test_date: date,
                grade: Some(grade),
                sex: Some(input.sex),
                measures: FitnessMeasures {
                    height_cm: input.height_cm,
                    weight_kg: input.weight_kg,
                    vital_capacity: input.vital_capacity,
                    run_50m: input.run_50m,
                    sit_and_reach: input.sit_and_reach,
                    rope_skip_1min: input.rope_skip_1min,
                    sit_up_1min: input.sit_up_1min,
                    shuttle_50x8: input.shuttle_50x8,
                    standing_long_jump: input.standing_long_jump,
                    pull_up: input.pull_up,
                    run_1000m: input.run_1000m,
                    run_800m: input.run_800m,
                    acuity_left: left.uncorrected_acuity,
                    acuity_right: right.uncorrected_acuity,
                    se_left: left.spherical_equivalent,
                    se_right: right.spherical_equivalent,
                },
            });
        }
    }
    if warnings > 0 {
        eprintln!(
            "提示：{warnings} 个数值超出常见范围（仍可导入），请用 wuyu fitness score 查看并核对"
        );
    }
    if !errors.is_empty() {
        print_errors(&errors);
        return Ok(ExitCode::FAILURE);
    }
    let store = crate::open_store(&db).await?;
    let meta = ImportMeta {
        username: user,
        file_name: name,
        file_sha256,
        at: time::OffsetDateTime::now_utc().unix_timestamp(),
    };
    match step("评分并写入数据库", store.import_fitness(&batch, &meta)).await {
        Ok(s) => {
            println!(
                "导入成功（第 {} 次导入）：{} {} 条成绩（完整 {}，缺项 {}），涉及 {} 所学校",
                s.import_id,
                term.label_zh(),
                s.records_written,
                s.complete,
                s.incomplete,
                s.schools
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(StoreError::Rejected(errors)) => {
            print_errors(&errors);
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}
