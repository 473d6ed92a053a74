//! `wuyu user add`: create an account bound to its school / teacher / child.
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Subcommand;
use wuyu_domain::Role;
use wuyu_store::Store;
use wuyu_web::accounts::{self, AccountError, resolve_account};

#[derive(Subcommand)]
pub enum UserCommand {
    /// 创建账号；不给 --password 时打印随机生成的密码
    Add {
        /// 数据库：SQLite 文件路径或 postgres://… 地址
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// 登录用户名
        #[arg(long)]
        username: String,
        /// 角色：district_admin（区级管理员）、district_analyst（区级分析员）、school_admin（学校管理员）、teacher（教师）、counsellor（心理教师）或 parent（家长）
        #[arg(long)]
        role: String,
        /// 显示名称（默认同用户名）
        #[arg(long)]
        display_name: Option<String>,
        /// 学校代码（学校角色必填）
        #[arg(long)]
        school: Option<String>,
        /// 教师的工号（教师账号必填）
        #[arg(long)]
        teacher: Option<String>,
        /// 孩子的学籍号（家长账号必填）
        #[arg(long)]
        student: Option<String>,
        /// 密码，至少 10 个字符；不给则随机生成。建议用环境变量传入：命令行参数会被其他用户
        /// 在 ps 中看到，也会留在 shell 历史里
        #[arg(long, env = "WUYU_NEW_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// 重置密码：生成一次性密码并打印；该账号的登录全部结束，下次登录必须先修改密码
    ResetPassword {
        /// 数据库：SQLite 文件路径或 postgres://… 地址
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// 登录用户名
        #[arg(long)]
        username: String,
    },
    /// 为本校尚无账号的教师批量开通账号（用户名为工号），打印一次性密码（制表符分隔：姓名、用户名、密码）
    OpenTeachers {
        /// 数据库：SQLite 文件路径或 postgres://… 地址
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// 学校代码
        #[arg(long)]
        school: String,
    },
    /// 为一个班级生成家长绑定码并打印（制表符分隔：姓名、学籍号、绑定码）；本班之前的绑定码全部作废
    BindingCodes {
        /// 数据库：SQLite 文件路径或 postgres://… 地址
        #[arg(long, env = "WUYU_DB")]
        db: String,
        /// 学校代码
        #[arg(long)]
        school: String,
        /// 年级（1–12）
        #[arg(long)]
        grade: u8,
        /// 班级名称，如 1班
        #[arg(long)]
        class: String,
    },
}

/// The server's operator as the service sees them: the district's rights, from the command line.
pub(crate) fn operator() -> wuyu_domain::Viewer {
    wuyu_domain::Viewer::new(
        wuyu_domain::User {
            id: wuyu_domain::UserId(0),
            username: "operator".into(),
            display_name: "命令行".into(),
            role: Role::DistrictAdmin,
            school_id: None,
            teacher_id: None,
            student_id: None,
        },
        wuyu_domain::Scope::District,
    )
}

async fn school_id(store: &dyn Store, code: &str) -> anyhow::Result<wuyu_domain::SchoolId> {
    store
        .school_by_code(code.trim())
        .await?
        .with_context(|| format!("学校代码 {code} 不存在"))
}

/// `wuyu user open-teachers`: the same plan and accounts as 账号管理's 批量开通.
async fn open_teachers(db: &str, school: &str) -> anyhow::Result<ExitCode> {
    let svc = crate::upload::service(db).await?;
    let school = school_id(svc.store().as_ref(), school).await?;
    let me = operator();
    let plan = wuyu_service::accounts::plan_teacher_accounts(&svc, &me, school)
        .await
        .map_err(crate::upload::failure)?;
    let passwords: Vec<String> = plan.accounts.iter().map(|a| a.password.clone()).collect();
    let hashes = tokio::task::spawn_blocking(move || {
        passwords
            .iter()
            .map(|p| wuyu_web::password::hash_password(p))
            .collect::<Vec<_>>()
    })
    .await?;
    wuyu_service::accounts::open_teacher_accounts(&svc, &me, &plan, hashes)
        .await
        .map_err(crate::upload::failure)?;
    println!("姓名\t用户名\t一次性密码");
    for a in &plan.accounts {
        println!("{}\t{}\t{}", a.display_name, a.username, a.password);
    }
    for s in &plan.skipped {
        eprintln!("未开通：{}（工号 {}）：{}", s.name, s.staff_no, s.reason);
    }
    eprintln!(
        "已开通 {} 个教师账号；首次登录后必须修改密码。",
        plan.accounts.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// `wuyu user binding-codes`: a class's sheet, as 账号管理 prints it.
async fn binding_codes(db: &str, school: &str, grade: u8, class: &str) -> anyhow::Result<ExitCode> {
    let svc = crate::upload::service(db).await?;
    let school = school_id(svc.store().as_ref(), school).await?;
    let classes = svc
        .store()
        .list_classes(&wuyu_domain::Scope::District, school)
        .await?;
    let Some(found) = classes
        .iter()
        .find(|c| c.class.grade.get() == grade && c.class.name == class.trim())
    else {
        bail!("该校没有 {grade} 年级“{}”", class.trim());
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let sheet =
        wuyu_service::accounts::issue_binding_codes(&svc, &operator(), school, found.class.id, now)
            .await
            .map_err(crate::upload::failure)?;
    println!("姓名\t学籍号\t绑定码");
    for r in &sheet.rows {
        println!("{}\t{}\t{}", r.name, r.student_no, r.code);
    }
    eprintln!(
        "{} {}：已生成 {} 个绑定码，之前的绑定码已作废。",
        sheet.school_name,
        sheet.class_name,
        sheet.rows.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// Sets a one-time password on `username` and prints it (the operator hands it over).
async fn reset_password(db: &str, username: &str) -> anyhow::Result<ExitCode> {
    let store = crate::open_store(db).await?;
    let Some(creds) = store.user_credentials(username.trim()).await? else {
        bail!("用户 {} 不存在", username.trim());
    };
    let once = wuyu_service::accounts::one_time_password()
        .map_err(|e| anyhow::anyhow!("无法生成随机密码：{e}"))?;
    let plain = once.clone();
    let hash =
        tokio::task::spawn_blocking(move || wuyu_web::password::hash_password(&plain)).await?;
    store.set_one_time_password(creds.user.id, &hash).await?;
    store
        .append_audit(&wuyu_store::AuditEntry {
            at: time::OffsetDateTime::now_utc().unix_timestamp(),
            user_id: None,
            username: "operator".into(),
            action: "reset_password".into(),
            school_id: creds.user.school_id,
            entity: format!("user:{}", creds.user.id),
            detail: format!("username={} (command line)", creds.user.username),
            ip: String::new(),
        })
        .await?;
    println!("已重置 {} 的密码，一次性密码：{once}", creds.user.username);
    println!("该用户登录后必须先修改密码。");
    Ok(ExitCode::SUCCESS)
}

pub async fn run(cmd: UserCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        UserCommand::ResetPassword { db, username } => reset_password(&db, &username).await,
        UserCommand::OpenTeachers { db, school } => open_teachers(&db, &school).await,
        UserCommand::BindingCodes {
            db,
            school,
            grade,
            class,
        } => binding_codes(&db, &school, grade, &class).await,
        UserCommand::Add {
            db,
            username,
            role,
            display_name,
            school,
            teacher,
            student,
            password,
        } => {
            add(
                &db,
                username,
                &role,
                display_name,
                school,
                teacher,
                student,
                password,
            )
            .await
        }
    }
}

#[allow(clippy::too_many_arguments)] // the flags of `wuyu user add`, one each
async fn add(
    db: &str,
    username: String,
    role: &str,
    display_name: Option<String>,
    school: Option<String>,
    teacher: Option<String>,
    student: Option<String>,
    password: Option<String>,
) -> anyhow::Result<ExitCode> {
    let role = Role::parse(role).map_err(|e| anyhow::anyhow!("--role：{e}"))?;
    let store = crate::open_store(db).await?;
    let (password, generated) = match password {
        Some(p) => (p, false),
        None => (random_password(), true),
    };
    let spec = AccountSpec {
        display_name: display_name.unwrap_or_else(|| username.clone()),
        username: username.clone(),
        role,
        school_code: school,
        teacher_staff_no: teacher,
        student_no: student,
    };
    create_account(store.as_ref(), &spec, &password).await?;
    println!("已创建用户 {}（{}）", username.trim(), role.label_zh());
    if generated {
        println!("初始密码：{password}");
    }
    Ok(ExitCode::SUCCESS)
}

/// What an account is bound to, by natural keys.
pub struct AccountSpec {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub school_code: Option<String>,
    pub teacher_staff_no: Option<String>,
    pub student_no: Option<String>,
}

/// Resolves the school code, then applies the same account rules as the admin page.
pub async fn create_account(
    store: &dyn Store,
    spec: &AccountSpec,
    password: &str,
) -> anyhow::Result<()> {
    let school = match &spec.school_code {
        Some(code) => Some(
            store
                .school_by_code(code.trim())
                .await?
                .with_context(|| format!("学校代码 {code} 不存在"))?,
        ),
        None => None,
    };
    let mut new = match resolve_account(
        store,
        &accounts::AccountSpec {
            username: spec.username.clone(),
            display_name: spec.display_name.clone(),
            role: Some(spec.role),
            school,
            teacher_staff_no: spec.teacher_staff_no.clone(),
            student_no: spec.student_no.clone(),
            password: password.to_string(),
        },
    )
    .await
    {
        Ok(new) => new,
        Err(AccountError::Invalid(m)) => bail!("{m}"),
        Err(AccountError::Store(e)) => return Err(e.into()),
    };
    let pw = password.to_string();
    new.password_hash =
        tokio::task::spawn_blocking(move || wuyu_web::password::hash_password(&pw)).await?;
    store
        .create_user(&new)
        .await
        .with_context(|| format!("创建用户 {} 失败", new.username))?;
    Ok(())
}

/// 14 characters from an alphabet without look-alikes (no 0/O, 1/l/I).
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    // Rejection sampling keeps every character equally likely.
    let limit = 256 - 256 % ALPHABET.len();
    let mut out = String::with_capacity(14);
    while out.len() < 14 {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the OS random source is available");
        for b in bytes.iter().map(|b| usize::from(*b)).filter(|b| *b < limit) {
            if out.len() < 14 {
                out.push(ALPHABET[b % ALPHABET.len()] as char);
            }
        }
    }
    out
}
