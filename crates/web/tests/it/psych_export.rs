//! The psych aggregates as API and XLSX: the same suppressed counts as the page (cells under
//! 10 students are null / "*"), for leaders and the counsellor; never for teachers or parents.
use std::io::Cursor;

use axum::body::to_bytes;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

use crate::psych_codes::campaign;
use crate::support::{TestApp, body_json, get};

#[tokio::test]
async fn aggregates_api_and_xlsx_are_suppressed_alike() {
    let app = TestApp::new().await;
    campaign(&app, "2020-01-01", "2099-12-31").await;

    let s = app.login("analyst").await;
    let resp = app
        .send(
            get("/api/v1/psych/aggregates?year=2025")
                .cookie(&s.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let json = body_json(resp).await;
    assert_eq!(json["school_year"], 2025);
    assert_eq!(json["suppress_below"], 10);
    let rows = json["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    // One consent recorded at school A: a count of 1 is never published.
    for r in rows {
        assert!(r["consented"].is_null(), "{r}");
        assert!(
            r["levels"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c.is_null() || c == 0),
            "{r}"
        );
    }
    assert!(!json.to_string().contains("张小明"));

    let resp = app
        .send(
            get("/psych/aggregates.xlsx?year=2025")
                .cookie(&s.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let bytes = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    assert_eq!(cells[1][0], Data::String("学校".into()));
    assert_eq!(cells[1][8], Data::String("已同意".into()));
    // The school rows and the total, as the API: the consent count of 1 is "*".
    assert_eq!(cells.len() - 2, rows.len() + 1);
    for r in &cells[2..] {
        assert_eq!(r[8], Data::String("*".into()), "{r:?}");
    }
    assert!(!format!("{cells:?}").contains("张小明"));

    for who in ["teacher-a", "parent-a", "teacher-b"] {
        let t = app.login(who).await;
        for path in ["/api/v1/psych/aggregates", "/psych/aggregates.xlsx"] {
            let resp = app.send(get(path).cookie(&t.cookie).build()).await;
            assert_eq!(resp.status(), 403, "{who} {path}");
        }
    }
}
