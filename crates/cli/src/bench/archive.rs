//! `wuyu bench --archive`: the archive's three numbers of issue 12. With `--archive-csv`, the
//! synthetic term's records go in as the CLI imports them — one CSV per school through
//! `wuyu_service::archive::import_activities` (read, check every cell, write; records await
//! review) — and that is all. Otherwise they are imported approved straight into the store
//! (`--archive-records` copies them up to a total), with the year's art assessments; then the
//! district's coverage counts from the rollup against the direct count over every student and
//! record (the baseline, same run), and the largest class's report cards as one PDF next to
//! one student's card. Medians of `runs` (PDFs: of 3).
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use wuyu_domain::{Origin, Scope, Term, TermPart};
use wuyu_store::archive::{ActivityImportRow, ArtImportRow};
use wuyu_store::{ImportMeta, Store};
use wuyu_synth::{ArchiveDemoRecord, SynthDistrict};

use super::{BenchArgs, report};

/// The records' term, for the coverage page's address.
pub(super) async fn run(
    store: Arc<dyn Store>,
    district: &SynthDistrict,
    args: &BenchArgs,
    dir: &std::path::Path,
) -> anyhow::Result<Term> {
    let term = Term::new(district.school_year, TermPart::Autumn)?;
    let t = Instant::now();
    let data = wuyu_synth::generate_archive(district, args.seed);
    report("generate archive records", t.elapsed(), data.records.len());
    let mut by_school: BTreeMap<&str, Vec<&ArchiveDemoRecord>> = BTreeMap::new();
    for r in &data.records {
        by_school.entry(r.school_code.as_str()).or_default().push(r);
    }
    if args.archive_csv {
        through_the_service(&store, &by_school, term, dir).await?;
        return Ok(term);
    }
    // Each school's records repeated in proportion, so the total comes near the target.
    let scale = match args.archive_records {
        0 => 1.0,
        n => n as f64 / data.records.len().max(1) as f64,
    };
    let meta = ImportMeta {
        username: "bench".into(),
        file_name: "archive".into(),
        file_sha256: String::new(),
        at: 0,
    };
    let mut art_by_school: BTreeMap<&str, Vec<ArtImportRow>> = BTreeMap::new();
    for (i, r) in data.art.iter().enumerate() {
        art_by_school
            .entry(r.school_code.as_str())
            .or_default()
            .push(ArtImportRow {
                origin: origin(i),
                student_no: r.student_no.clone(),
                school_year: i32::from(district.school_year),
                parts: r.parts,
            });
    }
    let scope = Scope::District;
    let (mut records, mut art) = (0, 0);
    let (mut records_time, mut art_time) = (Duration::ZERO, Duration::ZERO);
    for school in &district.batch.schools {
        let code = school.code.as_str();
        let id = store
            .school_by_code(code)
            .await?
            .context("school not imported")?;
        // One school's rows at a time: ten million rows at once would not fit in memory.
        let rows: Vec<ActivityImportRow> = by_school
            .get(code)
            .into_iter()
            .flatten()
            .cycle()
            .take((by_school.get(code).map_or(0, Vec::len) as f64 * scale).round() as usize)
            .enumerate()
            .map(|(i, r)| crate::demo::approved_activity_row(i, r, term, "bench"))
            .collect();
        let t = Instant::now();
        records += store
            .import_activities(&scope, id, &rows, &meta)
            .await?
            .written;
        records_time += t.elapsed();
        drop(rows);
        if let Some(arts) = art_by_school.get(code) {
            let t = Instant::now();
            art += store.import_art(&scope, id, arts, &meta).await?.written;
            art_time += t.elapsed();
        }
    }
    report(
        &format!("import records ×{scale:.2} ({})", store.backend()),
        records_time,
        records as usize,
    );
    report("import art assessments", art_time, art as usize);

    let runs = args.runs.max(1);
    let weeks = wuyu_service::archive::TERM_WEEKS;
    let mut rolled = Vec::new();
    let mut direct = Vec::new();
    for (what, from_rollup) in [("archive_counts (rollup)", true), ("direct count", false)] {
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            let got = if from_rollup {
                store.archive_counts(&scope, None, term, weeks).await?
            } else {
                store
                    .archive_counts_direct(&scope, None, term, weeks)
                    .await?
            };
            times.push(t.elapsed());
            if from_rollup {
                rolled = got;
            } else {
                direct = got;
            }
        }
        median(
            &format!("{what}, district"),
            &mut times,
            rolled.len().max(direct.len()),
        );
    }
    anyhow::ensure!(rolled == direct, "the rollup differs from the direct count");
    let students: u64 = rolled.iter().map(|c| c.counts.students).sum();
    println!("    ({students} enrolled students, rollup equals the direct count)");
    cards(&store, &rolled).await?;
    Ok(term)
}

fn origin(i: usize) -> Origin {
    Origin {
        sheet: String::new(),
        row: i as u32 + 2,
    }
}

fn median(what: &str, times: &mut [Duration], rows: usize) {
    times.sort();
    let n = times.len();
    println!(
        "  {what:<34} median {:>9.1} ms  (min {:.1}, max {:.1}, {n} runs, {rows} rows)",
        times[n / 2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[n - 1].as_secs_f64() * 1e3,
    );
}

/// A CSV cell, quoted when it must be.
fn cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One CSV per school in the import template's columns, then each imported as `wuyu archive
/// import-records` does: the service reads and checks every cell, then writes.
async fn through_the_service(
    store: &Arc<dyn Store>,
    by_school: &BTreeMap<&str, Vec<&ArchiveDemoRecord>>,
    term: Term,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    use std::io::Write;
    let header: Vec<&str> = wuyu_ingest::archive::RECORD_COLUMNS
        .iter()
        .map(|c| c.0)
        .collect();
    let t = Instant::now();
    let mut files = Vec::new();
    let mut bytes = 0;
    for (code, rows) in by_school {
        let path = dir.join(format!("records-{code}.csv"));
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
        writeln!(out, "{}", header.join(","))?;
        for r in rows {
            writeln!(
                out,
                "{},{},{},{},{},{},{},{}",
                cell(&r.student_no),
                r.category.label_zh(),
                r.date,
                r.end_date.map(|d| d.to_string()).unwrap_or_default(),
                r.hours,
                r.travel,
                cell(r.organiser),
                cell(r.description),
            )?;
        }
        out.flush()?;
        drop(out);
        bytes += std::fs::metadata(&path)?.len();
        files.push((*code, path, rows.len()));
    }
    let total: usize = files.iter().map(|f| f.2).sum();
    report("write records CSV (per school)", t.elapsed(), total);
    println!("    ({} files, {:.1} MB)", files.len(), bytes as f64 / 1e6);

    let svc = wuyu_service::Service::new(Arc::clone(store));
    let viewer = crate::accounts::operator();
    let mut written = 0;
    let t = Instant::now();
    for (code, path, _) in &files {
        let school = store
            .school_by_code(code)
            .await?
            .context("school not imported")?;
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let file = wuyu_service::file::UploadedFile::new(name, std::fs::read(path)?);
        written +=
            wuyu_service::archive::import_activities(&svc, &viewer, "bench", school, term, &file)
                .await
                .map_err(|e| anyhow::anyhow!("{code}: {e}"))?
                .written;
    }
    report(
        &format!("CSV → service import ({})", store.backend()),
        t.elapsed(),
        written as usize,
    );
    Ok(())
}

/// The largest class's report cards as one PDF, and one student's card as the peer.
async fn cards(
    store: &Arc<dyn Store>,
    classes: &[wuyu_store::archive::ClassArchiveCounts],
) -> anyhow::Result<()> {
    if !wuyu_service::bulletin::PDF_AVAILABLE {
        println!("  (this build writes no PDF: report cards skipped)");
        return Ok(());
    }
    let Some(big) = classes.iter().max_by_key(|c| c.counts.students) else {
        return Ok(());
    };
    let svc = wuyu_service::Service::new(Arc::clone(store));
    let viewer = crate::accounts::operator();
    let who = wuyu_service::audit::Requester::operator("bench");
    let first = store
        .list_students(&Scope::District, big.school_id, Some(big.class_id))
        .await?
        .first()
        .map(|s| s.id)
        .context("an empty class")?;
    for (what, class) in [
        ("report card, 1 student", None),
        ("report cards, class", Some(big.class_id)),
    ] {
        let mut times = Vec::with_capacity(3);
        let mut bytes = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let pdf = match class {
                Some(c) => {
                    wuyu_service::archive::class_report_cards_pdf(
                        &svc,
                        &viewer,
                        &who,
                        big.school_id,
                        Some(c),
                    )
                    .await
                }
                None => {
                    wuyu_service::archive::report_card_pdf(
                        &svc,
                        &viewer,
                        &who,
                        big.school_id,
                        first,
                    )
                    .await
                }
            }
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            times.push(t.elapsed());
            bytes = pdf.len();
        }
        let students = if class.is_some() {
            big.counts.students
        } else {
            1
        };
        median(
            &format!("{what} ({students} students, {} KB)", bytes / 1024),
            &mut times,
            1,
        );
    }
    Ok(())
}
