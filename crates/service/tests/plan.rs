//! The plan (issue 11, step 1): the seeds' 任务分解表 imports, exports and imports back to the
//! same plan; a bad file is rejected whole with row errors and the stored plan is kept. On both
//! backends, through the service the CLI uses.
use std::sync::Arc;

use wuyu_monitor::plan::{IndicatorSource, TargetCell};
use wuyu_service::Service;
use wuyu_service::file::UploadedFile;
use wuyu_service::import::{ImportActor, ImportOutcome};
use wuyu_service::plan::{PlanFormat, export_plan, import_plan, plan};
use wuyu_store::Store;

fn operator() -> ImportActor {
    ImportActor::Operator("tester".into())
}

/// The cells of a CSV, BOM, CSV quoting and the CSV-injection guard's `'` (before the `=`
/// comparator) removed, for comparing files cell by cell.
fn cells(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| {
            r.unwrap()
                .iter()
                .map(|c| wuyu_ingest::csv_uncell(c).to_string())
                .collect()
        })
        .collect()
}

async fn story(store: Arc<dyn Store>) {
    let svc = Service::new(store);
    let who = operator();
    // Nothing to export before an import.
    assert!(export_plan(&svc, PlanFormat::Csv).await.is_err());

    let seeds = UploadedFile::new(wuyu_synth::PLAN_FILE_NAME, wuyu_synth::PLAN_CSV.to_vec());
    let first = import_plan(&svc, &who, &seeds).await.unwrap();
    let summary = first.imported().expect("the seeds' plan imports").clone();
    assert_eq!(summary.indicators, 85);
    // 14 fitness, exam and archive lines (家访覆盖 and 劳动周 among them), 2 satisfaction
    // (survey), 心理健康筛查覆盖, 心理档案覆盖 and 心理健康教育教师配齐 (psych), the 7 teacher
    // targets (staff), 23 counts of designations, bases, events and courses (the registry; 开设
    // 心理健康教育课程的学校 among them) and 5 from the roster (无辍学, the PE and music/art
    // teacher ratios, the 专职 shares of primary and junior music/art teachers).
    assert_eq!(summary.computed, 54);
    let stored = plan(&svc).await.unwrap();
    assert_eq!(stored.years, vec![2023, 2024, 2025]);
    let myopia = stored
        .indicators
        .iter()
        .find(|i| i.name == "总体近视率")
        .unwrap();
    assert_eq!(myopia.source(), IndicatorSource::Computed);
    assert_eq!(myopia.targets[&2025], TargetCell::Number(50.0));
    assert_eq!(myopia.targets[&2023], TargetCell::Empty);

    // Export (CSV and XLSX) and import back: the same plan, and the seeds' own columns are
    // the seeds' cells, row for row.
    let csv = export_plan(&svc, PlanFormat::Csv).await.unwrap();
    let exported = cells(&csv);
    let original = cells(wuyu_synth::PLAN_CSV);
    assert_eq!(exported.len(), original.len());
    for (e, o) in exported.iter().zip(&original) {
        assert_eq!(&e[..o.len()], &o[..]);
    }
    let again = import_plan(&svc, &who, &UploadedFile::new("导出.csv", csv))
        .await
        .unwrap();
    assert_eq!(again.imported().unwrap().removed, 0);
    assert_eq!(plan(&svc).await.unwrap(), stored);
    let xlsx = export_plan(&svc, PlanFormat::Xlsx).await.unwrap();
    let again = import_plan(&svc, &who, &UploadedFile::new("导出.xlsx", xlsx))
        .await
        .unwrap();
    assert!(again.imported().is_some());
    assert_eq!(plan(&svc).await.unwrap(), stored);

    // A bad file: every bad row named, nothing written.
    let bad = "indicator,unit,target_2025,comparator,scope\n\
        体质健康优秀率,% of tested students,130,>=,district\n\
        市级文明校园,schools,25,>,district\n\
        市级文明校园,schools,25,>=,district\n\
        示范家长学校,schools,15,>=,火星\n";
    let out = import_plan(
        &svc,
        &who,
        &UploadedFile::new("坏.csv", bad.as_bytes().to_vec()),
    )
    .await
    .unwrap();
    let ImportOutcome::Rejected { errors, .. } = out else {
        panic!("a bad plan must be rejected");
    };
    let rows: Vec<(u32, &str, &str)> = errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(
        rows,
        vec![
            (2, "target_2025", "130"),
            (3, "comparator", ">"),
            (4, "indicator", "市级文明校园"),
            (5, "scope", "火星"),
        ]
    );
    assert!(errors.iter().all(|e| e.file == "坏.csv"));
    assert_eq!(plan(&svc).await.unwrap(), stored);
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
