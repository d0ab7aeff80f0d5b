//! Words of canned replies.

pub struct CannedTexts {
    pub title: &'static str,
    pub hint: &'static str,
    pub none_yet: &'static str,
    pub new_reply: &'static str,
    pub reply_title: &'static str,
    pub reply_body: &'static str,
    pub save: &'static str,
    pub edit: &'static str,
    pub retire: &'static str,
    pub cancel: &'static str,
    pub insert: &'static str,
    pub updated_by: &'static str,
    pub history_added: &'static str,
    pub history_changed: &'static str,
    pub history_retired: &'static str,
}

crate::area_texts!(CannedTexts, canned);

static ZH: CannedTexts = CannedTexts {
    title: "快捷回复",
    hint: "写好常用的回复，处理事件时一键插入。停用的回复不会删除。",
    none_yet: "还没有快捷回复。",
    new_reply: "新建快捷回复",
    reply_title: "名称",
    reply_body: "回复内容",
    save: "保存",
    edit: "编辑",
    retire: "停用",
    cancel: "取消",
    insert: "插入快捷回复…",
    updated_by: "最后修改：{}",
    history_added: "新建“{}”",
    history_changed: "修改“{}”",
    history_retired: "停用“{}”",
};

static EN: CannedTexts = CannedTexts {
    title: "Canned replies",
    hint: "Write frequent answers once and insert them into a reply. Retired replies are kept.",
    none_yet: "No canned replies yet.",
    new_reply: "New canned reply",
    reply_title: "Name",
    reply_body: "Reply text",
    save: "Save",
    edit: "Edit",
    retire: "Retire",
    cancel: "Cancel",
    insert: "Insert a canned reply…",
    updated_by: "Last changed by {}",
    history_added: "Added “{}”",
    history_changed: "Changed “{}”",
    history_retired: "Retired “{}”",
};
