//! A Chinese table laid out by typst with Debian's Noto Sans CJK, read back with pdftotext:
//! the text a user would copy or search must be the text that went in, on every page.
use wuyu_testkit::{pdf_lines, pdf_pages};

fn rate(i: u32) -> String {
    format!("{:.1}%", 20.0 + f64::from(i) / 4.0)
}

fn verdict(i: u32) -> &'static str {
    if i.is_multiple_of(3) {
        "未达标"
    } else {
        "已达标"
    }
}

#[test]
fn a_long_chinese_table_reads_back_from_the_pdf() {
    let rows: Vec<Vec<String>> = (1..=120)
        .map(|i| vec![format!("第{i}中学"), rate(i), verdict(i).to_string()])
        .collect();
    let data = serde_json::json!({
        "title": "体质健康优秀率（各校）",
        "subtitle": "2024–2025 学年 · 目标 ≥ 30%",
        "columns": ["学校", "优秀率", "结论"],
        "rows": rows,
    });
    let pdf = wuyu_report_pdf::render(wuyu_report_pdf::TABLE, &data).unwrap();
    let lines = pdf_lines(&pdf);
    assert!(
        lines.iter().any(|l| l == "体质健康优秀率（各校）"),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l.ends_with("目标≥30%")), "{lines:?}");
    // Each school on its own line with its own numbers.
    for i in [1, 17, 40, 99, 120] {
        let line = lines
            .iter()
            .find(|l| l.starts_with(&format!("第{i}中学")))
            .unwrap_or_else(|| panic!("第{i}中学 missing: {lines:?}"));
        assert_eq!(*line, format!("第{i}中学{}{}", rate(i), verdict(i)));
    }
    // 120 rows do not fit one A4 page: the header row repeats on every page, pages are numbered.
    let pages = pdf_pages(&pdf);
    assert!(pages >= 2, "{pages} pages");
    let headers = lines.iter().filter(|l| *l == "学校优秀率结论").count();
    assert_eq!(headers, pages, "{lines:?}");
    assert!(lines.contains(&format!("第{pages}页")), "{lines:?}");
}

#[test]
fn a_template_fault_is_reported_not_panicked() {
    // The table template needs `columns`; without it typst reports an error.
    let err = wuyu_report_pdf::render(wuyu_report_pdf::TABLE, &serde_json::json!({"title": "x"}))
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("PDF 模板“table”排版失败"), "{msg}");
}
