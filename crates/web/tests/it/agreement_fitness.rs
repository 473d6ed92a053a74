//! One fitness table, three renderings: the `/fitness` page (HTML), `GET /api/v1/fitness/summary`
//! (JSON) and `/fitness/export.xlsx` (read back with calamine) show the same numbers for every
//! school — also a rate that lands exactly on a .x5 boundary at the shown precision, and no
//! rank for a school with fewer than 10 tested students. And the fitness indicator source,
//! against counts made by hand from the fixture.
use std::io::Cursor;

use axum::body::to_bytes;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use wuyu_domain::{ClassId, Location, SchoolId, Stage};
use wuyu_monitor::display::{Precision, number_text, percent_text};
use wuyu_monitor::indicator::{IndicatorKey, IndicatorValue, Period, UnitRef, fitness_keys};
use wuyu_service::Service;
use wuyu_service::fitness::indicator;

use crate::support::{TestApp, body_json, body_text, get, term_now};

/// The texts of the cells of `<tr>…</tr>` that holds `marker`, tags stripped.
fn row_cells(html: &str, marker: &str) -> Vec<String> {
    let at = html.find(marker).expect("row on the page");
    let start = html[..at].rfind("<tr>").expect("row start");
    let end = at + html[at..].find("</tr>").expect("row end");
    html[start..end]
        .split("<td")
        .skip(1)
        .map(|cell| {
            let inner = &cell[cell.find('>').unwrap() + 1..];
            let inner = &inner[..inner.find("</td>").unwrap_or(inner.len())];
            let mut text = String::new();
            let mut in_tag = false;
            for ch in inner.chars() {
                match ch {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            text.trim().to_string()
        })
        .collect()
}

fn pct(v: Option<f64>) -> String {
    percent_text(v, Precision::One)
}

fn as_f64(d: &Data) -> Option<f64> {
    match d {
        Data::Float(v) => Some(*v),
        Data::Int(v) => Some(*v as f64),
        Data::Empty => None,
        other => panic!("not a number: {other:?}"),
    }
}

#[tokio::test]
async fn page_api_and_export_show_the_same_numbers_for_every_school() {
    let app = TestApp::new().await;
    // 第三中学: 16 students, one of them myopic (strength 0), so its 近视率 is 1/16 = 6.25 %.
    let mut strengths = vec![0u8];
    strengths.extend([2, 3, 4].repeat(5));
    let c = app.add_tested_school("S003", "第三中学", &strengths).await;
    // 第四中学: 12 students, ranked as well; the fixture's two schools have 4 and 2 tested.
    let d = app
        .add_tested_school("S004", "第四中学", &[1, 2, 2, 3, 3, 3, 2, 2, 1, 2, 3, 4])
        .await;
    let term = term_now().code();
    let s = app.login("district").await;

    let api = body_json(
        app.send(
            get(&format!("/api/v1/fitness/summary?by=school&term={term}"))
                .cookie(&s.cookie)
                .build(),
        )
        .await,
    )
    .await;
    let rows = api["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4);

    // The .x5 case is real: 6.25 % is exact in binary, the one rule shows 6.3 % (as Excel
    // does), while ties-to-even formatting would have shown 6.2 %.
    let row_c = rows
        .iter()
        .find(|r| r["school_id"] == c.0)
        .expect("school C");
    assert_eq!(row_c["myopia_count"], 1);
    assert_eq!(row_c["vision_screened"], 16);
    let myopia_c = row_c["myopia_rate"].as_f64().unwrap();
    assert_eq!(myopia_c, 0.0625);
    assert_eq!(pct(Some(myopia_c)), "6.3%");
    assert_eq!(format!("{:.1}%", myopia_c * 100.0), "6.2%");

    let html = body_text(
        app.send(
            get(&format!("/fitness?term={term}"))
                .cookie(&s.cookie)
                .build(),
        )
        .await,
    )
    .await;

    let resp = app
        .send(
            get(&format!("/fitness/export.xlsx?term={term}&by=school"))
                .cookie(&s.cookie)
                .build(),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let bytes = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let sheet = wb.worksheet_range(wuyu_report::FITNESS_SHEET).unwrap();
    let cell = |r: u32, c: u32| sheet.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(
        cell(1, 14),
        Data::String(wuyu_report::FITNESS_RANK_HEADER.into())
    );

    // Page columns (with ranks shown): rank, school, 学段, 应测, 实测, 测试率, 合格率, change,
    // 优良率, 优秀率, change, 优秀率目标, 不及格率, 平均学年总分, 超重率, 肥胖率, 近视率,
    // 近视率目标. XLSX columns: school, 应测,
    // 实测, 测试率, 合格率, 优良率, 优秀率, 不及格率, 平均学年总分, 超重率, 肥胖率, 生长迟缓率,
    // 消瘦率, 近视率, 排名.
    let rates = [
        ("test_rate", 5, 3),
        ("pass_rate", 6, 4),
        ("good_or_better_rate", 8, 5),
        ("excellent_rate", 9, 6),
        ("fail_rate", 12, 7),
        ("overweight_rate", 14, 9),
        ("obese_rate", 15, 10),
        ("myopia_rate", 16, 13),
    ];
    let mut ranked = Vec::new();
    for row in rows {
        let id = row["school_id"].as_i64().unwrap();
        let name = row["school_name"].as_str().unwrap();
        let page = row_cells(
            &html,
            &format!("<a href=\"/fitness?school={id}&#38;term={term}\">"),
        );
        assert_eq!(page[1], name);
        let x = (2..2 + rows.len() as u32)
            .find(|r| cell(*r, 0) == Data::String(name.into()))
            .expect("school in the export");
        assert_eq!(page[3], row["enrolled"].to_string());
        assert_eq!(page[4], row["tested"].to_string());
        assert_eq!(as_f64(&cell(x, 2)), row["tested"].as_f64());
        for (key, p, c) in rates {
            let api_value = row[key].as_f64();
            assert_eq!(as_f64(&cell(x, c)), api_value, "{name} {key} export");
            assert_eq!(page[p], pct(api_value), "{name} {key} page");
            assert_eq!(pct(as_f64(&cell(x, c))), page[p], "{name} {key} as shown");
        }
        let mean = row["mean_year_total"].as_f64();
        assert_eq!(as_f64(&cell(x, 8)), mean);
        assert_eq!(page[13], number_text(mean, Precision::One));

        // Ranks: none for fewer than 10 tested students, on the page and in the export; the
        // API's table carries no rank at all.
        assert!(row.get("rank").is_none());
        let page_rank = page[0].parse::<usize>().ok();
        let export_rank = as_f64(&cell(x, 14)).map(|r| r as usize);
        assert_eq!(page_rank, export_rank, "{name} rank");
        if row["tested"].as_i64().unwrap() < 10 {
            assert_eq!(page[0], "—", "{name}");
            assert_eq!(export_rank, None, "{name}");
        } else {
            ranked.push((id, page_rank.expect("ranked"), mean.unwrap()));
        }
    }
    // The two large schools are ranked 1 and 2 by mean 学年总分, highest first.
    ranked.sort_by_key(|r| r.1);
    assert_eq!(ranked.iter().map(|r| r.1).collect::<Vec<_>>(), [1, 2]);
    assert!(ranked[0].2 > ranked[1].2);
    assert!(ranked.iter().any(|r| r.0 == c.0) && ranked.iter().any(|r| r.0 == d.0));
    assert!(html.contains(">6.3%<"));
}

#[tokio::test]
async fn the_indicator_source_counts_like_a_person_would() {
    let app = TestApp::new().await;
    let i = &app.ids;
    let svc = Service::new(app.store.clone());
    let period = Period::Term(term_now());
    let value = async |key: &str, unit: UnitRef| {
        indicator(&svc, &IndicatorKey::new(key), &unit, period)
            .await
            .unwrap()
    };
    let (a, b) = (SchoolId(i.school_a), SchoolId(i.school_b));
    // The fixture's latest term: 8 students enrolled, 6 tested (赵敏 of A 7-2 and 吴昊 of B
    // missing); all 6 screened for vision, 王磊 (A 7-2) the one myopic.
    let rate = IndicatorValue::rate;
    assert_eq!(
        value(fitness_keys::TEST_RATE, UnitRef::District).await,
        Some(rate(6, 8))
    );
    assert_eq!(
        value(fitness_keys::TEST_RATE, UnitRef::School(a)).await,
        Some(rate(4, 5))
    );
    assert_eq!(
        value(fitness_keys::TEST_RATE, UnitRef::School(b)).await,
        Some(rate(2, 3))
    );
    assert_eq!(
        value(fitness_keys::TEST_RATE, UnitRef::Location(Location::Rural)).await,
        Some(rate(2, 3))
    );
    assert_eq!(
        value(fitness_keys::TEST_RATE, UnitRef::Stage(Stage::Junior)).await,
        Some(rate(4, 5))
    );
    assert_eq!(
        value(fitness_keys::MYOPIA_RATE, UnitRef::District).await,
        Some(rate(1, 6))
    );
    assert_eq!(
        value(
            fitness_keys::MYOPIA_RATE,
            UnitRef::Location(Location::Urban)
        )
        .await,
        Some(rate(1, 4))
    );
    assert_eq!(
        value(
            fitness_keys::MYOPIA_RATE,
            UnitRef::Class(a, ClassId(i.class_a7_2))
        )
        .await,
        Some(rate(1, 1))
    );
    assert_eq!(
        value(
            fitness_keys::TEST_RATE,
            UnitRef::Class(a, ClassId(i.class_a7_1))
        )
        .await,
        Some(rate(2, 2))
    );

    // 优秀率 and 合格率 over complete records, counted from the records themselves.
    let mut records = Vec::new();
    for (school, class) in [
        (a, i.class_a7_1),
        (a, i.class_a7_2),
        (a, i.class_a8_1),
        (b, i.class_b1_1),
    ] {
        let rows = app
            .store
            .class_fitness(
                &wuyu_domain::Scope::District,
                school,
                ClassId(class),
                term_now(),
            )
            .await
            .unwrap();
        records.extend(rows.into_iter().filter_map(|r| r.record));
    }
    assert_eq!(records.len(), 6);
    let complete: Vec<_> = records.iter().filter(|r| r.complete).collect();
    assert_eq!(complete.len(), 5, "陈晨 is INCOMPLETE");
    let count = |f: &dyn Fn(wuyu_standards::Level) -> bool| {
        complete.iter().filter(|r| r.level.is_some_and(f)).count() as u64
    };
    assert_eq!(
        value(fitness_keys::EXCELLENT_RATE, UnitRef::District).await,
        Some(rate(count(&|l| l == wuyu_standards::Level::Excellent), 5))
    );
    assert_eq!(
        value(fitness_keys::PASS_RATE, UnitRef::District).await,
        Some(rate(count(&|l| l >= wuyu_standards::Level::Pass), 5))
    );
    // Weight status (WS/T 586) of every tested student.
    let weighed = records.iter().filter(|r| r.weight_status.is_some()).count() as u64;
    let obese = records
        .iter()
        .filter(|r| r.weight_status.is_some_and(|w| w.code() == "obese"))
        .count() as u64;
    assert_eq!(
        value(fitness_keys::OBESE_RATE, UnitRef::District).await,
        Some(rate(obese, weighed))
    );
    // No records in a term without tests; a school set is not defined; exams are not a period.
    let empty = indicator(
        &svc,
        &IndicatorKey::new(fitness_keys::PASS_RATE),
        &UnitRef::District,
        Period::Term(wuyu_domain::Term::parse_code("2020-autumn").unwrap()),
    )
    .await
    .unwrap();
    assert_eq!(empty, None);
    assert!(
        indicator(
            &svc,
            &IndicatorKey::new("fitness.nonsense"),
            &UnitRef::District,
            period
        )
        .await
        .is_err()
    );
}
