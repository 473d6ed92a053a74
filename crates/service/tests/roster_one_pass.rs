//! A broken roster file lists every problem in one pass (issue 9: "today a broken file can take
//! three rounds of fixes"): a missing column, bad cells in every sheet — including the sheet
//! missing the column — and the clean rows' references to classes the district does not have,
//! on both backends; a row that refers to a class whose own row is broken is not reported a
//! second time. Nothing is written.
use std::sync::Arc;

use rust_xlsxwriter::Workbook;
use wuyu_service::Service;
use wuyu_service::file::UploadedFile;
use wuyu_service::import::ImportActor;
use wuyu_service::roster::import_roster;
use wuyu_store::Store;

fn xlsx(name: &str, sheets: &[(&str, &[&[&str]])]) -> UploadedFile {
    let mut wb = Workbook::new();
    for (sheet, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*sheet).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    UploadedFile::new(name, wb.save_to_buffer().unwrap())
}

const S: &str = "3301990001";

fn broken_file() -> UploadedFile {
    xlsx(
        "名册.xlsx",
        &[
            (
                "学校",
                &[
                    &["学校代码", "学校名称", "学段", "城乡"],
                    &[S, "城关第一中学", "初中", "城区"],
                ],
            ),
            (
                "班级",
                &[
                    &["学校代码", "年级", "班级", "班级类型"],
                    &[S, "7", "1班", "普通班"],
                    &[S, "7", "2班", "火箭班"],
                ],
            ),
            (
                "学生",
                &[
                    &[
                        "学校代码",
                        "年级",
                        "班级",
                        "学籍号",
                        "姓名",
                        "性别",
                        "出生日期",
                    ],
                    &[S, "7", "1班", "G0000000001", "张三", "男", "2013-03-05"],
                    // 2班's own row is broken: not reported again here.
                    &[S, "7", "2班", "G0000000002", "李四", "女", "2013-04-06"],
                    &[S, "7", "9班", "G0000000003", "王五", "男", "2013-05-07"],
                    &[S, "7", "1班", "G0000000004", "赵六", "未知", "2013-02-30"],
                ],
            ),
            (
                // No 姓名 column; its rows' other cells are still checked.
                "教师",
                &[
                    &["学校代码", "工号", "性别"],
                    &[S, "T01", "女"],
                    &[S, "T02", "X"],
                ],
            ),
            (
                "任课",
                &[
                    &["学校代码", "工号", "年级", "班级", "科目"],
                    &[S, "T01", "7", "1班", "语文"],
                    &[S, "T01", "8", "1班", "数学"],
                ],
            ),
        ],
    )
}

async fn story(store: Arc<dyn Store>) {
    let svc = Service::new(Arc::clone(&store));
    let out = import_roster(
        &svc,
        &ImportActor::Operator("tester".into()),
        &broken_file(),
        None,
    )
    .await
    .unwrap();
    let mut got: Vec<(String, u32, String, String)> = out
        .errors()
        .iter()
        .map(|e| (e.sheet.clone(), e.row, e.column.clone(), e.value.clone()))
        .collect();
    got.sort();
    let want = [
        ("任课", 3, "班级", "1班"),
        ("学生", 4, "班级", "9班"),
        ("学生", 5, "出生日期", "2013-02-30"),
        ("学生", 5, "性别", "未知"),
        ("教师", 0, "姓名", ""),
        ("教师", 3, "性别", "X"),
        ("班级", 3, "班级类型", "火箭班"),
    ];
    let want: Vec<(String, u32, String, String)> = want
        .iter()
        .map(|(s, r, c, v)| (s.to_string(), *r, c.to_string(), v.to_string()))
        .collect();
    assert_eq!(got, want, "{:#?}", out.errors());
    // The reference errors say what is wrong in Chinese.
    let e = out.errors().iter().find(|e| e.value == "9班").unwrap();
    assert!(
        e.message_zh.contains("没有名为“9班”的班级"),
        "{}",
        e.message_zh
    );
    // Nothing written.
    assert!(store.school_by_code(S).await.unwrap().is_none());
    assert!(store.list_imports(10).await.unwrap().is_empty());
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
