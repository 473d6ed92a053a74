//! The score-sheet template of one exam: a 说明 sheet and a 成绩 sheet with 学籍号, 姓名, 班级
//! and one column per subject (header `语文（满分120）`, which the reader matches to 语文).
//! Reading an untouched template gives no rows and no errors.
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Note, Workbook};
use wuyu_domain::Exam;

use super::fmt_num;
use crate::IngestError;

/// One pre-filled row of the template: a student of the exam's grade and, when the exam has
/// a 考号 list, the student's 考号.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateStudent {
    pub student_no: String,
    pub name: String,
    pub class_name: String,
    pub candidate_no: Option<String>,
}

/// Writes the score template of `exam` (XLSX bytes).
pub fn write_exam_score_template(exam: &Exam) -> Result<Vec<u8>, IngestError> {
    write_exam_score_template_for(exam, &[])
}

/// Writes the score template of `exam` pre-filled with `students` (one row each, subjects
/// blank). With any 考号, the sheet gains a 考号 column after 班级, so the marking system can
/// be loaded from it and its export matched back by 考号.
pub fn write_exam_score_template_for(
    exam: &Exam,
    students: &[TemplateStudent],
) -> Result<Vec<u8>, IngestError> {
    let mut wb = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center);
    let text = Format::new().set_num_format("@");

    let ws = wb.add_worksheet();
    ws.set_name("说明")?;
    ws.set_column_width(0, 110)?;
    let title = Format::new().set_bold().set_font_size(14);
    let wrap = Format::new().set_text_wrap();
    ws.write_string_with_format(0, 0, format!("{} 成绩导入模板 填写说明", exam.name), &title)?;
    let subjects: Vec<String> = exam
        .subjects
        .iter()
        .map(|s| format!("{}（满分 {} 分）", s.name, fmt_num(s.full_marks)))
        .collect();
    let lines = [
        format!(
            "1. 考试：{}，{}，{}，{}。科目：{}。",
            exam.name,
            exam.date,
            exam.level.name_zh(),
            exam.grade.label_zh(),
            subjects.join("、")
        ),
        "2. 在“成绩”表中每行填一名学生。学籍号必填（全国学籍号，本列为文本格式，请勿改成数字格式）；姓名、班级仅供核对，不导入。"
            .to_string(),
        "3. 每科一列，填 0 到满分之间的分数，可以有小数（如 87.5）。缺考填“缺考”（不是 0）；没有参加这一科的学生留空。".to_string(),
        "4. 可以只保留部分科目的列（如各科分别导入）；不要加本次考试没有的科目列，否则整个文件会被拒绝。".to_string(),
        "5. 导入前系统会逐行检查，发现的问题会列出行号、列名、填写的值和原因。只要有一处问题，整个文件都不会导入，请全部改正后重新上传。再次导入同一名学生同一科目的成绩会替换原来的成绩。".to_string(),
    ];
    for (i, line) in lines.iter().enumerate() {
        ws.write_string_with_format(2 + i as u32, 0, line, &wrap)?;
    }

    let ws = wb.add_worksheet();
    ws.set_name("成绩")?;
    let fixed = [
        (
            "学籍号",
            22.0,
            "必填。全国学籍号：6–30 位英文字母或数字。本列为文本格式，请勿改成数字格式。",
        ),
        ("姓名", 10.0, "选填，仅供核对，不导入。"),
        (
            "班级",
            10.0,
            "选填，仅供核对，不导入（按学籍号对应学生当前的班级）。",
        ),
    ];
    let mut fixed = fixed.to_vec();
    if students.iter().any(|s| s.candidate_no.is_some()) {
        fixed.push((
            "考号",
            12.0,
            "本次考试的考号（考号表），仅供核对，不导入；阅卷系统只导出考号时，按考号对应学生。",
        ));
    }
    for (col, (h, width, note)) in fixed.iter().enumerate() {
        let col = col as u16;
        ws.write_string_with_format(0, col, *h, &header)?;
        ws.insert_note(0, col, &note_of(note))?;
        ws.set_column_width(col, *width)?;
    }
    ws.set_column_format(0, &text)?;
    for (i, s) in exam.subjects.iter().enumerate() {
        let col = u16::try_from(i + fixed.len()).expect("an exam has few subjects");
        let full = fmt_num(s.full_marks);
        ws.write_string_with_format(0, col, format!("{}（满分{full}）", s.name), &header)?;
        ws.insert_note(
            0,
            col,
            &note_of(&format!(
                "0–{full} 分，可以有小数。缺考填“缺考”；未参加这一科留空。"
            )),
        )?;
        ws.set_column_width(col, 14.0)?;
    }
    for (i, st) in students.iter().enumerate() {
        let row = u32::try_from(i + 1)
            .map_err(|_| IngestError::Template("超过 Excel 的行数上限".into()))?;
        ws.write_string(row, 0, &st.student_no)?;
        ws.write_string(row, 1, &st.name)?;
        ws.write_string(row, 2, &st.class_name)?;
        if let Some(c) = &st.candidate_no {
            ws.write_string(row, 3, c)?;
        }
    }
    ws.set_freeze_panes(1, 1)?;
    Ok(wb.save_to_buffer()?)
}

fn note_of(text: &str) -> Note {
    Note::new(text)
        .add_author_prefix(false)
        .set_width(300)
        .set_height(90)
}
