/*!
The roster import template (XLSX): a 说明 sheet, then one sheet per [`SheetKind`] with the
headers [`read_roster`](crate::read_roster) reads, a note on every header, drop-down lists for
the closed vocabularies and text format on the columns Excel would otherwise mangle (18-digit
身份证号 → 1.10105E+17, 学校代码 0012 → 12, dates → serial numbers).

Headers and notes come from [`schema`](crate::schema), so the template and the reader cannot
drift apart; reading an untouched template gives an empty batch and no errors.
*/
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, Format, FormatAlign, FormatBorder, Note,
    Workbook, Worksheet,
};
use wuyu_domain::{ClassType, Employment, Grade, Location, Sex, Stage, StudentStatus};

use crate::IngestError;
use crate::schema::{Column, Field, SheetKind};

/// Last row index Excel allows (1,048,576 rows).
const LAST_ROW: u32 = 1_048_575;

/// Writes the template workbook.
pub fn write_roster_template() -> Result<Vec<u8>, IngestError> {
    let mut wb = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center);
    let text = Format::new().set_num_format("@");

    write_instructions(wb.add_worksheet())?;
    for kind in SheetKind::ALL {
        let ws = wb.add_worksheet();
        ws.set_name(kind.label_zh())?;
        let columns = kind.columns().iter().filter(|c| c.in_template);
        for (i, c) in columns.enumerate() {
            let col = u16::try_from(i).expect("a sheet has few columns");
            ws.write_string_with_format(0, col, c.header, &header)?;
            let note = Note::new(c.note_zh)
                .add_author_prefix(false)
                .set_width(320)
                .set_height(110);
            ws.insert_note(0, col, &note)?;
            ws.set_column_width(col, width(c.field))?;
            if is_text(c.field) {
                ws.set_column_format(col, &text)?;
            }
            if let Some(dv) = validation(c)? {
                ws.add_data_validation(1, col, LAST_ROW, col, &dv)?;
            }
        }
        ws.set_freeze_panes(1, 0)?;
    }
    Ok(wb.save_to_buffer()?)
}

fn write_instructions(ws: &mut Worksheet) -> Result<(), IngestError> {
    ws.set_name("说明")?;
    ws.set_column_width(0, 110)?;
    let title = Format::new().set_bold().set_font_size(14);
    let section = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    ws.write_string_with_format(0, 0, "名册导入模板 填写说明", &title)?;
    let general = [
        "1. 本模板有 学校、班级、学生、教师、任课 五张表，只填需要导入的表即可，其余留空。不要修改工作表名称和第一行的列名。",
        "2. 鼠标停在列名上可以看到该列的填写要求；带下拉箭头的列请从列表中选择。",
        "3. 学校代码、学籍号、出生日期、身份证号、工号 等列已设为文本格式。请不要改成数字格式：Excel 只保留 15 位数字，18 位身份证号会被截断且无法恢复。从其他表格粘贴时请用“选择性粘贴 → 数值”。",
        "4. 学校管理员导入本校数据时，学校代码可以留空，默认为本校。",
        "5. 导入前系统会逐行检查，发现的问题会列出 工作表、行号、列名、填写的值和原因。只要有一处问题，整个文件都不会导入（不会只导入一部分），请全部改正后重新上传。",
        "6. 班级表、学生表、任课表中的年级和班级写法要一致（如都写 七年级、3班）；任课表中的工号要与教师表一致。",
        "7. 任课表是该校当前完整的任课名单：导入后会替换该校原有的任课记录，教师不再任教的班级将不能再查看。没有任课表时原有任课记录不变。",
        "8. 班主任：在任课表中为该班填一行，科目写“班主任”（比例留空）。班级类型（普通班 / 实验班 …）填在班级表；学生的曾用名填在学生表。",
        "9. 学生表的 学籍状态、状态日期、特殊群体 和教师表的 任教学科、专兼职、出生年份 都是选填列；旧模板没有这些列也能照常导入。特殊群体（残疾 / 留守 / 困境）是敏感信息，只有区、校管理员和班主任能看到。",
    ];
    let mut row = 2;
    for line in general {
        ws.write_string_with_format(row, 0, line, &wrap)?;
        row += 1;
    }
    for kind in SheetKind::ALL {
        row += 1;
        ws.write_string_with_format(row, 0, format!("【{}】", kind.label_zh()), &section)?;
        row += 1;
        for c in kind.columns().iter().filter(|c| c.in_template) {
            ws.write_string_with_format(row, 0, format!("{}：{}", c.header, c.note_zh), &wrap)?;
            row += 1;
        }
    }
    Ok(())
}

/// Columns Excel would turn into numbers or dates if typed into a General cell.
fn is_text(field: Field) -> bool {
    matches!(
        field,
        Field::SchoolCode
            | Field::StudentNo
            | Field::IdCardNo
            | Field::BirthDate
            | Field::StatusDate
            | Field::StaffNo
            | Field::ClassName
    )
}

fn width(field: Field) -> f64 {
    match field {
        Field::IdCardNo | Field::StudentNo => 22.0,
        Field::SchoolName | Field::SchoolGroup => 28.0,
        Field::SchoolCode | Field::BirthDate | Field::Stage | Field::StaffNo => 14.0,
        _ => 10.0,
    }
}

/// Drop-down lists for the closed vocabularies.
fn validation(c: &Column) -> Result<Option<DataValidation>, IngestError> {
    let (items, strict): (Vec<&str>, bool) = match c.field {
        Field::Sex => (vec![Sex::Male.label_zh(), Sex::Female.label_zh()], true),
        Field::Stage => (Stage::ALL.iter().map(|s| s.label_zh()).collect(), true),
        Field::Location => (
            vec![Location::Urban.label_zh(), Location::Rural.label_zh()],
            true,
        ),
        Field::ClassType => (ClassType::ALL.iter().map(|t| t.label_zh()).collect(), true),
        Field::StudentStatus => (
            StudentStatus::ALL.iter().map(|t| t.label_zh()).collect(),
            true,
        ),
        Field::Employment => (
            vec![
                Employment::FullTime.label_zh(),
                Employment::PartTime.label_zh(),
            ],
            true,
        ),
        // Numbers 1–12 and 初一… are accepted too, so a value not in the list only warns.
        Field::Grade => (
            (1..=12)
                .map(|n| Grade::new(n).expect("1–12 are grades").label_zh())
                .collect(),
            false,
        ),
        _ => return Ok(None),
    };
    let mut dv = DataValidation::new()
        .allow_list_strings(&items)?
        .set_error_title(format!("{}填写有误", c.header))?
        .set_error_message(format!("请从下拉列表中选择：{}", items.join(" / ")))?;
    if !strict {
        dv = dv
            .set_error_style(DataValidationErrorStyle::Warning)
            .set_error_message("请从下拉列表中选择，或填写 1–12 的数字")?;
    }
    Ok(Some(dv))
}
