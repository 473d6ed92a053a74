//! Teachers' training hours and titles through the import centre, on both backends, from real
//! XLSX files: every bad row (hours out of range, an unknown level, a teacher not in the
//! roster, another school's row, a duplicate, a bad year) is a Chinese row error naming row,
//! column and value, and nothing is written; a clean file is written; the templates read back
//! with their own headers.
use std::sync::Arc;

use rust_xlsxwriter::Workbook;
use wuyu_domain::Viewer;
use wuyu_service::Service;
use wuyu_service::file::UploadedFile;
use wuyu_service::import_centre::{self as centre, ImportKind, ImportParams};
use wuyu_store::staff::{StaffReader, TitleKind, TrainingLevel};
use wuyu_store::{Store, UploadStatus};

async fn viewer(svc: &Service, username: &str) -> Viewer {
    let user = svc
        .store()
        .user_credentials(username)
        .await
        .unwrap()
        .unwrap()
        .user;
    let scope = wuyu_service::accounts::scope_for(svc, &user).await.unwrap();
    Viewer::new(user, scope)
}

/// A one-sheet workbook of text cells.
fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

const TRAINING_HEAD: &[&str] = &[
    "学校代码",
    "工号",
    "培训项目",
    "培训日期",
    "学时",
    "培训层级",
    "培训机构",
];
const TITLES_HEAD: &[&str] = &["学校代码", "工号", "称号", "级别", "认定年度"];

/// (row, column, value) of each error of a held upload's preview.
async fn errors(
    svc: &Service,
    v: &Viewer,
    kind: ImportKind,
    bytes: Vec<u8>,
) -> (String, Vec<(u32, String, String)>) {
    let file = UploadedFile::new("发展.xlsx", bytes);
    let token = centre::hold(svc, v, kind, &ImportParams::default(), &file)
        .await
        .unwrap();
    let p = centre::preview(svc, v, &token).await.unwrap();
    assert!(p.unreadable.is_none(), "{:?}", p.unreadable);
    let e = p
        .errors
        .iter()
        .map(|e| (e.error.row, e.error.column.clone(), e.error.value.clone()))
        .collect();
    (token, e)
}

async fn story(store: Arc<dyn Store>) {
    let svc = Service::new(Arc::clone(&store));
    wuyu_testkit::district::load(store.as_ref()).await;
    let school = viewer(&svc, "school-a").await;
    let teacher = viewer(&svc, "teacher-a").await;

    let bad = xlsx(&[
        TRAINING_HEAD,
        &[
            "S001",
            "T01",
            "新课标解读",
            "2025-03-15",
            "8",
            "普及",
            "区教师发展中心",
        ],
        &[
            "S001",
            "T02",
            "大单元教学",
            "2025-04-01",
            "1200",
            "骨干",
            "市教科院",
        ],
        &[
            "S001",
            "T02",
            "信息技术",
            "2025-04-02",
            "6",
            "中级",
            "市教科院",
        ],
        &[
            "S001",
            "T99",
            "心理健康",
            "2025-05-01",
            "4",
            "普及",
            "区教师发展中心",
        ],
        &[
            "S002",
            "T11",
            "体育教学",
            "2025-05-02",
            "4",
            "普及",
            "区教师发展中心",
        ],
        &[
            "S001",
            "T01",
            "新课标解读",
            "2025/3/15",
            "8",
            "普及",
            "区教师发展中心",
        ],
    ]);
    let (token, errs) = errors(&svc, &school, ImportKind::StaffTraining, bad).await;
    assert_eq!(
        errs,
        vec![
            (3, "学时".into(), "1200".into()),
            (4, "培训层级".into(), "中级".into()),
            (5, "工号".into(), "T99".into()),
            (6, "学校代码".into(), "S002".into()),
            (7, "培训项目".into(), "新课标解读".into()),
        ]
    );
    let c = centre::confirm(&svc, &school, &token).await.unwrap();
    assert_eq!(c.entry.status, UploadStatus::Rejected);
    assert!(
        store
            .training(StaffReader::District)
            .await
            .unwrap()
            .is_empty(),
        "nothing written"
    );

    let good = xlsx(&[
        TRAINING_HEAD,
        &[
            "S001",
            "T01",
            "新课标解读",
            "2025-03-15",
            "8",
            "普及",
            "区教师发展中心",
        ],
        &[
            "S001",
            "T02",
            "大单元教学",
            "2025-04-01",
            "12.5",
            "骨干",
            "市教科院",
        ],
    ]);
    let (token, errs) = errors(&svc, &school, ImportKind::StaffTraining, good.clone()).await;
    assert!(errs.is_empty(), "{errs:?}");
    // A teacher is not an importer.
    let file = UploadedFile::new("发展.xlsx", good);
    assert!(
        centre::hold(
            &svc,
            &teacher,
            ImportKind::StaffTraining,
            &ImportParams::default(),
            &file
        )
        .await
        .is_err()
    );
    let c = centre::confirm(&svc, &school, &token).await.unwrap();
    assert_eq!(c.entry.status, UploadStatus::Imported);
    let rows = store.training(StaffReader::District).await.unwrap();
    assert_eq!(rows.len(), 2);
    let t02 = rows.iter().find(|r| r.staff_no == "T02").unwrap();
    assert_eq!(
        (t02.hours, t02.level, t02.taken_on.as_str()),
        (12.5, TrainingLevel::Key, "2025-04-01")
    );

    let bad = xlsx(&[
        TITLES_HEAD,
        &["S001", "T01", "骨干教师", "区级", "2024"],
        &["S001", "T02", "名师", "县级", "2023"],
        &["S001", "T02", "学科带头人", "市级", "去年"],
    ]);
    let (token, errs) = errors(&svc, &school, ImportKind::StaffTitles, bad).await;
    assert_eq!(
        errs,
        vec![
            (3, "级别".into(), "县级".into()),
            (4, "认定年度".into(), "去年".into())
        ]
    );
    centre::confirm(&svc, &school, &token).await.unwrap();
    assert!(
        store
            .titles(StaffReader::District)
            .await
            .unwrap()
            .is_empty(),
        "nothing written"
    );
    let good = xlsx(&[TITLES_HEAD, &["S001", "T01", "骨干教师", "区级", "2024"]]);
    let (token, _) = errors(&svc, &school, ImportKind::StaffTitles, good).await;
    let c = centre::confirm(&svc, &school, &token).await.unwrap();
    assert_eq!(c.entry.status, UploadStatus::Imported);
    let titles = store.titles(StaffReader::District).await.unwrap();
    assert_eq!(titles.len(), 1);
    assert_eq!(
        (titles[0].title, titles[0].year),
        (TitleKind::KeyTeacher, 2024)
    );

    // The templates read back with the headers the reader expects.
    for (kind, head) in [
        (ImportKind::StaffTraining, TRAINING_HEAD),
        (ImportKind::StaffTitles, TITLES_HEAD),
    ] {
        let (name, bytes) = centre::template(&svc, &school, kind, &ImportParams::default())
            .await
            .unwrap();
        let t = wuyu_ingest::read_tables(&name, &bytes).unwrap();
        assert_eq!(
            t.tables[0].header,
            head.iter().map(|h| h.to_string()).collect::<Vec<_>>()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    let db = wuyu_testkit::sqlite().await;
    story(Arc::clone(&db.store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        story(Arc::clone(&db.store)).await;
    }
}
