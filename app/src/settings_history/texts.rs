//! Words of the settings history.

pub struct HistoryTexts {
    pub title: &'static str,
    pub none_yet: &'static str,
    pub when: &'static str,
    pub who: &'static str,
    pub what: &'static str,
    pub unknown_user: &'static str,
}

crate::area_texts!(HistoryTexts, history);

static ZH: HistoryTexts = HistoryTexts {
    title: "修改记录",
    none_yet: "还没有修改记录。",
    when: "时间",
    who: "修改人",
    what: "内容",
    unknown_user: "系统",
};

static EN: HistoryTexts = HistoryTexts {
    title: "Change history",
    none_yet: "No changes recorded yet.",
    when: "When",
    who: "By",
    what: "What",
    unknown_user: "System",
};
