//! Stored statistics of an older version are recomputed on read.
use super::*;

// --- versioned statistics ---------------------------------------------------------------------

/// Statistics stored by an older version (here: an old payload shape and version 0) are
/// recomputed on read and give the same numbers; a newer version is refused with a clear error.
async fn statistics_of_an_older_version_are_recomputed_on_read(db: &TempDb) {
    let store = db.store.as_ref();
    setup(store).await;
    let exam = store
        .create_exam(&new_exam(
            "五年级期中质量检测",
            date!(2024 - 11 - 12),
            &[("语文", 120.0), ("数学", 100.0)],
            None,
        ))
        .await
        .unwrap();
    store
        .import_exam_scores(
            &score_batch(exam, &["语文", "数学"], &[chinese(), math()]),
            &meta("期中成绩.xlsx"),
        )
        .await
        .unwrap();
    let read = |filter| store.exam_unit_stats(&Scope::District, exam, filter);
    let overview = read(ExamUnitFilter::Overview).await.unwrap();
    let schools = read(ExamUnitFilter::Schools).await.unwrap();

    let old = r#"{"stat_shape": "old"}"#;
    let run = |sql: &'static str| {
        let url = db.url.clone();
        async move {
            if url.starts_with("sqlite:") {
                let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
                sqlx::query(sql)
                    .bind(exam.0)
                    .bind(old)
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
            } else {
                let pool = sqlx::PgPool::connect(&url).await.unwrap();
                sqlx::query(sql)
                    .bind(exam.0)
                    .bind(old)
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
            }
        }
    };
    run("UPDATE exam_stat SET payload = $2 WHERE exam_id = $1 AND kind IN ('unit', 'standing')")
        .await;
    run(
        "UPDATE exam_school_stat SET payload = $2 WHERE exam_id = $1 \
         AND kind IN ('school', 'class')",
    )
    .await;
    // The payloads are unreadable at the current version: that is corruption.
    assert!(matches!(
        read(ExamUnitFilter::Overview).await,
        Err(StoreError::Corrupt(_))
    ));
    // Marked as written by an older version, they are recomputed, never reported as corrupt.
    run("UPDATE exam SET stat_version = 0 WHERE id = $1 AND $2 <> ''").await;
    assert_eq!(read(ExamUnitFilter::Overview).await.unwrap(), overview);
    assert_eq!(read(ExamUnitFilter::Schools).await.unwrap(), schools);
    let a = schools[0].unit.school_id.unwrap();
    let students = store
        .exam_students(&Scope::District, exam, a, None)
        .await
        .unwrap();
    assert_eq!(students.len(), 36);

    run("UPDATE exam SET stat_version = 99 WHERE id = $1 AND $2 <> ''").await;
    let newer = read(ExamUnitFilter::Overview).await.unwrap_err();
    assert!(
        matches!(newer, StoreError::NewerStatistics { found: 99, .. }),
        "{newer}"
    );
}

mod statistics_of_an_older_version {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let db = super::sqlite().await;
        super::statistics_of_an_older_version_are_recomputed_on_read(&db).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if let Some(db) = super::postgres().await {
            super::statistics_of_an_older_version_are_recomputed_on_read(&db).await;
        }
    }
}
