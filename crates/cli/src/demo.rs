//! `wuyu demo`: a fresh SQLite database with a synthetic district and one account per role,
//! served on localhost. The newcomer's first five minutes. It writes the generated batches
//! through the store directly (timing each step), not through the service's file imports:
//! there is no file to read.
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use wuyu_domain::{Role, Term, TermPart};
use wuyu_store::ImportMeta;

use crate::accounts::{AccountSpec, create_account, random_password};
use crate::logging::LogTarget;
use crate::progress::step;

#[derive(clap::Args)]
pub struct DemoArgs {
    /// 演示数据库（和运行日志）所在目录；目录里原有的演示数据库会被替换
    #[arg(long, default_value = "wuyu-demo")]
    data_dir: PathBuf,
    /// 网页服务端口（只监听本机 127.0.0.1）
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// 所有演示账号共用的密码（不给则每个账号随机生成）
    #[arg(long, env = "WUYU_DEMO_PASSWORD")]
    password: Option<String>,
    /// 模拟区县的学生人数
    #[arg(long, default_value_t = 50_000)]
    students: usize,
    /// 随机种子（同一种子生成同样的数据）
    #[arg(long, default_value_t = 20240901)]
    seed: u64,
}

impl DemoArgs {
    /// Where the demo's database (and its log) live.
    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }
}

pub async fn run(args: DemoArgs, log: &LogTarget) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(&args.data_dir)
        .with_context(|| format!("无法创建目录 {}", args.data_dir.display()))?;
    let db = args.data_dir.join("wuyu-demo.db");
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", db.display()));
        if p.exists() {
            std::fs::remove_file(&p).with_context(|| format!("无法删除旧文件 {}", p.display()))?;
        }
    }
    let db_url = db.to_string_lossy().into_owned();
    let store = crate::open_store(&db_url).await?;

    let mut district = step("生成模拟区县数据", async {
        wuyu_synth::generate(&wuyu_synth::SynthConfig {
            seed: args.seed,
            students: args.students,
            ..Default::default()
        })
    })
    .await;
    // The demo teacher is also 班主任 of the class of the screening's first crisis case, so
    // the 班主任's flag list has a student to show (the generator writes no 班主任 rows).
    let crisis_class = {
        let psych = wuyu_synth::generate_psych(&district, &district.demo.school_code, args.seed);
        wuyu_synth::first_crisis_student(&psych).and_then(|no| {
            district
                .batch
                .students
                .iter()
                .find(|s| s.student_no.as_str() == no)
                .map(|s| (s.grade, s.class_name.clone()))
        })
    };
    if let Some((grade, class_name)) = crisis_class {
        let head = wuyu_domain::roster::NewAssignment {
            origin: wuyu_domain::Origin::default(),
            school_code: district.demo.school_code.clone(),
            staff_no: district.demo.teacher_staff_no.clone(),
            grade,
            class_name,
            subject: wuyu_domain::HEAD_TEACHER_SUBJECT.into(),
            share: 1.0,
        };
        district.batch.assignments.push(head);
    }
    store.set_district(&district.district).await?;
    let meta = ImportMeta {
        username: "demo".into(),
        file_name: "synthetic-district".into(),
        file_sha256: String::new(),
        at: time::OffsetDateTime::now_utc().unix_timestamp(),
    };
    let summary = step("写入数据库", store.import_roster(&district.batch, &meta))
        .await
        .context("导入模拟数据失败")?;

    // Four terms of fitness results (school years 2023–2024 and 2024–2025), so the fitness pages and
    // their trends have data.
    let terms: Vec<Term> = [
        (2023, TermPart::Autumn),
        (2023, TermPart::Spring),
        (2024, TermPart::Autumn),
        (2024, TermPart::Spring),
    ]
    .into_iter()
    .map(|(y, p)| Term::new(y, p))
    .collect::<Result<_, _>>()?;
    let fitness = step("生成体质健康测试成绩（4 个学期）", async {
        wuyu_synth::generate_fitness(&district, args.seed, &terms)
    })
    .await;
    let fitness_meta = ImportMeta {
        file_name: "synthetic-fitness".into(),
        ..meta.clone()
    };
    let fitness_summary = step(
        "写入体质健康成绩",
        store.import_fitness(&fitness, &fitness_meta),
    )
    .await
    .context("导入模拟体测成绩失败")?;

    // Three school years of exams ending with the roster's year (期中/期末 and the 中考, with
    // item-level 数学 for grades 8–9), so the exam pages have history, baselines for value
    // added and parallel classes to compare.
    let exam_opts = wuyu_synth::ExamOptions::three_years(args.seed, district.school_year);
    let mut exams = step("生成考试成绩（3 个学年）", async {
        wuyu_synth::generate_exams(&district, &exam_opts)
    })
    .await;
    let exam_meta = ImportMeta {
        file_name: "synthetic-exams".into(),
        ..meta.clone()
    };
    let exam_load = step(
        "写入考试成绩",
        load_exams(store.as_ref(), &mut exams, &exam_meta),
    )
    .await
    .context("导入模拟考试成绩失败")?;

    // The seeds' plan (任务分解表), so the plan's pages judge the demo's data against it.
    let plan_file = wuyu_service::file::UploadedFile::new(
        wuyu_synth::PLAN_FILE_NAME,
        wuyu_synth::PLAN_CSV.to_vec(),
    );
    let plan_svc = wuyu_service::Service::new(store.clone());
    let plan_outcome = step(
        "导入任务分解表",
        wuyu_service::plan::import_plan(
            &plan_svc,
            &wuyu_service::import::ImportActor::Operator("demo".into()),
            &plan_file,
        ),
    )
    .await
    .map_err(|e| anyhow::anyhow!("导入任务分解表失败：{e}"))?;
    let Some(plan_summary) = plan_outcome.imported().cloned() else {
        anyhow::bail!("任务分解表未能导入：{:?}", plan_outcome.errors());
    };

    let picks = &district.demo;
    let school = Some(picks.school_code.as_str().to_string());
    let accounts = [
        (
            "demo-district",
            "区级管理员（演示）",
            Role::DistrictAdmin,
            None,
            None,
            None,
        ),
        (
            "demo-analyst",
            "区教研员（演示）",
            Role::DistrictAnalyst,
            None,
            None,
            None,
        ),
        (
            "demo-school",
            "学校管理员（演示）",
            Role::SchoolAdmin,
            school.clone(),
            None,
            None,
        ),
        (
            "demo-teacher",
            "任课教师（演示）",
            Role::Teacher,
            school.clone(),
            Some(picks.teacher_staff_no.clone()),
            None,
        ),
        (
            "demo-counsellor",
            "心理教师（演示）",
            Role::Counsellor,
            school.clone(),
            None,
            None,
        ),
        (
            "demo-parent",
            "学生家长（演示）",
            Role::Parent,
            None,
            None,
            Some(picks.student_no.as_str().to_string()),
        ),
    ];
    let mut printed = Vec::new();
    for (username, display, role, school_code, teacher, student) in accounts {
        let password = args.password.clone().unwrap_or_else(random_password);
        let spec = AccountSpec {
            username: username.into(),
            display_name: display.into(),
            role,
            school_code,
            teacher_staff_no: teacher,
            student_no: student,
        };
        create_account(store.as_ref(), &spec, &password).await?;
        printed.push((username, role.label_zh(), password));
    }
    let sibling = link_sibling(&store, picks.student_no.as_str())
        .await
        .context("为演示家长绑定第二个孩子失败")?;

    // The demo school's screening, entered as its counsellor would: consent, then answers.
    let psych = step(
        "生成心理健康筛查（演示学校五、六年级）",
        load_psych(&store, &district, args.seed),
    )
    .await
    .context("导入模拟心理筛查失败")?;

    // The archive: one autumn term of approved records and the year's art assessments, uneven
    // between schools.
    let archive = step(
        "生成综合素质档案（写实记录、艺术素质测评）",
        load_archive(&store, &district, args.seed),
    )
    .await
    .context("导入模拟综合素质档案失败")?;

    // A 课后服务 round two days before the parents' round, with a multiple-choice and a
    // free-text item; made first, so the parents' round is listed above it (newest first).
    let after_school = step(
        "生成课后服务满意度调查（含多选题和意见建议）",
        load_after_school(&store, &district, args.seed),
    )
    .await
    .context("导入模拟课后服务满意度调查失败")?;
    // One parents' satisfaction round in the autumn term, answered through one-time codes.
    let survey = step(
        "生成家长满意度调查（一轮，答题码作答）",
        load_survey(&store, &district, args.seed),
    )
    .await
    .context("导入模拟满意度调查失败")?;
    // 师德评价 of some of the demo school's teachers by parents and colleagues, before the
    // appraisal, which takes its parent and peer components from them.
    let ethics = step(
        "生成师德评价（家长评教师、同事互评，答题码作答）",
        load_ethics(&store, &district, args.seed),
    )
    .await
    .context("导入模拟师德评价失败")?;
    // One appraisal round per school (drafts; the first school's already in an ended 公示,
    // waiting for the district's approval), levels by the rules.
    let rounds = step(
        "生成教师年度考核（每校一轮，含一例师德否决）",
        load_appraisal(&store, &district, args.seed),
    )
    .await
    .context("导入模拟教师考核失败")?;
    // Training courses, titles and 工作室 for every teacher (the development records).
    let development = step(
        "生成教师培训、称号与工作室记录",
        load_development(&store, &district, args.seed),
    )
    .await
    .context("导入模拟教师发展记录失败")?;
    // The plan's reported targets: entered, reviewed, a few returned and a few overdue.
    let reports = step(
        "生成指标填报（多数已审核，少数退回或逾期）",
        crate::demo_reports::load_plan_reports(&store, picks.school_code.as_str(), args.seed),
    )
    .await
    .context("导入模拟指标填报失败")?;
    // The registry: designations, bases and events that the plan's counts are computed from.
    let registry = step(
        "生成名录（特色学校、基地、运动会和艺术节等）",
        crate::demo_reports::load_registry(&store, picks.school_code.as_str(), args.seed),
    )
    .await
    .context("导入模拟名录失败")?;

    println!();
    println!(
        "演示区县：{}，{} 所学校，{} 个班级，{} 名学生，{} 名教师",
        district.district.name,
        summary.schools_added,
        summary.classes_added,
        summary.students_added,
        summary.teachers_added
    );
    println!(
        "体质健康成绩：{} 条（{} 个学期，其中 {} 条缺项）",
        fitness_summary.records_written,
        fitness_summary.terms.len(),
        fitness_summary.incomplete
    );
    println!(
        "考试：{} 场，{} 个科目成绩（其中 {} 个缺考），{} 份小题得分（数学）",
        exam_load.exams, exam_load.marks, exam_load.absent, exam_load.item_rows
    );
    let l = psych.summary.by_level;
    println!(
        "心理健康筛查：{} 人作答（关注等级 0/1/2/3：{}/{}/{}/{}），{} 人未取得知情同意未筛查，{} 个危机个案，{} 条辅导记录，{} 个补测答题码",
        psych.summary.written,
        l[0],
        l[1],
        l[2],
        l[3],
        psych.summary.refused_no_consent.len(),
        psych.summary.cases_opened,
        psych.records,
        psych.codes
    );
    println!(
        "进行中的心理筛查：{}，{} 人已作答，{} 个答题码已发放（未作答的学生用答题码作答）",
        psych.current.name, psych.current.written, psych.current.codes
    );
    println!(
        "综合素质档案：{} 条已审核写实记录，{} 名学生的艺术素质测评",
        archive.0, archive.1
    );
    println!(
        "家长满意度调查：发放答题码 {} 个，回收答卷 {} 份（各校回收率和满意度不同）",
        survey.0, survey.1
    );
    println!(
        "课后服务满意度调查：发放答题码 {} 个，回收答卷 {} 份（含参加项目多选题和意见建议）",
        after_school.0, after_school.1
    );
    println!(
        "师德评价：{} 名教师，家长答卷 {} 份，同事互评答卷 {} 份（不足 30 名家长、10 名同事的教师不报告）",
        ethics.0, ethics.1, ethics.2
    );
    println!(
        "教师年度考核：{} 所学校各一轮，{} 名教师",
        rounds.0, rounds.1
    );
    println!(
        "教师发展：{} 条培训记录，{} 个称号，{} 个工作室成员",
        development.0, development.1, development.2
    );
    println!(
        "任务分解表：{} 项指标（系统计算 {} 项，其余由学校或区里填报）",
        plan_summary.indicators, plan_summary.computed
    );
    println!(
        "指标填报：{} 项已填报（{} 项已通过，{} 项被退回，其余待审核），{} 项逾期未填",
        reports.0, reports.1, reports.2, reports.3
    );
    println!(
        "名录：{} 条已认定，{} 条待审核，{} 条被退回",
        registry.0, registry.1, registry.2
    );
    // The generator's truth, so whoever shows the demo knows what the analyses should find.
    for t in exams.truth.weak_teachers() {
        let school = district
            .batch
            .schools
            .iter()
            .find(|s| s.code == t.school_code)
            .map_or(t.school_code.as_str(), |s| s.name.as_str());
        let name = district
            .batch
            .teachers
            .iter()
            .find(|x| x.school_code == t.school_code && x.staff_no == t.staff_no)
            .map_or("", |x| x.name.as_str());
        println!(
            "  模拟设定：{school}{}教师 {name}（工号 {}）教学明显偏弱，平行班比较应出现预警",
            t.subject, t.staff_no
        );
    }
    // The data is synthetic and ends on its last test or exam day, not today.
    if let Some(until) = data_until(&fitness, &exams) {
        println!(
            "数据截至：{}年{}月{}日（模拟数据，不是今天的数据）",
            until.year(),
            u8::from(until.month()),
            until.day()
        );
    }
    println!("数据库：{}", db.display());
    match log {
        LogTarget::File(path) => println!("运行日志：{}（加 -v 可在终端显示）", path.display()),
        LogTarget::Stderr { .. } => {}
    }
    if let Some(name) = &sibling {
        println!("演示家长有两个孩子：在“我的孩子”中可切换到 {name}");
    }
    println!("演示账号：");
    for (username, role, password) in &printed {
        println!("  {username:<16} {role:<8} 密码 {password}");
    }
    crate::serve(
        store,
        &format!("127.0.0.1:{}", args.port),
        wuyu_web::WebSettings::default(),
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}

/// The last day the demo's data covers: its latest fitness test or exam.
fn data_until(
    fitness: &wuyu_domain::FitnessBatch,
    exams: &wuyu_synth::SynthExams,
) -> Option<time::Date> {
    let tests = fitness.records.iter().map(|r| r.test_date);
    let sat = exams.exams.iter().map(|x| x.exam.date);
    tests.chain(sat).max()
}

/// What [`load_exams`] wrote.
struct ExamLoad {
    exams: usize,
    marks: u64,
    absent: u64,
    item_rows: usize,
}

/// Creates the synthetic exams in order (so every baseline exists before the exams measured
/// from it) and imports their score sheets and item sheets.
async fn load_exams(
    store: &dyn wuyu_store::Store,
    exams: &mut wuyu_synth::SynthExams,
    meta: &ImportMeta,
) -> anyhow::Result<ExamLoad> {
    let mut ids = Vec::with_capacity(exams.exams.len());
    let mut load = ExamLoad {
        exams: 0,
        marks: 0,
        absent: 0,
        item_rows: 0,
    };
    for x in &mut exams.exams {
        let id = store
            .create_exam(&x.new_exam(&ids))
            .await
            .with_context(|| format!("无法创建考试 {}", x.exam.name))?;
        ids.push(id);
        x.bind(id);
        let s = store
            .import_exam_scores(&x.scores, meta)
            .await
            .with_context(|| format!("无法导入 {} 的成绩", x.exam.name))?;
        load.exams += 1;
        load.marks += s.marks;
        load.absent += s.absent;
        if let Some(items) = &x.items {
            store
                .import_exam_items(items, meta)
                .await
                .with_context(|| format!("无法导入 {} 的小题分", x.exam.name))?;
            load.item_rows += items.rows.len();
        }
    }
    Ok(load)
}

/// The demo school's screening through the service, as demo-counsellor: a campaign, each
/// student's consent, then the answer sheet through the counsellor's importer (scored at
/// write; a level-3 result opens its crisis case).
async fn load_psych(
    store: &std::sync::Arc<dyn wuyu_store::Store>,
    district: &wuyu_synth::SynthDistrict,
    seed: u64,
) -> anyhow::Result<PsychLoad> {
    use wuyu_service::psych;
    let svc = wuyu_service::Service::new(std::sync::Arc::clone(store));
    let user = store
        .user_credentials("demo-counsellor")
        .await?
        .context("演示心理教师账号不存在")?
        .user;
    let scope = wuyu_service::accounts::scope_for(&svc, &user).await?;
    let school = scope.school_id().context("演示心理教师没有学校")?;
    let viewer = wuyu_domain::Viewer::new(user.clone(), scope);
    let who = wuyu_service::audit::Requester::user(&user, "cli");
    let year = i32::from(district.school_year);
    let campaign = psych::create_campaign(
        &svc,
        &viewer,
        &who,
        school,
        &psych::CampaignInput {
            name: format!("{year}学年心理健康筛查"),
            school_year: year,
            scales: vec!["phqa".into(), "gad7".into(), "asq".into()],
            grades: wuyu_synth::PSYCH_GRADES.to_vec(),
            opens_on: format!("{year}-10-08"),
            closes_on: format!("{year}-10-20"),
            custom_scale: String::new(),
        },
    )
    .await?;
    let data = wuyu_synth::generate_psych(district, &district.demo.school_code, seed);
    let ids: std::collections::HashMap<String, (wuyu_domain::StudentId, wuyu_domain::ClassId)> =
        store
            .list_students(&wuyu_domain::Scope::District, school, None)
            .await?
            .into_iter()
            .map(|s| (s.student_no.as_str().to_string(), (s.id, s.class_id)))
            .collect();
    for (no, given) in &data.consents {
        let Some((id, _)) = ids.get(no) else { continue };
        let guardian = if *given {
            psych::GuardianConsent::Given
        } else {
            psych::GuardianConsent::Refused
        };
        psych::record_consent(
            &svc,
            &viewer,
            &who,
            school,
            &psych::ConsentInput {
                campaign_id: campaign,
                student_id: *id,
                guardian,
                assent: *given,
                decided_on: format!("{year}-09-25"),
                channel: psych::ConsentChannel::Paper,
            },
        )
        .await?;
    }
    let out = psych::import_answers(
        &svc,
        &viewer,
        &who,
        school,
        campaign,
        data.answers_csv.as_bytes(),
        "synthetic-psych.csv",
    )
    .await?;
    // Students absent on the day answer later on a phone: one code sheet per class of theirs.
    let mut classes: Vec<wuyu_domain::ClassId> = data
        .absent
        .iter()
        .filter_map(|no| ids.get(no).map(|s| s.1))
        .collect();
    classes.sort_by_key(|c| c.0);
    classes.dedup();
    let mut codes = 0;
    for class in classes {
        let sheet = psych::issue_codes(&svc, &viewer, &who, school, campaign, class).await?;
        codes += sheet.rows.iter().filter(|r| r.code.is_some()).count();
    }
    // The first crisis case worked on the same day: the 班主任 and the guardian told, a first
    // talk recorded; the safety plan and the referral are still open, as on a real first day.
    let view = psych::cases(&svc, &viewer, &who, school).await?;
    let mut records = 0;
    if let Some(case) = view.cases.first() {
        for step in &case.steps {
            let note = match step.kind {
                wuyu_store::psych::StepKind::HeadTeacherInformed => {
                    "当面告知班主任，请其留意课间情况"
                }
                wuyu_store::psych::StepKind::GuardianInformed => "电话告知母亲，约定次日面谈",
                _ => continue,
            };
            let report = psych::StepReport {
                note: note.into(),
                institution: None,
            };
            psych::complete_step(&svc, &viewer, &who, school, (case.id, step.seq), &report).await?;
        }
        psych::add_counselling(
            &svc,
            &viewer,
            &who,
            school,
            case.id,
            &psych::CounsellingInput {
                held_on: format!("{year}-10-09"),
                kind: "individual".into(),
                summary: "筛查后首次面谈：学生谈到近来睡眠差、与同学关系紧张，愿意每周来辅导室。"
                    .into(),
                next_step: "一周内与家长面谈，商定安全计划。".into(),
            },
        )
        .await?;
        records += 1;
    }
    load_demo_scale((&svc, &viewer, &who, school), year, &data, &ids).await?;
    let teacher_class =
        wuyu_synth::first_crisis_student(&data).and_then(|no| ids.get(no).map(|s| s.1));
    let current = load_current_psych(
        (&svc, &viewer, &who, school),
        district,
        seed,
        &ids,
        teacher_class,
    )
    .await?;
    Ok(PsychLoad {
        summary: out.summary,
        codes,
        records,
        current,
    })
}

/// Today in China (UTC+8), the clock the campaign windows are written in.
fn china_today() -> time::Date {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    time::OffsetDateTime::now_utc().to_offset(offset).date()
}

/// The screening under way on the day the demo runs: its window holds today, so the codes
/// handed out can be used (the historical one above closed long ago). Most classes answered in
/// the computer room; the class of the first crisis case (`waiting_class`: the demo teacher's,
/// as 班主任) has not yet, and neither have students absent on the day: they have one-time
/// codes.
async fn load_current_psych(
    (svc, viewer, who, school): CounsellorCtx<'_>,
    district: &wuyu_synth::SynthDistrict,
    seed: u64,
    ids: &std::collections::HashMap<String, (wuyu_domain::StudentId, wuyu_domain::ClassId)>,
    waiting_class: Option<wuyu_domain::ClassId>,
) -> anyhow::Result<CurrentPsych> {
    use wuyu_service::psych;
    let today = china_today();
    // A school year starts in September; January to August belong to the year before.
    let (school_year, term) = if u8::from(today.month()) >= 9 {
        (today.year(), "秋季")
    } else {
        (today.year() - 1, "春季")
    };
    let opens = today - time::Duration::days(7);
    let closes = today + time::Duration::days(14);
    let campaign = psych::create_campaign(
        svc,
        viewer,
        who,
        school,
        &psych::CampaignInput {
            name: format!("{school_year}学年{term}心理健康筛查"),
            school_year,
            scales: vec!["phqa".into(), "gad7".into(), "asq".into()],
            grades: wuyu_synth::PSYCH_GRADES.to_vec(),
            opens_on: opens.to_string(),
            closes_on: closes.to_string(),
            custom_scale: String::new(),
        },
    )
    .await?;
    // Another year's answers: a different stream of the same generator.
    let data = wuyu_synth::generate_psych(district, &district.demo.school_code, seed ^ 0x0c0f_fee0);
    let decided_on = (opens - time::Duration::days(5)).to_string();
    for (no, given) in &data.consents {
        let Some((id, _)) = ids.get(no) else { continue };
        psych::record_consent(
            svc,
            viewer,
            who,
            school,
            &psych::ConsentInput {
                campaign_id: campaign,
                student_id: *id,
                guardian: if *given {
                    psych::GuardianConsent::Given
                } else {
                    psych::GuardianConsent::Refused
                },
                assent: *given,
                decided_on: decided_on.clone(),
                channel: psych::ConsentChannel::ParentAccount,
            },
        )
        .await?;
    }
    let mut lines = data.answers_csv.lines();
    let mut csv = String::new();
    if let Some(header) = lines.next() {
        csv.push_str(header);
        csv.push('\n');
    }
    for line in lines {
        let no = line.split(',').next().unwrap_or_default();
        if ids.get(no).map(|s| s.1) != waiting_class {
            csv.push_str(line);
            csv.push('\n');
        }
    }
    let out = psych::import_answers(
        svc,
        viewer,
        who,
        school,
        campaign,
        csv.as_bytes(),
        "synthetic-psych-current.csv",
    )
    .await?;
    let mut classes: Vec<wuyu_domain::ClassId> = data
        .absent
        .iter()
        .filter_map(|no| ids.get(no).map(|s| s.1))
        .chain(waiting_class)
        .collect();
    classes.sort_by_key(|c| c.0);
    classes.dedup();
    let mut codes = 0;
    for class in classes {
        let sheet = psych::issue_codes(svc, viewer, who, school, campaign, class).await?;
        codes += sheet.rows.iter().filter(|r| r.code.is_some()).count();
    }
    Ok(CurrentPsych {
        name: format!("{school_year}学年{term}心理健康筛查（{opens} 至 {closes}）"),
        written: out.summary.written,
        codes,
    })
}

/// The district loads the demo's invented scale (wuyu ships no real one) and the counsellor
/// gave it in a short campaign after the year's screening: some consenting students' answers,
/// imported with the scale's columns and scored with the pinned version. Created before the
/// screening under way, so that one stays first on the counsellor's page.
async fn load_demo_scale(
    (svc, viewer, who, school): CounsellorCtx<'_>,
    year: i32,
    data: &wuyu_synth::PsychDemo,
    ids: &std::collections::HashMap<String, (wuyu_domain::StudentId, wuyu_domain::ClassId)>,
) -> anyhow::Result<()> {
    use wuyu_service::psych;
    let loaded = psych::load_scale(
        svc,
        &crate::accounts::operator(),
        &wuyu_service::audit::Requester::operator("demo"),
        "xxyl_demo.json",
        wuyu_synth::DEMO_SCALE_JSON.as_bytes(),
        "演示用虚构量表，无需授权",
    )
    .await?;
    // The district's rules raise 学习压力 较高 to 重点关注: set before the answers are scored.
    let mut settings = wuyu_service::settings::district_settings(svc).await?;
    let (scale, subscale, band, level) = wuyu_synth::DEMO_SCALE_LEVEL;
    settings.psych_level_rules.scale_levels = vec![wuyu_standards::scales::ScaleLevel {
        scale: scale.into(),
        subscale: subscale.into(),
        band: band.into(),
        level,
    }];
    let op = crate::accounts::operator();
    let admin = op
        .admin_token()
        .ok_or_else(|| anyhow::anyhow!("operator without admin token"))?;
    wuyu_service::settings::save_district_settings(
        svc,
        admin,
        &wuyu_service::audit::Requester::operator("demo"),
        &settings,
    )
    .await?;
    let campaign = psych::create_campaign(
        svc,
        viewer,
        who,
        school,
        &psych::CampaignInput {
            name: format!("{year}学年学习压力自评（演示）"),
            school_year: year,
            scales: Vec::new(),
            grades: wuyu_synth::PSYCH_GRADES.to_vec(),
            opens_on: format!("{year}-11-10"),
            closes_on: format!("{year}-11-14"),
            custom_scale: format!("{}@{}", loaded.code, loaded.load.version()),
        },
    )
    .await?;
    let mut csv = String::from("学籍号");
    for i in 1..=6 {
        csv.push_str(&format!(",xxyl_demo_{i}"));
    }
    csv.push('\n');
    let given = data
        .consents
        .iter()
        .filter(|(no, given)| *given && ids.contains_key(no))
        .take(120);
    for (n, (no, _)) in given.enumerate() {
        let id = ids[no].0;
        psych::record_consent(
            svc,
            viewer,
            who,
            school,
            &psych::ConsentInput {
                campaign_id: campaign,
                student_id: id,
                guardian: psych::GuardianConsent::Given,
                assent: true,
                decided_on: format!("{year}-11-05"),
                channel: psych::ConsentChannel::ParentAccount,
            },
        )
        .await?;
        csv.push_str(no);
        for a in wuyu_synth::demo_scale_answers(u64::from(year as u32), n) {
            csv.push_str(&format!(",{a}"));
        }
        csv.push('\n');
    }
    psych::import_answers(
        svc,
        viewer,
        who,
        school,
        campaign,
        csv.as_bytes(),
        "synthetic-xxyl-demo.csv",
    )
    .await?;
    Ok(())
}

/// The demo counsellor acting: the service, the viewer, the requester and the school.
type CounsellorCtx<'a> = (
    &'a wuyu_service::Service,
    &'a wuyu_domain::Viewer,
    &'a wuyu_service::audit::Requester,
    wuyu_domain::SchoolId,
);

/// The screening open today, for the closing summary.
struct CurrentPsych {
    name: String,
    written: usize,
    codes: usize,
}

/// What the demo screening wrote, for the closing summary.
struct PsychLoad {
    summary: wuyu_store::psych::ResponseImportSummary,
    codes: usize,
    records: usize,
    current: CurrentPsych,
}

/// The archive's demo rows, written school by school as approved records (entered and
/// reviewed in the demo's past) and the year's art assessments. Answers (records, assessments).
async fn load_archive(
    store: &std::sync::Arc<dyn wuyu_store::Store>,
    district: &wuyu_synth::SynthDistrict,
    seed: u64,
) -> anyhow::Result<(u64, u64)> {
    use wuyu_store::archive::{ActivityImportRow, ArtImportRow, NewActivity};
    let data = wuyu_synth::generate_archive(district, seed);
    let term = Term::new(district.school_year, TermPart::Autumn)?;
    let scope = wuyu_domain::Scope::District;
    let origin = |row: usize| wuyu_domain::Origin {
        sheet: String::new(),
        row: row as u32 + 2,
    };
    let meta = |file: &str| ImportMeta {
        username: "demo".into(),
        file_name: file.into(),
        file_sha256: String::new(),
        at: time::OffsetDateTime::now_utc().unix_timestamp(),
    };
    let (mut records, mut art) = (0, 0);
    for school in &district.batch.schools {
        let Some(id) = store.school_by_code(school.code.as_str()).await? else {
            continue;
        };
        let rows: Vec<ActivityImportRow> = data
            .records
            .iter()
            .filter(|r| r.school_code == school.code)
            .enumerate()
            .map(|(i, r)| approved_activity_row(i, r, term, "demo"))
            .collect();
        records += store
            .import_activities(&scope, id, &rows, &meta("synthetic-archive"))
            .await?
            .written;
        let rows: Vec<ArtImportRow> = data
            .art
            .iter()
            .filter(|r| r.school_code == school.code)
            .enumerate()
            .map(|(i, r)| ArtImportRow {
                origin: origin(i),
                student_no: r.student_no.clone(),
                school_year: i32::from(district.school_year),
                parts: r.parts,
            })
            .collect();
        art += store
            .import_art(&scope, id, &rows, &meta("synthetic-art"))
            .await?
            .written;
    }
    // demo-parent's own 家务劳动 check-in with a photo, waiting for the 班主任's review.
    if let Some((school, child)) = store
        .student_by_no(district.demo.student_no.as_str())
        .await?
    {
        let date = time::Date::from_calendar_date(
            i32::from(district.school_year),
            time::Month::November,
            15,
        )?;
        let photo = b"\xff\xd8\xff\xe0 demo photo".to_vec();
        let evidence = wuyu_store::archive::Evidence {
            name: "整理房间.jpg".into(),
            content_type: "image/jpeg".into(),
            sha256: wuyu_service::file::UploadedFile::new("整理房间.jpg", photo.clone()).sha256(),
            bytes: photo,
        };
        let entry = NewActivity {
            category: wuyu_domain::ActivityCategory::LaborHome,
            term,
            date,
            end_date: None,
            hours: wuyu_domain::Tenths(15),
            travel: wuyu_domain::Tenths(0),
            organiser: String::new(),
            description: "整理房间、洗碗".into(),
            entrant: wuyu_domain::Entrant::Parent,
            entered_by: "demo-parent".into(),
            state: wuyu_domain::RecordState::Submitted,
        };
        records += store
            .record_activity_with_evidence(
                &scope,
                school,
                &[child],
                &entry,
                &[evidence],
                meta("").at,
            )
            .await?
            .len() as u64;
    }
    Ok((records, art))
}

/// demo-district, and 10:00 Beijing time on `november_day` November of the demo's school year:
/// who starts the demo's survey rounds, and when.
async fn district_round(
    svc: &wuyu_service::Service,
    district: &wuyu_synth::SynthDistrict,
    november_day: u8,
) -> anyhow::Result<(wuyu_domain::Viewer, i64)> {
    let (viewer, _) = wuyu_service::accounts::acting_as(svc, "demo-district", "cli")
        .await?
        .context("演示区级账号不存在")?;
    let day = time::Date::from_calendar_date(
        i32::from(district.school_year),
        time::Month::November,
        november_day,
    )?;
    // 10:00 in Beijing.
    Ok((
        viewer,
        day.midnight().assume_utc().unix_timestamp() + 2 * 3600,
    ))
}

/// The demo's parents' round: started by demo-district on 20 November of the demo's school
/// year (so it counts for that year's plan), codes issued per school, and the synthetic
/// answers given through them; codes not answered stay on each school's sheet. Answers
/// (codes issued, responses).
async fn load_survey(
    store: &std::sync::Arc<dyn wuyu_store::Store>,
    district: &wuyu_synth::SynthDistrict,
    seed: u64,
) -> anyhow::Result<(usize, usize)> {
    use wuyu_analytics::satisfaction::Answer;
    use wuyu_service::survey;
    let svc = wuyu_service::Service::new(std::sync::Arc::clone(store));
    let (viewer, at) = district_round(&svc, district, 20).await?;
    let q = survey::start_round(&svc, &viewer, "parents", at).await?;
    let (mut issued, mut answered) = (0, 0);
    for school in wuyu_synth::generate_survey(district, seed) {
        let Some(id) = store.school_by_code(school.school_code.as_str()).await? else {
            continue;
        };
        let codes = survey::issue_codes(&svc, &viewer, q, id, None, school.issued, at).await?;
        issued += codes.len();
        for (code, row) in codes.iter().zip(&school.answers) {
            let answers: Vec<Answer> = row
                .iter()
                .map(|v| Answer::point(*v).unwrap_or(Answer::Unknown))
                .collect();
            store.submit_survey_code(code, &answers, at + 3600).await?;
            answered += 1;
        }
    }
    Ok((issued, answered))
}

/// The demo's 课后服务 round, started on 18 November, before the parents' round, so that round
/// stays the year's latest for the plan; codes per school answered with the synthetic 5-point
/// answers, ticked projects and suggestions. Answers (codes issued, responses).
async fn load_after_school(
    store: &std::sync::Arc<dyn wuyu_store::Store>,
    district: &wuyu_synth::SynthDistrict,
    seed: u64,
) -> anyhow::Result<(usize, usize)> {
    use wuyu_analytics::satisfaction::Answer;
    use wuyu_domain::{ItemKind, OtherAnswers};
    use wuyu_service::survey;
    let svc = wuyu_service::Service::new(std::sync::Arc::clone(store));
    let (viewer, at) = district_round(&svc, district, 18).await?;
    let q = survey::start_round(&svc, &viewer, "after_school", at).await?;
    let items = store.questionnaire(q).await?.items;
    let multi = items
        .iter()
        .position(|i| matches!(i.kind, ItemKind::Multiple { .. }))
        .context("课后服务问卷缺少多选题")?;
    let text = items
        .iter()
        .position(|i| matches!(i.kind, ItemKind::Text { .. }))
        .context("课后服务问卷缺少简答题")?;
    let (mut issued, mut answered) = (0, 0);
    for school in wuyu_synth::generate_after_school(district, seed) {
        let Some(id) = store.school_by_code(school.school_code.as_str()).await? else {
            continue;
        };
        let codes = survey::issue_codes(&svc, &viewer, q, id, None, school.issued, at).await?;
        issued += codes.len();
        for (((code, row), picks), note) in codes
            .iter()
            .zip(&school.answers)
            .zip(&school.projects)
            .zip(&school.suggestions)
        {
            // The 5-point answers first, blank for the choice and text items after them.
            let mut answers: Vec<Answer> = row
                .iter()
                .map(|v| Answer::point(*v).unwrap_or(Answer::Unknown))
                .collect();
            answers.resize(items.len(), Answer::Blank);
            let other = OtherAnswers {
                choices: vec![(multi, picks.clone())],
                texts: note.iter().map(|t| (text, t.clone())).collect(),
            };
            store
                .submit_survey_code_with(code, &answers, &other, at + 3600)
                .await?;
            answered += 1;
        }
    }
    Ok((issued, answered))
}

/// The demo's 师德 rounds: demo-district starts the parents' and the colleagues' round on
/// 10 November (before the satisfaction round, which stays the year's parents' round), codes
/// are issued per teacher of the demo school and answered. Answers (teachers, parents'
/// answers, colleagues' answers).
async fn load_ethics(
    store: &std::sync::Arc<dyn wuyu_store::Store>,
    district: &wuyu_synth::SynthDistrict,
    seed: u64,
) -> anyhow::Result<(usize, usize, usize)> {
    use wuyu_analytics::satisfaction::Answer;
    use wuyu_service::survey;
    let svc = wuyu_service::Service::new(std::sync::Arc::clone(store));
    let (viewer, at) = district_round(&svc, district, 10).await?;
    let parents = survey::start_round(&svc, &viewer, "ethics_parents", at).await?;
    let peers = survey::start_round(&svc, &viewer, "ethics_peers", at + 600).await?;
    let (mut teachers, mut by_parents, mut by_peers) = (0, 0, 0);
    for t in wuyu_synth::generate_ethics(district, seed) {
        let Some(school) = store.school_by_code(t.school_code.as_str()).await? else {
            continue;
        };
        let Some(teacher) = store.teacher_by_staff_no(school, &t.staff_no).await? else {
            continue;
        };
        teachers += 1;
        for (round, rows, count) in [
            (parents, &t.parents, &mut by_parents),
            (peers, &t.colleagues, &mut by_peers),
        ] {
            // A few more codes than answers: not everyone hands theirs in.
            let codes = survey::issue_teacher_codes(
                &svc,
                &viewer,
                round,
                school,
                teacher,
                rows.len() + 3,
                at,
            )
            .await?;
            for (code, row) in codes.iter().zip(rows) {
                let answers: Vec<Answer> = row
                    .iter()
                    .map(|v| Answer::point(*v).unwrap_or(Answer::Unknown))
                    .collect();
                store.submit_survey_code(code, &answers, at + 3600).await?;
                *count += 1;
            }
        }
    }
    Ok((teachers, by_parents, by_peers))
}

/// Each school's appraisal round of the school year, levels computed by the rules per school;
/// the first school's round is put in a 公示 that has ended. Answers (rounds, teachers).
async fn load_appraisal(
    store: &std::sync::Arc<dyn wuyu_store::Store>,
    district: &wuyu_synth::SynthDistrict,
    seed: u64,
) -> anyhow::Result<(usize, usize)> {
    use wuyu_analytics::appraisal::{AppraisalRules, appraise};
    use wuyu_service::staff::{RowSources, compose_scores};
    use wuyu_store::staff::{AppraisalInput, AppraisalState, NewAppraisal};
    let cases = wuyu_synth::generate_appraisal(district, seed);
    let given = wuyu_synth::generate_appraisal_sources(&cases, seed);
    // The teachers of the 师德 rounds leave their parent and peer sources to the survey.
    let surveyed: Vec<(String, String)> = wuyu_synth::generate_ethics(district, seed)
        .into_iter()
        .map(|t| (t.school_code.as_str().to_string(), t.staff_no))
        .collect();
    let year = i32::from(district.school_year);
    let rules = AppraisalRules::default();
    // The demo district weighs all five sources, so the pages show each one counted.
    store
        .set_setting(
            wuyu_store::settings::district::APPRAISAL_WEIGHTS,
            r#"{"org":0.4,"peer":0.2,"parent":0.2,"teaching":0.1,"workload":0.1}"#,
        )
        .await?;
    let svc = wuyu_service::Service::new(std::sync::Arc::clone(store));
    let (mut rounds, mut teachers) = (0, 0);
    for school in &district.batch.schools {
        let Some(id) = store.school_by_code(school.code.as_str()).await? else {
            continue;
        };
        let (mut mine, mut sources, mut ids) = (Vec::new(), Vec::new(), Vec::new());
        for (c, g) in cases.iter().zip(&given) {
            if c.school != school.code.as_str() {
                continue;
            }
            let Some(t) = store.teacher_by_staff_no(id, &c.staff_no).await? else {
                continue;
            };
            // Every demo score is composed from its sources (none uploaded as a total).
            let by_survey = surveyed
                .iter()
                .any(|(s, n)| s == school.code.as_str() && *n == c.staff_no);
            let mut c = c.clone();
            c.score = None;
            mine.push(c);
            sources.push(RowSources {
                peer_ratings: if by_survey {
                    Vec::new()
                } else {
                    g.peer_ratings.clone()
                },
                parent_score: if by_survey { None } else { g.parent },
                workload_score: g.workload,
            });
            ids.push(t);
        }
        if mine.is_empty() {
            continue;
        }
        let (composed, _) = compose_scores(&svc, id, year, &mut mine, &sources, &ids).await?;
        let out = appraise(&mine, &rules)?;
        let mut rows = Vec::with_capacity(mine.len());
        for (((c, o), t), sources) in mine.iter().zip(&out).zip(&ids).zip(composed) {
            rows.push(AppraisalInput {
                teacher_id: *t,
                score: c.score,
                org_score: c.org_score,
                sources,
                first_job_months: c.first_job_months,
                leave_days: c.leave_days,
                under_investigation: c.under_investigation,
                ethics_violation: c.ethics_violation,
                sanction: c.sanction,
                level: o.level,
                committee_reason: None,
            });
        }
        let audit = wuyu_store::AuditEntry {
            at: time::OffsetDateTime::now_utc().unix_timestamp(),
            user_id: None,
            username: "demo".into(),
            action: "import_appraisal".into(),
            school_id: Some(id),
            entity: format!("staff_appraisal:{}:{year}", id.0),
            detail: "synthetic".into(),
            ip: String::new(),
        };
        teachers += rows.len();
        store
            .save_appraisal(
                &NewAppraisal {
                    school_id: id,
                    school_year: year,
                    unit_rating: mine[0].unit_rating,
                    n_base: out[0].n_base as u32,
                    cap: out[0].cap as u32,
                    rows,
                },
                &audit,
            )
            .await?;
        if rounds == 0 {
            let until = format!("{}-07-12", year + 1);
            let start = format!("{}-07-08", year + 1);
            store
                .advance_appraisal(
                    id,
                    year,
                    AppraisalState::Publicity,
                    Some(&until),
                    &start,
                    &audit,
                )
                .await?;
        }
        rounds += 1;
    }
    Ok((rounds, teachers))
}

/// The synthetic training, titles and 工作室 of every teacher, written school by school with
/// an audit entry each. Answers (courses, titles, studio members).
async fn load_development(
    store: &std::sync::Arc<dyn wuyu_store::Store>,
    district: &wuyu_synth::SynthDistrict,
    seed: u64,
) -> anyhow::Result<(usize, usize, usize)> {
    use std::collections::BTreeMap;
    use wuyu_store::staff::{
        NewStudio, NewTitle, NewTraining, StudioRole, TitleKind, TitleLevel, TrainingLevel,
    };
    use wuyu_synth::DevRecord;
    type Rows = (Vec<NewTraining>, Vec<NewTitle>, Vec<NewStudio>);
    let mut by_school: BTreeMap<i64, Rows> = BTreeMap::new();
    let mut schools = std::collections::HashMap::new();
    for (code, staff_no, rec) in wuyu_synth::generate_development(district, seed) {
        let school = match schools.get(&code) {
            Some(s) => *s,
            None => {
                let s = store.school_by_code(&code).await?;
                schools.insert(code.clone(), s);
                s
            }
        };
        let Some(school) = school else { continue };
        let Some(teacher_id) = store.teacher_by_staff_no(school, &staff_no).await? else {
            continue;
        };
        let rows = by_school.entry(school.0).or_default();
        match rec {
            DevRecord::Training {
                course,
                taken_on,
                hours,
                level,
            } => rows.0.push(NewTraining {
                teacher_id,
                course: course.to_string(),
                taken_on,
                hours,
                level: TrainingLevel::parse(level).context("666 level")?,
                provider: "区教师发展中心".into(),
            }),
            DevRecord::Title { title, level, year } => rows.1.push(NewTitle {
                teacher_id,
                title: TitleKind::parse(title).context("title")?,
                level: TitleLevel::parse(level).context("title level")?,
                year,
            }),
            DevRecord::Studio {
                studio,
                role,
                level,
                year,
            } => rows.2.push(NewStudio {
                teacher_id,
                studio,
                role: StudioRole::parse(role).context("studio role")?,
                level: TitleLevel::parse(level).context("studio level")?,
                joined_year: year,
            }),
        }
    }
    let (mut courses, mut titles, mut members) = (0, 0, 0);
    for (school, (training, title, studio)) in by_school {
        let id = wuyu_domain::SchoolId(school);
        let audit = |action: &str| wuyu_store::AuditEntry {
            at: time::OffsetDateTime::now_utc().unix_timestamp(),
            user_id: None,
            username: "demo".into(),
            action: action.into(),
            school_id: Some(id),
            entity: format!("school:{school}"),
            detail: "synthetic".into(),
            ip: String::new(),
        };
        courses += store
            .import_training(id, &training, &audit("import_training"))
            .await?;
        titles += store
            .import_titles(id, &title, &audit("import_titles"))
            .await?;
        for s in &studio {
            store.add_studio(id, s, &audit("add_studio")).await?;
        }
        members += studio.len();
    }
    Ok((courses, titles, members))
}

/// Gives demo-parent a second child (a student of another class of the same school), linked
/// the way a parent does it — with the class's binding code — so 我的孩子 has someone to switch
/// to. Answers the child's name (`None`: the school has one class only).
async fn link_sibling(
    store: &std::sync::Arc<dyn wuyu_store::Store>,
    first_no: &str,
) -> anyhow::Result<Option<String>> {
    use wuyu_service::accounts;
    let Some((school, first)) = store.student_by_no(first_no).await? else {
        return Ok(None);
    };
    let students = store
        .list_students(&wuyu_domain::Scope::District, school, None)
        .await?;
    let Some(first_class) = students.iter().find(|s| s.id == first).map(|s| s.class_id) else {
        return Ok(None);
    };
    let Some(sibling) = students.iter().find(|s| s.class_id != first_class) else {
        return Ok(None);
    };
    let svc = wuyu_service::Service::new(std::sync::Arc::clone(store));
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let sheet = accounts::issue_binding_codes(
        &svc,
        &crate::accounts::operator(),
        school,
        sibling.class_id,
        now,
    )
    .await
    .map_err(crate::upload::failure)?;
    let code = sheet
        .rows
        .iter()
        .find(|r| r.student_no == sibling.student_no.as_str())
        .map(|r| r.code.clone())
        .context("sibling missing from its class sheet")?;
    let parent = store
        .user_credentials("demo-parent")
        .await?
        .context("demo-parent missing")?
        .user;
    let scope = store.scope_for(&parent).await?;
    accounts::add_child(
        &svc,
        &wuyu_domain::Viewer::new(parent, scope),
        sibling.student_no.as_str(),
        &code,
        now,
    )
    .await?;
    Ok(Some(sibling.name.as_str().to_string()))
}

/// A synthetic record as an approved row of an activity import (the demo's and the archive
/// bench's), entered by `by`.
pub(crate) fn approved_activity_row(
    i: usize,
    r: &wuyu_synth::ArchiveDemoRecord,
    term: Term,
    by: &str,
) -> wuyu_store::archive::ActivityImportRow {
    wuyu_store::archive::ActivityImportRow {
        origin: wuyu_domain::Origin {
            sheet: String::new(),
            row: i as u32 + 2,
        },
        student_no: r.student_no.clone(),
        activity: wuyu_store::archive::NewActivity {
            category: r.category,
            term,
            date: r.date,
            end_date: r.end_date,
            hours: r.hours,
            travel: r.travel,
            organiser: r.organiser.into(),
            description: r.description.into(),
            entrant: wuyu_domain::Entrant::Teacher,
            entered_by: by.into(),
            state: wuyu_domain::RecordState::Approved,
        },
    }
}
