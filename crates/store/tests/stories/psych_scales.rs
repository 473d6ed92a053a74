//! District scale versions under the store: the same content is one version, changed content
//! the next; a stored version cannot be changed, and a version a campaign pins cannot be
//! deleted — by the database itself (triggers, a foreign key), not only by the code above it.
use wuyu_domain::{Role, SchoolId, Scope, User, UserId, Viewer};
use wuyu_store::Store;
use wuyu_store::psych::NewCampaign;
use wuyu_store::psych::scales::{NewScaleVersion, ScaleLoad, ScaleRef};

fn version(sha: &str) -> NewScaleVersion {
    NewScaleVersion {
        code: "xxyl".into(),
        name: "学习压力自评（虚构）".into(),
        source_version: "1".into(),
        definition: format!("{{\"sha\": \"{sha}\"}}"),
        sha256: sha.into(),
        licence: String::new(),
        loaded_by: "district".into(),
        loaded_at: 1_760_000_000,
    }
}

/// Runs one statement under the store; answers whether the database accepted it.
async fn accepted(url: &str, sql: &'static str) -> bool {
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        let ok = sqlx::query(sql).execute(&pool).await.is_ok();
        pool.close().await;
        ok
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        let ok = sqlx::query(sql).execute(&pool).await.is_ok();
        pool.close().await;
        ok
    }
}

async fn versions_are_frozen(store: &dyn Store, url: &str) {
    let ids = wuyu_testkit::district::load(store).await;
    let school = SchoolId(ids.school_a);
    assert_eq!(
        store
            .load_scale(&Scope::District, &version("aa"))
            .await
            .unwrap(),
        ScaleLoad::Added(1)
    );
    assert_eq!(
        store
            .load_scale(&Scope::District, &version("aa"))
            .await
            .unwrap(),
        ScaleLoad::Unchanged(1)
    );
    assert_eq!(
        store
            .load_scale(&Scope::District, &version("bb"))
            .await
            .unwrap(),
        ScaleLoad::Added(2)
    );
    // Only the district loads.
    let counsellor = Scope::Counsellor { school_id: school };
    assert!(store.load_scale(&counsellor, &version("cc")).await.is_err());
    assert!(
        store
            .scales(&Scope::School { school_id: school })
            .await
            .is_err()
    );

    let viewer = Viewer::new(
        User {
            id: UserId(1),
            username: "c".into(),
            display_name: "c".into(),
            role: Role::Counsellor,
            school_id: Some(school),
            teacher_id: None,
            student_id: None,
        },
        counsellor,
    );
    let token = viewer.psych_token(school).unwrap();
    let camp = |v: i32| NewCampaign {
        name: format!("v{v}"),
        school_year: 2025,
        scales: Vec::new(),
        grades: vec![7],
        opens_on: "2025-09-01".into(),
        closes_on: "2025-09-30".into(),
        custom_scale: Some(ScaleRef {
            code: "xxyl".into(),
            version: v,
        }),
        created_by: "c".into(),
        created_at: 0,
    };
    store.create_campaign(&token, &camp(1)).await.unwrap();
    // A version that does not exist cannot be pinned.
    assert!(store.create_campaign(&token, &camp(9)).await.is_err());

    assert!(
        !accepted(
            url,
            "UPDATE psych_scale SET definition = '{}' WHERE version = 1"
        )
        .await
    );
    assert!(
        !accepted(
            url,
            "UPDATE psych_scale SET licence = 'x' WHERE version = 2"
        )
        .await
    );
    assert!(!accepted(url, "DELETE FROM psych_scale WHERE version = 1").await);
    let listed = store.scales(&Scope::District).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|s| (s.version, s.sha256.as_str(), s.campaigns))
            .collect::<Vec<_>>(),
        vec![(2, "bb", 0), (1, "aa", 1)]
    );
    // The refusals are the rules, not a connection failing: a version no campaign pins can
    // go (wuyu itself never deletes one).
    assert!(accepted(url, "DELETE FROM psych_scale WHERE version = 2").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_are_frozen_sqlite() {
    let db = wuyu_testkit::sqlite().await;
    versions_are_frozen(db.store.as_ref(), &db.url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_are_frozen_postgres() {
    if let Some(db) = wuyu_testkit::postgres().await {
        versions_are_frozen(db.store.as_ref(), &db.url).await;
    }
}
