//! The generated OpenAPI document, snapshot-tested: a change to the API shows up in review.
use crate::support::{TestApp, body_json, get};

#[tokio::test]
async fn openapi_document_matches_the_snapshot() {
    let app = TestApp::new().await;
    let resp = app.send(get("/api/openapi.json").build()).await;
    assert_eq!(resp.status(), 200);
    let doc = body_json(resp).await;
    for path in [
        "/api/v1/schools",
        "/api/v1/schools/{id}/students",
        "/api/v1/fitness/summary",
        "/api/v1/schools/{id}/students/{student_id}/fitness",
        "/api/v1/exams",
        "/api/v1/exams/{id}/units",
        "/api/v1/exams/{id}/value-added",
        "/api/v1/exams/{id}/items",
        "/api/v1/exams/{id}/students",
        "/api/v1/exams/alerts",
        "/api/v1/plan",
        "/api/v1/plan/targets/{key}",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
    }
    insta::assert_json_snapshot!("openapi", doc);
}
