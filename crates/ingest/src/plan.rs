/*!
The plan (任务分解表) file, in the layout of the seeds' `targets-2023-2025.csv`: one row per
indicator with its unit, one `target_YYYY` column per school year, comparator, scope and the
seed's own words; optionally `key`, `source`, `measure` and `domain` (育) columns (written by
[`write_plan_csv`] / [`write_plan_xlsx`]). Without them, a row's key is derived from its name and
the indicators wuyu can compute are recognised by name.

Every row is checked; a file with any error is rejected whole (the caller writes nothing).
*/
use std::collections::{BTreeMap, HashMap};

use wuyu_domain::RowError;
use wuyu_monitor::indicator::{Comparator, IndicatorKey};
use wuyu_monitor::plan::{
    Domain, IndicatorSource, Plan, PlanIndicator, UnitKind, computed_key_for, is_computed_key,
    parse_scope, parse_target, plan_key_for,
};

use crate::IngestError;
use crate::schema::normalize_header;
use crate::table::{Table, read_tables};
use crate::{csv_cell, csv_uncell};

/// The columns a plan file has, in the order they are written.
const NAME: &str = "indicator";
const UNIT: &str = "unit";
const COMPARATOR: &str = "comparator";
const SCOPE: &str = "scope";
const DATA: &str = "data_to_compute";
const SEED_FILE: &str = "seed_file";
const SEED_PHRASE: &str = "seed_phrase";
const NOTE: &str = "note";
const KEY: &str = "key";
const SOURCE: &str = "source";
const MEASURE: &str = "measure";
const DOMAIN: &str = "domain";
const MIN_N: &str = "min_n";

/// Header spellings per column (compared after [`normalize_header`]).
fn column_of(header: &str) -> Option<&'static str> {
    let h = normalize_header(header);
    Some(match h.as_str() {
        "indicator" | "指标" | "指标名称" => NAME,
        "unit" | "单位" => UNIT,
        "comparator" | "比较" | "比较方式" => COMPARATOR,
        "scope" | "范围" | "适用范围" => SCOPE,
        "data_to_compute" | "所需数据" => DATA,
        "seed_file" | "来源文件" => SEED_FILE,
        "seed_phrase" | "原文" => SEED_PHRASE,
        "note" | "备注" | "说明" => NOTE,
        "key" | "指标代码" => KEY,
        "source" | "来源" | "数据来源" => SOURCE,
        "measure" | "计算指标" => MEASURE,
        "domain" | "育" | "五育" => DOMAIN,
        "min_n" | "最少人数" | "最小样本" => MIN_N,
        _ => return None,
    })
}

/// The school year of a target column: `target_2024`, `2024年目标`, `2024`.
fn year_of(header: &str) -> Option<i32> {
    let h = normalize_header(header);
    let digits = h
        .strip_prefix("target_")
        .or_else(|| h.strip_suffix("年目标"))
        .unwrap_or(&h);
    let y: i32 = digits.parse().ok()?;
    (2000..=2100).contains(&y).then_some(y)
}

/// What [`read_plan`] found.
#[derive(Debug, Clone, Default)]
pub struct PlanRead {
    /// The plan; use it only when `errors` is empty.
    pub plan: Plan,
    pub errors: Vec<RowError>,
    /// The text encoding of a CSV; `None` for XLSX.
    pub encoding: Option<&'static str>,
    pub sheet: String,
}

struct Errors<'a> {
    file: &'a str,
    sheet: &'a str,
    list: Vec<RowError>,
}

impl Errors<'_> {
    fn push(&mut self, row: u32, column: &str, value: &str, message_zh: impl Into<String>) {
        self.list.push(RowError {
            file: self.file.to_string(),
            sheet: self.sheet.to_string(),
            row,
            column: column.to_string(),
            value: value.to_string(),
            message_zh: message_zh.into(),
        });
    }
}

/// Reads a plan file (CSV in any encoding the readers take, or XLSX: the first sheet with an
/// `indicator`/`指标` column). `Err` only when the file cannot be read at all.
pub fn read_plan(bytes: &[u8], file_name: &str) -> Result<PlanRead, IngestError> {
    let tables = read_tables(file_name, bytes)?;
    let mut out = PlanRead {
        encoding: tables.encoding,
        ..PlanRead::default()
    };
    let table = tables
        .tables
        .iter()
        .find(|t| t.header.iter().any(|h| column_of(h) == Some(NAME)));
    let Some(table) = table else {
        out.errors.push(RowError {
            file: file_name.to_string(),
            sheet: String::new(),
            row: 0,
            column: "indicator".into(),
            value: String::new(),
            message_zh: "文件中没有任务分解表：表头应有 indicator（指标）、unit、target_2023…、\
                         comparator、scope 等列"
                .into(),
        });
        return Ok(out);
    };
    out.sheet = table.name.clone();
    let mut errors = Errors {
        file: file_name,
        sheet: &table.name,
        list: Vec::new(),
    };
    out.plan = read_table(table, &mut errors);
    out.errors = errors.list;
    wuyu_domain::shorten_values(&mut out.errors);
    Ok(out)
}

fn read_table(table: &Table, errors: &mut Errors<'_>) -> Plan {
    let mut cols: HashMap<&'static str, usize> = HashMap::new();
    let mut years: Vec<(i32, usize)> = Vec::new();
    for (i, h) in table.header.iter().enumerate() {
        if let Some(c) = column_of(h) {
            cols.entry(c).or_insert(i);
        } else if let Some(y) = year_of(h) {
            if years.iter().any(|(seen, _)| *seen == y) {
                errors.push(table.header_row, h, h, format!("{y} 年的目标列出现了两次"));
            }
            years.push((y, i));
        }
    }
    for need in [UNIT, COMPARATOR, SCOPE] {
        if !cols.contains_key(need) {
            errors.push(table.header_row, need, "", format!("缺少“{need}”列"));
        }
    }
    if years.is_empty() {
        errors.push(
            table.header_row,
            "target_YYYY",
            "",
            "缺少年度目标列（如 target_2023、2024年目标）",
        );
    }
    if !errors.list.is_empty() {
        return Plan::default();
    }
    years.sort_unstable();
    let mut plan = Plan {
        years: years.iter().map(|(y, _)| *y).collect(),
        indicators: Vec::with_capacity(table.len()),
    };
    let header = |c: &str| {
        cols.get(c)
            .map(|&i| table.header[i].clone())
            .unwrap_or_default()
    };
    let mut names: HashMap<String, u32> = HashMap::new();
    let mut keys: HashMap<String, u32> = HashMap::new();
    for row in table.rows() {
        // A plan exported by wuyu has the CSV-injection guard's quote before `=` comparators.
        let cell = |c: &str| cols.get(c).map_or("", |&i| csv_uncell(row.get(i)));
        let before = errors.list.len();
        let n = row.number;
        let name = cell(NAME);
        if name.is_empty() {
            errors.push(n, &header(NAME), "", "指标名称不能为空");
            continue;
        }
        let duplicate = names.insert(name.to_string(), n);
        if let Some(first) = duplicate {
            errors.push(
                n,
                &header(NAME),
                name,
                format!("指标与第 {first} 行重复：同一指标只能出现一次"),
            );
        }
        let comparator = Comparator::parse(cell(COMPARATOR));
        if comparator.is_none() {
            errors.push(
                n,
                &header(COMPARATOR),
                cell(COMPARATOR),
                "比较方式应为 >=、<=、= 或 ≈（左右）",
            );
        }
        let applies_to = parse_scope(cell(SCOPE))
            .map_err(|e| errors.push(n, &header(SCOPE), cell(SCOPE), e))
            .ok();
        let measure = read_measure(cell(SOURCE), cell(MEASURE), name, n, &header, errors);
        let key = match cell(KEY) {
            "" => plan_key_for(name),
            k => k.to_string(),
        };
        if let Some(first) = keys.insert(key.clone(), n)
            && duplicate.is_none()
        {
            errors.push(
                n,
                &header(KEY),
                &key,
                format!("指标代码与第 {first} 行重复"),
            );
        }
        let domain = match cell(DOMAIN) {
            "" => Some(Domain::of_name(name)),
            d => Domain::parse(d).or_else(|| {
                errors.push(
                    n,
                    &header(DOMAIN),
                    d,
                    "育应为 德育、智育、体育、美育、劳育 或 综合",
                );
                None
            }),
        };
        let min_n = match cell(MIN_N) {
            "" => Some(None),
            t => match t.parse::<u32>() {
                Ok(n) if n > 0 => Some(Some(n)),
                _ => {
                    errors.push(n, &header(MIN_N), t, "最少人数应为正整数（不设则留空）");
                    None
                }
            },
        };
        let kind = UnitKind::of_unit(cell(UNIT));
        let mut targets = BTreeMap::new();
        for &(year, col) in &years {
            let text = row.get(col);
            match parse_target(text, kind, matches!(measure, Some(Some(_)))) {
                Ok(t) => {
                    targets.insert(year, t);
                }
                Err(e) => errors.push(n, &table.header[col], text, e),
            }
        }
        let (Some(comparator), Some(applies_to), Some(measure), Some(domain), Some(min_n)) =
            (comparator, applies_to, measure, domain, min_n)
        else {
            continue;
        };
        if errors.list.len() > before {
            continue;
        }
        plan.indicators.push(PlanIndicator {
            key,
            measure,
            name: name.to_string(),
            domain,
            unit: cell(UNIT).to_string(),
            kind,
            comparator,
            scope: cell(SCOPE).to_string(),
            applies_to,
            targets,
            data_to_compute: cell(DATA).to_string(),
            seed_file: cell(SEED_FILE).to_string(),
            seed_phrase: cell(SEED_PHRASE).to_string(),
            note: cell(NOTE).to_string(),
            min_n,
        });
    }
    if errors.list.is_empty() && plan.indicators.is_empty() {
        errors.push(
            0,
            "",
            "",
            "任务分解表中没有指标行（只有表头或全是空行），未导入",
        );
    }
    plan
}

/// The row's computed key (`Some(None)`: reported), from the `source`/`measure` columns or,
/// without them, from the name; `None` after an error.
fn read_measure(
    source: &str,
    measure: &str,
    name: &str,
    row: u32,
    header: &dyn Fn(&str) -> String,
    errors: &mut Errors<'_>,
) -> Option<Option<IndicatorKey>> {
    let source = match source {
        "" => None,
        s => match IndicatorSource::parse(s) {
            Some(s) => Some(s),
            None => {
                errors.push(
                    row,
                    &header(SOURCE),
                    s,
                    "来源应为 computed（系统计算）或 reported（填报）",
                );
                return None;
            }
        },
    };
    let given = (!measure.is_empty()).then(|| measure.to_string());
    match (source, given) {
        (Some(IndicatorSource::Reported), None) => Some(None),
        (Some(IndicatorSource::Reported), Some(m)) => {
            errors.push(row, &header(MEASURE), &m, "填报的指标不应写计算指标代码");
            None
        }
        (_, Some(m)) if !is_computed_key(&m) => {
            errors.push(
                row,
                &header(MEASURE),
                &m,
                "系统不会计算这个指标：可用 fitness.excellent_rate、fitness.pass_rate、\
                 fitness.test_rate、fitness.myopia_rate、fitness.overweight_rate、\
                 fitness.obese_rate、exam.excellent_rate、exam.pass_rate、exam.mean、\
                 archive.art_coverage、archive.off_campus_rate、\
                 archive.off_campus_per_student、archive.labor_met_rate、\
                 archive.volunteer_hours_per_student、archive.art_excellent_rate、\
                 archive.art_pass_rate、archive.home_visit_coverage、\
                 archive.labor_week_held、psych.screening_coverage、psych.crisis_in_time、\
                 psych.consent_rate（考试指标可加“:中考”等考试类别）；名录计数写 registry.held、registry.new \
                 或 registry.school_share 加“:类型”，可再加“@国/省/市/区”",
            );
            None
        }
        (_, Some(m)) => Some(Some(IndicatorKey(m))),
        (Some(IndicatorSource::Computed), None) => match computed_key_for(name) {
            Some(k) => Some(Some(IndicatorKey(k))),
            None => {
                errors.push(
                    row,
                    &header(MEASURE),
                    "",
                    "系统计算的指标须写明计算指标代码（measure 列）",
                );
                None
            }
        },
        (None, None) => Some(computed_key_for(name).map(IndicatorKey)),
    }
}

/// The plan as rows of text cells, header first: the seeds' columns, then key, source,
/// measure, domain and min_n, so the file reads back to the same plan.
pub fn plan_rows(plan: &Plan) -> Vec<Vec<String>> {
    let mut header: Vec<String> = vec![NAME.into(), UNIT.into()];
    header.extend(plan.years.iter().map(|y| format!("target_{y}")));
    for c in [
        COMPARATOR,
        SCOPE,
        DATA,
        SEED_FILE,
        SEED_PHRASE,
        NOTE,
        KEY,
        SOURCE,
        MEASURE,
        DOMAIN,
        MIN_N,
    ] {
        header.push(c.into());
    }
    let mut rows = vec![header];
    for i in &plan.indicators {
        let mut r = vec![i.name.clone(), i.unit.clone()];
        r.extend(
            plan.years
                .iter()
                .map(|y| i.targets.get(y).map(|t| t.text()).unwrap_or_default()),
        );
        r.extend([
            i.comparator.code().to_string(),
            i.scope.clone(),
            i.data_to_compute.clone(),
            i.seed_file.clone(),
            i.seed_phrase.clone(),
            i.note.clone(),
            i.key.clone(),
            i.source().code().to_string(),
            i.measure.as_ref().map(|m| m.0.clone()).unwrap_or_default(),
            i.domain.label_zh().to_string(),
            i.min_n.map(|n| n.to_string()).unwrap_or_default(),
        ]);
        rows.push(r);
    }
    rows
}

/// Writes the plan as a UTF-8-with-BOM CSV (every text cell through the CSV-injection guard).
pub fn write_plan_csv(plan: &Plan, out: impl std::io::Write) -> std::io::Result<()> {
    let mut out = out;
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    for r in plan_rows(plan) {
        w.write_record(r.iter().map(|c| csv_cell(c).into_owned()))?;
    }
    w.flush()
}

/// Writes the plan as an XLSX workbook with one sheet, 任务分解表.
pub fn write_plan_xlsx(plan: &Plan) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet().set_name("任务分解表")?;
    for (r, row) in plan_rows(plan).iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, cell)?;
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wuyu_monitor::plan::TargetCell;

    const HEAD: &str = "indicator,unit,target_2023,target_2024,target_2025,comparator,scope,data_to_compute,seed_file,seed_phrase,note\n";

    fn read(body: &str) -> PlanRead {
        read_plan(format!("{HEAD}{body}").as_bytes(), "plan.csv").unwrap()
    }

    #[test]
    fn rows_become_indicators_with_keys_and_targets() {
        let r = read(
            "体质健康优秀率,% of tested students,,,30,>=,district and per school,x,f,p,n\n\
             育人实验区,schools,3,8,15,>=,district,,,,\n\
             教学改革微型课题,topics,20+20,,,>=,district,,,,\n",
        );
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.plan.years, vec![2023, 2024, 2025]);
        let fit = &r.plan.indicators[0];
        assert_eq!(
            fit.measure.as_ref().unwrap().as_str(),
            "fitness.excellent_rate"
        );
        assert_eq!(fit.targets[&2025], TargetCell::Number(30.0));
        assert_eq!(fit.targets[&2023], TargetCell::Empty);
        assert_eq!(r.plan.indicators[1].source(), IndicatorSource::Reported);
        assert_eq!(
            r.plan.indicators[2].targets[&2023],
            TargetCell::Words("20+20".into())
        );
    }

    #[test]
    fn bad_rows_are_named_with_row_column_and_value() {
        let r = read(
            "体质健康优秀率,% of tested students,,,130,>=,district,,,,\n\
             示范家长学校,schools,3,8,15,>,district,,,,\n\
             示范家长学校,schools,3,8,15,>=,the moon,,,,\n",
        );
        let msgs: Vec<String> = r.errors.iter().map(|e| e.to_string()).collect();
        assert!(
            msgs.iter()
                .any(|m| m.contains("第 2 行") && m.contains("target_2025") && m.contains("130")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("第 3 行") && m.contains("comparator") && m.contains("“>”")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("第 4 行") && m.contains("重复"))
        );
        assert!(msgs.iter().any(|m| m.contains("the moon")));
    }

    #[test]
    fn a_minimum_n_is_read_checked_and_written_back() {
        let file = "indicator,unit,target_2025,comparator,scope,min_n\n\
                    体质健康优秀率,% of tested students,30,>=,per school,10\n\
                    育人实验区,schools,3,>=,district,\n";
        let r = read_plan(file.as_bytes(), "plan.csv").unwrap();
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.plan.indicators[0].min_n, Some(10));
        assert_eq!(r.plan.indicators[1].min_n, None);
        let mut csv = Vec::new();
        write_plan_csv(&r.plan, &mut csv).unwrap();
        assert_eq!(read_plan(&csv, "back.csv").unwrap().plan, r.plan);
        for bad in ["0", "十", "-3"] {
            let f = format!(
                "indicator,unit,target_2025,comparator,scope,最少人数\n近视率,%,50,<=,district,{bad}\n"
            );
            let r = read_plan(f.as_bytes(), "plan.csv").unwrap();
            let msgs: Vec<String> = r.errors.iter().map(|e| e.to_string()).collect();
            assert!(
                msgs.iter().any(|m| m.contains("第 2 行")
                    && m.contains("最少人数")
                    && m.contains(bad)
                    && m.contains("正整数")),
                "{msgs:?}"
            );
        }
    }

    #[test]
    fn written_plans_read_back_identically() {
        let r = read(
            "城区初中中考及格率,% of students sitting,50,55,60,>=,each named urban junior school,\"a, b\",f,p,\n\
             体育特色学校,schools,,,10,≈,district,,,,\n\
             不均衡分班学校数,schools,,0,0,=,district,,,,\n",
        );
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let mut csv = Vec::new();
        write_plan_csv(&r.plan, &mut csv).unwrap();
        let back = read_plan(&csv, "back.csv").unwrap();
        assert!(back.errors.is_empty(), "{:?}", back.errors);
        assert_eq!(back.plan, r.plan);
        let xlsx = write_plan_xlsx(&r.plan).unwrap();
        let back = read_plan(&xlsx, "back.xlsx").unwrap();
        assert_eq!(back.plan, r.plan);
    }
}

#[cfg(test)]
mod seeds {
    use super::*;

    /// The seeds' 85 targets read whole: the mapping of their computed indicators is the one
    /// the demo's plan uses.
    #[test]
    fn the_seeds_plan_reads_without_errors() {
        let bytes = include_bytes!("../../synth/data/plan-targets-2023-2025.csv");
        let r = read_plan(bytes, "targets-2023-2025.csv").unwrap();
        assert!(r.errors.is_empty(), "{:#?}", r.errors);
        assert_eq!(r.plan.indicators.len(), 85);
        let computed: Vec<(&str, &str)> = r
            .plan
            .indicators
            .iter()
            .filter_map(|i| i.measure.as_ref().map(|m| (i.name.as_str(), m.as_str())))
            .collect();
        assert_eq!(
            computed.len(),
            54,
            "31 from the capabilities, 23 from the registry"
        );
        assert_eq!(
            computed,
            vec![
                (
                    "有德育工程项目的学校占比",
                    "registry.school_share:德育工程项目"
                ),
                ("城区初中中考优秀率", "exam.excellent_rate:中考"),
                ("城区初中中考及格率", "exam.pass_rate:中考"),
                ("其余初中中考及格率", "exam.pass_rate:中考"),
                ("城区小学质量监测优秀率", "exam.excellent_rate:小学质量监测"),
                ("城区小学质量监测及格率", "exam.pass_rate:小学质量监测"),
                ("农村小学质量监测优秀率", "exam.excellent_rate:小学质量监测"),
                ("农村小学质量监测及格率", "exam.pass_rate:小学质量监测"),
                ("骨干以上教师数/百名学生", "staff.key_teachers_per_100"),
                (
                    "家长及社会对学校、教师教学的满意度",
                    "survey.parent_satisfaction"
                ),
                ("专任体育教师与在校生比", "roster.students_per_pe_teacher"),
                ("音乐美术教师与在校生比", "roster.students_per_art_teacher"),
                ("小学音乐美术专职教师占比", "roster.art_full_time_share"),
                ("初中音乐美术专职教师占比", "roster.art_full_time_share"),
                ("培养省级名优教师", "staff.honours_province"),
                ("培养市级名优教师", "staff.honours_city"),
                ("培养区级名优教师", "staff.honours_district"),
                ("培养市级名校长", "registry.new:名校长@市"),
                ("培养区级名校长", "registry.new:名校长@区"),
                ("新增优质校", "registry.new:优质校"),
                ("创成市劳动特色学校", "registry.held:劳动特色学校@市"),
                (
                    "市劳动教育综合实践基地",
                    "registry.held:劳动教育实践基地@市"
                ),
                (
                    "创成市级心理健康教育特色学校",
                    "registry.held:心理健康教育特色学校@市"
                ),
                ("新增市级优秀心理辅导室", "registry.new:优秀心理辅导室@市"),
                ("新增市级示范心理辅导室", "registry.new:示范心理辅导室@市"),
                ("创成省体育特色学校", "registry.held:体育特色学校@省"),
                (
                    "创成全国青少年校园足球特色学校",
                    "registry.held:校园足球特色学校@国"
                ),
                ("创成区级体育特色学校", "registry.held:体育特色学校@区"),
                ("无辍学学生的学校占比", "roster.no_dropout_school_share"),
                (
                    "课后服务学生及社会满意率",
                    "survey.after_school_satisfaction"
                ),
                ("“666”普及培训", "staff.training_general"),
                ("“666”骨干培训", "staff.training_key"),
                ("“666”高端培训", "staff.training_advanced"),
                ("体质测试", "fitness.test_rate"),
                ("运动会或体育节", "registry.new:运动会或体育节"),
                ("校园文化艺术节", "registry.new:校园文化艺术节"),
                ("劳动周", "archive.labor_week_held"),
                ("体质健康优秀率", "fitness.excellent_rate"),
                ("总体近视率", "fitness.myopia_rate"),
                ("课外、校外艺术活动覆盖率", "archive.art_coverage"),
                ("体育特色学校", "registry.held:体育特色学校"),
                ("体育特色班", "registry.held:体育特色班"),
                ("美育特色学校(传统文化传承校)", "registry.held:美育特色学校"),
                ("美育名师工作室", "registry.held:美育名师工作室"),
                ("美育培训基地", "registry.held:美育培训基地"),
                ("示范家长学校", "registry.held:示范家长学校"),
                (
                    "综合性学生劳动教育实践基地",
                    "registry.held:劳动教育实践基地"
                ),
                (
                    "开设心理健康教育课程的学校",
                    "registry.school_share:心理健康教育课程"
                ),
                ("心理健康筛查覆盖", "psych.screening_coverage"),
                ("心理档案覆盖", "psych.file_coverage"),
                ("心理健康教育教师配齐", "psych.teacher_school_share"),
                ("绿色学校覆盖", "registry.school_share:绿色学校"),
                ("校外实践教育", "archive.off_campus_per_student"),
                ("家访覆盖", "archive.home_visit_coverage"),
            ]
        );
    }
}
