//! Words of the knowledge base's console pages in both languages.

use crate::i18n::Locale;

use super::super::ArticleState;

pub struct KbTexts {
    pub title: &'static str,
    pub hint: &'static str,
    pub new_article: &'static str,
    pub all: &'static str,
    pub states: [&'static str; 4],
    pub col_title: &'static str,
    pub col_system: &'static str,
    pub col_state: &'static str,
    pub col_editor: &'static str,
    pub col_updated: &'static str,
    pub none_yet: &'static str,
    pub back: &'static str,
    pub field_title: &'static str,
    pub field_slug: &'static str,
    pub slug_hint: &'static str,
    pub field_system: &'static str,
    pub field_module: &'static str,
    pub no_module: &'static str,
    pub choose: &'static str,
    pub field_tags: &'static str,
    pub tags_hint: &'static str,
    pub field_body: &'static str,
    pub preview: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
    pub submit: &'static str,
    pub publish: &'static str,
    pub send_back: &'static str,
    pub archive: &'static str,
    pub own_article: &'static str,
    pub not_now: &'static str,
    pub live: &'static str,
    pub not_live: &'static str,
    pub view_live: &'static str,
    pub written_by: &'static str,
    pub reviewed: &'static str,
    pub versions: &'static str,
    pub version_line: &'static str,
    pub compare: &'static str,
    pub restore: &'static str,
    pub diff_title: &'static str,
    pub incidents: &'static str,
    pub field_names: &'static [(&'static str, &'static str)],
}

impl KbTexts {
    pub fn state(&self, state: ArticleState) -> &'static str {
        self.states[ArticleState::ALL
            .iter()
            .position(|s| *s == state)
            .unwrap_or(0)]
    }
}

pub static ZH: KbTexts = KbTexts {
    title: "知识库",
    hint: "撰写帮助中心文章；每篇文章需由作者以外的处理人或审核人发布。",
    new_article: "新建文章",
    all: "全部",
    states: ["草稿", "待审核", "已发布", "已下线"],
    col_title: "标题",
    col_system: "系统",
    col_state: "状态",
    col_editor: "最后编辑",
    col_updated: "更新时间",
    none_yet: "还没有文章",
    back: "返回知识库",
    field_title: "标题",
    field_slug: "链接名",
    slug_hint: "小写字母、数字和连字符，留空则自动生成",
    field_system: "系统",
    field_module: "模块",
    no_module: "不限模块",
    choose: "请选择",
    field_tags: "标签",
    tags_hint: "用逗号分隔",
    field_body: "正文（Markdown）",
    preview: "预览",
    save: "保存草稿",
    saved: "已保存",
    submit: "提交审核",
    publish: "发布",
    send_back: "退回修改",
    archive: "下线",
    own_article: "不能发布自己编写的内容，请由其他处理人或审核人发布",
    not_now: "文章当前为“{}”，不能进行此操作",
    live: "线上版本：v{}",
    not_live: "尚未发布",
    view_live: "查看线上页面",
    written_by: "最后编辑：{}",
    reviewed: "最近审核：{}（{}）",
    versions: "历史版本",
    version_line: "v{} · {} · 作者 {} · 发布 {}",
    compare: "与上一版对比",
    restore: "恢复为草稿",
    diff_title: "v{} → v{} 的变更",
    incidents: "关联事件",
    field_names: &[
        ("kb_title", "标题"),
        ("kb_slug", "链接名"),
        ("kb_system", "系统"),
        ("kb_module", "模块"),
        ("kb_tags", "标签"),
        ("kb_body", "正文"),
    ],
};

pub static EN: KbTexts = KbTexts {
    title: "Knowledge base",
    hint: "Write help center articles; each is published by a handler or reviewer other than its writer.",
    new_article: "New article",
    all: "All",
    states: ["Draft", "In review", "Published", "Archived"],
    col_title: "Title",
    col_system: "System",
    col_state: "State",
    col_editor: "Last edited by",
    col_updated: "Updated",
    none_yet: "No articles yet",
    back: "Back to the knowledge base",
    field_title: "Title",
    field_slug: "Link name",
    slug_hint: "Lower-case letters, digits and hyphens; left empty, one is made",
    field_system: "System",
    field_module: "Module",
    no_module: "Any module",
    choose: "Choose",
    field_tags: "Tags",
    tags_hint: "Separated by commas",
    field_body: "Body (Markdown)",
    preview: "Preview",
    save: "Save draft",
    saved: "Saved",
    submit: "Submit for review",
    publish: "Publish",
    send_back: "Send back",
    archive: "Archive",
    own_article: "You cannot publish what you wrote; another handler or a reviewer publishes it",
    not_now: "The article is “{}”; this cannot be done now",
    live: "Live version: v{}",
    not_live: "Not published yet",
    view_live: "Open the live page",
    written_by: "Last edited by {}",
    reviewed: "Last reviewed {} ({})",
    versions: "Versions",
    version_line: "v{} · {} · by {} · published by {}",
    compare: "Compare with the previous",
    restore: "Restore as draft",
    diff_title: "Changes from v{} to v{}",
    incidents: "Linked incidents",
    field_names: &[
        ("kb_title", "Title"),
        ("kb_slug", "Link name"),
        ("kb_system", "System"),
        ("kb_module", "Module"),
        ("kb_tags", "Tags"),
        ("kb_body", "Body"),
    ],
};

crate::area_texts!(KbTexts, kb);

/// Knowledge base field names for error sentences (see [`crate::i18n::FieldNames`]).
pub fn field_name(locale: Locale, field: &str) -> Option<&'static str> {
    of(locale)
        .field_names
        .iter()
        .find(|(key, _)| *key == field)
        .map(|(_, name)| *name)
}
