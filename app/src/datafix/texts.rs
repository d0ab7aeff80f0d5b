//! Words of data-fix scripts and their review.

use super::ScriptStatus;

pub struct DataFixTexts {
    pub scripts: &'static str,
    pub none_yet: &'static str,
    pub new_script: &'static str,
    pub system: &'static str,
    pub script: &'static str,
    pub rollback: &'static str,
    pub note: &'static str,
    pub submit: &'static str,
    pub cancel: &'static str,
    pub never_executed: &'static str,
    pub mark_executed: &'static str,
    pub execution_note: &'static str,
    pub reviews_title: &'static str,
    pub reviews_hint: &'static str,
    pub nothing_pending: &'static str,
    pub decided: &'static str,
    pub comment: &'static str,
    pub approve: &'static str,
    pub reject: &'static str,
    /// Author, time.
    pub by: &'static str,
    pub reviewed_by: &'static str,
    pub executed_by: &'static str,
    /// Pending, approved, rejected, executed.
    pub statuses: [&'static str; 4],
}

impl DataFixTexts {
    pub fn status(&self, status: ScriptStatus) -> &'static str {
        self.statuses[status as usize]
    }
}

crate::area_texts!(DataFixTexts, datafix);

static ZH: DataFixTexts = DataFixTexts {
    scripts: "数据修复脚本",
    none_yet: "还没有脚本。",
    new_script: "提交脚本",
    system: "目标系统",
    script: "修复脚本（SQL）",
    rollback: "回滚脚本（SQL）",
    note: "说明",
    submit: "提交审核",
    cancel: "取消",
    never_executed: "本系统只记录，不执行任何脚本。",
    mark_executed: "记录运维已执行",
    execution_note: "执行情况（可选）",
    reviews_title: "脚本审核",
    reviews_hint: "审核通过后由运维在目标系统执行；本系统只记录审核与执行情况。",
    nothing_pending: "没有待审核的脚本。",
    decided: "最近的审核",
    comment: "审核意见（驳回时必填）",
    approve: "通过",
    reject: "驳回",
    by: "{} 提交于 {}",
    reviewed_by: "审核人：{}",
    executed_by: "执行记录人：{}",
    statuses: ["待审核", "已通过", "已驳回", "已执行"],
};

static EN: DataFixTexts = DataFixTexts {
    scripts: "Data-fix scripts",
    none_yet: "No scripts yet.",
    new_script: "Submit a script",
    system: "Target system",
    script: "Fix script (SQL)",
    rollback: "Rollback script (SQL)",
    note: "Note",
    submit: "Submit for review",
    cancel: "Cancel",
    never_executed: "This application records scripts; it never runs them.",
    mark_executed: "Record that operations ran it",
    execution_note: "How it went (optional)",
    reviews_title: "Script reviews",
    reviews_hint: "Operations runs approved scripts on the target system; this application records reviews and runs.",
    nothing_pending: "No script waits for review.",
    decided: "Latest decisions",
    comment: "Comment (required to reject)",
    approve: "Approve",
    reject: "Reject",
    by: "{}, {}",
    reviewed_by: "Reviewed by {}",
    executed_by: "Run recorded by {}",
    statuses: ["Pending review", "Approved", "Rejected", "Executed"],
};
