//! Whole-file failures. Messages are Chinese because they are shown to the uploader verbatim;
//! each one says what went wrong and what to do about it.
use thiserror::Error;

/// Why a file could not be read at all. Problems with single rows or cells are
/// [`RowError`](wuyu_domain::RowError)s instead, so the rest of the file is still checked.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum IngestError {
    #[error("文件是空的，请选择填好数据的文件后重新上传")]
    EmptyFile,

    #[error("无法识别文件“{file_name}”的格式：请上传 Excel 工作簿（.xlsx）或 CSV 文件（.csv）")]
    UnknownFormat { file_name: String },

    #[error(
        "不支持旧版 Excel 97-2003 文件（.xls）：请在 Excel 中“另存为 → Excel 工作簿（.xlsx）”后重新上传"
    )]
    LegacyXls,

    #[error(
        "无法读取 Excel 文件：{detail}。请确认文件没有损坏、没有设置打开密码，并用 Excel 另存为 .xlsx 后重新上传"
    )]
    Xlsx { detail: String },

    #[error(
        "文件第 {line} 行含有无法识别的字节：既不是 UTF-8 编码也不是 GB18030（GBK）编码。请用 Excel 打开后“另存为 → CSV UTF-8（逗号分隔）”再上传"
    )]
    Undecodable { line: usize },

    #[error(
        "文件按 {encoding} 编码读取，但第 {line} 行含有无效的字节，文件可能已损坏。请重新导出或另存为 CSV UTF-8 后上传"
    )]
    Malformed { encoding: &'static str, line: usize },

    #[error("CSV 文件第 {line} 行无法解析：{detail}")]
    Csv { line: u64, detail: String },

    #[error("文件过大（超过 4 GB），请按学校或年级拆分后分别上传")]
    TooLarge,

    #[error(
        "文件中没有可识别的名册：{found}。请使用导入模板，或把工作表命名为 学校 / 班级 / 学生 / 教师 / 任课 之一，并在第一行写列名（例如学生表需要 学校代码、年级、班级、学籍号、姓名、性别、出生日期）"
    )]
    NoRosterSheet { found: String },

    #[error(
        "文件中没有可识别的心理筛查答题表：需要“学籍号”（student_no）列和 phq9_1…phq9_9、gad7_1…gad7_7 或 asq_1…asq_5 中的答题列。文件中的表：{found}"
    )]
    NoPsychSheet { found: String },

    #[error(
        "文件中没有可识别的表：需要列 {need}。请使用导入模板（wuyu template archive-records / archive-art）。文件中的表：{found}"
    )]
    NoArchiveSheet { need: String, found: String },

    #[error("考试“{exam}”没有科目“{subject}”（本次考试的科目：{subjects}）")]
    UnknownExamSubject {
        exam: String,
        subject: String,
        subjects: String,
    },

    #[error(
        "没有找到双向细目表：小题分导入需要每道题的分值（满分）和知识点。请在“{file_name}”中加一张名为“双向细目表”的工作表（列：题号、分值、知识点），或另外提供细目表文件（CSV 或 XLSX，列相同）"
    )]
    NoBlueprint { file_name: String },

    #[error(
        "Excel 文件解压后超过 {limit_mb} MB，超出上传限制（文件可能含有大量空白格式或已损坏）。请删除多余的工作表和空白行列，或按学校、年级拆分后分别上传"
    )]
    Unpacked { limit_mb: u64 },

    #[error(
        "{place} 的内容有 {chars} 个字符，超过单元格上限 {limit}（Excel 一个单元格最多 32767 个字符），文件可能已损坏或不是数据表。开头为：“{start}…”"
    )]
    CellTooLong {
        /// `单元格 B3`, with the sheet's name for XLSX.
        place: String,
        chars: usize,
        limit: usize,
        /// The first 50 characters.
        start: String,
    },

    #[error(
        "CSV 文件第 {line} 行超过 {limit_kb} KB，不像是一行数据（文件可能已损坏，或换行符丢失）。请用 Excel 打开检查后另存为 CSV 再上传"
    )]
    LineTooLong { line: u64, limit_kb: usize },

    #[error(
        "{sheet}读出的内容超过 {limit_mb} MB（可能有大量重复的长文本或极宽的空白区域），超出读取上限。请删除多余的行列，或按学校、年级拆分后分别上传"
    )]
    SheetTooLarge { sheet: String, limit_mb: usize },

    #[error("{sheet}有超过 {limit} 行数据，超出读取上限。请按学校或年级拆分后分别上传")]
    TooManyRows { sheet: String, limit: usize },

    #[error("生成导入模板失败：{0}")]
    Template(String),
}

impl From<rust_xlsxwriter::XlsxError> for IngestError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        IngestError::Template(e.to_string())
    }
}
