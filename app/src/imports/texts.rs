//! Words of the import page.

use crate::i18n::Locale;

pub struct ImportTexts {
    pub link: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    pub file_hint: &'static str,
    pub check: &'static str,
    pub checking: &'static str,
    pub mapping_title: &'static str,
    pub mapping_hint: &'static str,
    pub column: &'static str,
    pub not_imported: &'static str,
    pub required: &'static str,
    pub counts: &'static str,
    pub imported_counts: &'static str,
    pub import: &'static str,
    pub importing: &'static str,
    pub nothing_to_import: &'static str,
    pub line: &'static str,
    pub outcome: &'static str,
    pub ready: &'static str,
    pub imported: &'static str,
    pub existing: &'static str,
    pub quiet_note: &'static str,
    pub field_names: &'static [(&'static str, &'static str)],
}

pub static ZH: ImportTexts = ImportTexts {
    link: "导入 ITSM / 微信群记录",
    title: "导入其他渠道的记录",
    intro: "把 ITSM 工单或微信群记录的导出文件（CSV 或 XLSX）导入为事件。先预览：每一行会变成什么、哪一行有什么问题都会列出；确认后再导入。同一渠道中来源单号已记录过的行不会重复导入。有解决时间的行以已解决导入（需有解决方案），不进入待处理队列。",
    file_hint: "CSV（UTF-8 或 GBK）或 XLSX 的第一个工作表；第一行是表头，最多 {} 行、{} MB。",
    check: "预览",
    checking: "正在检查…",
    mapping_title: "列的对应",
    mapping_hint: "按表头猜出了每个字段来自哪一列，可逐项修改；修改后会重新预览。",
    column: "来自列",
    not_imported: "（不导入）",
    required: "必填",
    counts: "可导入 {} 行 · 已存在 {} 行 · 有问题 {} 行",
    imported_counts: "已导入 {} 行 · 已存在 {} 行 · 未导入（有问题）{} 行",
    import: "导入 {} 行",
    importing: "正在导入…",
    nothing_to_import: "没有可以导入的行。",
    line: "行",
    outcome: "结果",
    ready: "可导入",
    imported: "已导入为",
    existing: "已记录为",
    quiet_note: "导入的记录不会逐条推送企业微信通知。",
    field_names: &[
        ("file", "文件"),
        ("mapping", "列的对应"),
        ("resolved_at", "解决时间"),
    ],
};

pub static EN: ImportTexts = ImportTexts {
    link: "Import ITSM / WeChat records",
    title: "Import records of other channels",
    intro: "Bring an export of ITSM tickets or WeChat-group records (CSV or XLSX) in as incidents. The preview lists what each row would become and what is wrong with any row; nothing is recorded until you import. A row whose source reference is already recorded in the channel is not recorded again. A row with a resolution time comes in resolved at that time (it needs its solution) and stays out of the open queue.",
    file_hint: "CSV (UTF-8 or GBK) or the first sheet of an XLSX workbook; the first row holds the headers; at most {} rows and {} MB.",
    check: "Preview",
    checking: "Checking…",
    mapping_title: "Columns",
    mapping_hint: "Each field's column was guessed from the headers; change any of them and the preview is made again.",
    column: "From column",
    not_imported: "(not imported)",
    required: "required",
    counts: "{} ready · {} already recorded · {} with problems",
    imported_counts: "{} imported · {} already recorded · {} not imported (problems)",
    import: "Import {} rows",
    importing: "Importing…",
    nothing_to_import: "No row can be imported.",
    line: "Line",
    outcome: "Result",
    ready: "Ready",
    imported: "Imported as",
    existing: "Recorded as",
    quiet_note: "Imported records send no WeCom message each.",
    field_names: &[
        ("file", "File"),
        ("mapping", "Columns"),
        ("resolved_at", "Resolved at"),
    ],
};

crate::area_texts!(ImportTexts, imports);

/// Field names for error sentences: the import's own, then the console's.
pub fn field_name(locale: Locale, field: &str) -> Option<&'static str> {
    crate::i18n::name_in(of(locale).field_names, field)
        .or_else(|| crate::console::texts::field_name(locale, field))
}
