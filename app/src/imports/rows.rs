//! From a sheet's row to a recorded incident: which column feeds which field (guessed from the
//! headers, then as the handler maps it), and the row's cells read the way people write them
//! in ITSM exports (system and module by name or code, times with slashes or seconds).

use chrono::{DateTime, NaiveDateTime, Utc};

use super::{Mapping, Target, MAX_AGE_DAYS};
use crate::checks::within;
use crate::error::Problem;
use crate::incidents::{
    Category, Channel, DocType, FieldError, NewReport, RecordedIncident, MAX_MESSAGE,
};
use crate::reference::System;

/// Header words that name each target, most specific first; compared without case, spaces
/// or underscores.
const HEADER_WORDS: [(Target, &[&str]); 15] = [
    (Target::IdDocType, &["证件类型", "documenttype", "idtype"]),
    (
        Target::IdNumber,
        &[
            "证件号码",
            "证件号",
            "身份证号码",
            "身份证号",
            "身份证",
            "idnumber",
            "documentnumber",
        ],
    ),
    (
        Target::FundAccount,
        &["资金账号", "资金帐号", "fundaccount"],
    ),
    (
        Target::CustomerMobile,
        &["客户手机", "手机号码", "手机号", "手机", "mobile"],
    ),
    (
        Target::CustomerName,
        &["客户姓名", "客户名称", "姓名", "customername", "customer"],
    ),
    (
        Target::ExternalRef,
        &[
            "来源单号",
            "工单号",
            "工单编号",
            "单号",
            "编号",
            "ticket",
            "reference",
            "ref",
        ],
    ),
    // Before the time it was received, whose English words ("time") it contains.
    (
        Target::ResolvedAt,
        &[
            "解决时间",
            "完成时间",
            "关闭时间",
            "resolvedat",
            "resolvedtime",
            "closedat",
        ],
    ),
    (
        Target::ReceivedAt,
        &[
            "收到时间",
            "提交时间",
            "创建时间",
            "上报时间",
            "发生时间",
            "receivedat",
            "created",
            "time",
        ],
    ),
    (
        Target::Contact,
        &[
            "联系人",
            "提出人",
            "发起人",
            "报告人",
            "contact",
            "requester",
            "raisedby",
        ],
    ),
    (Target::Module, &["模块", "功能模块", "module"]),
    (Target::System, &["系统", "所属系统", "业务系统", "system"]),
    (
        Target::Title,
        &["标题", "主题", "摘要", "title", "subject", "summary"],
    ),
    (
        Target::Description,
        &[
            "问题描述",
            "详细描述",
            "描述",
            "内容",
            "description",
            "details",
            "content",
        ],
    ),
    (
        Target::Solution,
        &[
            "解决方案",
            "处理结果",
            "解决办法",
            "处理方案",
            "solution",
            "resolution",
        ],
    ),
    // Not a bare "分类", which a subcategory's header ("子分类") contains.
    (
        Target::Category,
        &[
            "事件分类",
            "问题分类",
            "事件类别",
            "问题类别",
            "事件类型",
            "问题类型",
            "category",
        ],
    ),
];

fn plain(header: &str) -> String {
    header
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// A first mapping from the header row: headers that are a target's word take it, then
/// headers that contain one; each header and each target used once.
pub fn guess(headers: &[String]) -> Mapping {
    let headers: Vec<String> = headers.iter().map(|h| plain(h)).collect();
    let mut mapping = Mapping::default();
    let mut taken = vec![false; headers.len()];
    for exact in [true, false] {
        for (target, words) in HEADER_WORDS {
            if mapping.column(target).is_some() {
                continue;
            }
            let found = headers.iter().enumerate().position(|(i, header)| {
                !taken[i]
                    && !header.is_empty()
                    && words.iter().any(|word| match exact {
                        true => header == word,
                        false => header.contains(word),
                    })
            });
            if let Some(column) = found {
                taken[column] = true;
                mapping.set(target, Some(column as u32));
            }
        }
    }
    mapping
}

/// A row read for recording: what the console's record form would hold, and what the source
/// says of its classification and its resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub incident: RecordedIncident,
    pub category: Option<Category>,
    pub resolved: Option<Resolution>,
}

/// When the source resolved a record, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    pub at: DateTime<Utc>,
    pub solution: String,
}

/// The row read for recording, or its first problem.
pub fn incident(
    channel: Channel,
    mapping: &Mapping,
    cells: &[String],
    systems: &[System],
    now: DateTime<Utc>,
) -> Result<Imported, FieldError> {
    let cell = |target: Target| -> &str {
        mapping
            .column(target)
            .and_then(|column| cells.get(column as usize))
            .map_or("", String::as_str)
    };
    let refuse = |target: Target, problem: Problem| FieldError {
        field: target.field(),
        problem,
    };
    if cell(Target::ExternalRef).is_empty() {
        return Err(refuse(Target::ExternalRef, Problem::Required));
    }
    let id_doc_type = match cell(Target::IdDocType) {
        "" => DocType::IdCard,
        text => doc_type(text).ok_or(refuse(Target::IdDocType, Problem::UnknownChoice))?,
    };
    let (system, module) = system_and_module(systems, cell(Target::System), cell(Target::Module))
        .map_err(|target| refuse(target, Problem::UnknownChoice))?;
    let received = cell(Target::ReceivedAt);
    let incident = RecordedIncident {
        channel: Some(channel),
        received_at: received_time(received).map_or(received.to_owned(), |at| {
            at.format("%Y-%m-%dT%H:%M").to_string()
        }),
        external_ref: cell(Target::ExternalRef).to_owned(),
        contact: cell(Target::Contact).to_owned(),
        report: NewReport {
            customer_name: cell(Target::CustomerName).to_owned(),
            id_doc_type,
            id_number: cell(Target::IdNumber).to_owned(),
            fund_account: cell(Target::FundAccount).to_owned(),
            customer_mobile: cell(Target::CustomerMobile).to_owned(),
            system,
            module,
            title: cell(Target::Title).to_owned(),
            description: cell(Target::Description).to_owned(),
        },
    }
    .normalized();
    if let Some(problem) = incident
        .problems_within(now, MAX_AGE_DAYS)
        .into_iter()
        .next()
    {
        return Err(problem);
    }
    let category = match cell(Target::Category) {
        "" => None,
        text => Some(category(text).ok_or(refuse(Target::Category, Problem::UnknownChoice))?),
    };
    let received = incident
        .received()
        .ok_or(refuse(Target::ReceivedAt, Problem::Format))?;
    let resolved = resolution(
        cell(Target::ResolvedAt),
        cell(Target::Solution),
        received,
        now,
    )
    .map_err(|(target, problem)| refuse(target, problem))?;
    Ok(Imported {
        incident,
        category,
        resolved,
    })
}

/// The source's resolution: a time between the record's arrival and now, with its solution;
/// a solution without a time would be lost, so it is refused too.
fn resolution(
    at: &str,
    solution: &str,
    received: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Option<Resolution>, (Target, Problem)> {
    let solution = solution.trim();
    if at.is_empty() {
        return match solution.is_empty() {
            true => Ok(None),
            false => Err((Target::ResolvedAt, Problem::Required)),
        };
    }
    let at = received_time(at)
        .and_then(|local| local.and_local_timezone(crate::time::shanghai()).single())
        .map(|local| local.with_timezone(&Utc))
        .ok_or((Target::ResolvedAt, Problem::Format))?;
    if at < received {
        return Err((Target::ResolvedAt, Problem::NotAfterStart));
    }
    if at > now {
        return Err((Target::ResolvedAt, Problem::InFuture));
    }
    if solution.is_empty() {
        return Err((Target::Solution, Problem::Required));
    }
    within(solution, MAX_MESSAGE).map_err(|problem| (Target::Solution, problem))?;
    Ok(Some(Resolution {
        at,
        solution: solution.to_owned(),
    }))
}

/// A category by code or by the words handlers and exports use for it.
fn category(text: &str) -> Option<Category> {
    Category::parse(&plain(text)).or(match plain(text).as_str() {
        "数据类" | "数据" | "数据问题" => Some(Category::Data),
        "程序类" | "程序" | "程序问题" | "系统问题" => Some(Category::Program),
        "咨询类" | "咨询" | "业务咨询" => Some(Category::Consultation),
        _ => None,
    })
}

/// A time as exports write it, read as Shanghai time.
fn received_time(text: &str) -> Option<NaiveDateTime> {
    const FORMATS: [&str; 7] = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y年%m月%d日 %H:%M",
    ];
    FORMATS
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
}

fn doc_type(text: &str) -> Option<DocType> {
    DocType::parse(text).or(match plain(text).as_str() {
        "身份证" | "居民身份证" | "idcard" => Some(DocType::IdCard),
        "护照" | "passport" => Some(DocType::Passport),
        "港澳通行证" | "港澳居民来往内地通行证" => Some(DocType::HkMacauPermit),
        "台湾通行证" | "台胞证" | "台湾居民来往大陆通行证" => {
            Some(DocType::TaiwanPermit)
        }
        _ => None,
    })
}

/// Codes of the system and module named by code or by name in either language; the target
/// whose text names none. An empty system is left for the form's own check.
fn system_and_module(
    systems: &[System],
    system: &str,
    module: &str,
) -> Result<(String, String), Target> {
    if system.is_empty() {
        return Ok((String::new(), String::new()));
    }
    let names = |named: &crate::reference::Named, text: &str| {
        named.code.eq_ignore_ascii_case(text) || named.name_zh == text || named.name_en == text
    };
    let found = systems
        .iter()
        .find(|s| names(&s.system, system))
        .ok_or(Target::System)?;
    let module = match module {
        "" => String::new(),
        text => found
            .modules
            .iter()
            .find(|m| names(m, text))
            .ok_or(Target::Module)?
            .code
            .clone(),
    };
    Ok((found.system.code.clone(), module))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::Named;

    fn named(code: &str, zh: &str) -> Named {
        Named {
            code: code.into(),
            name_zh: zh.into(),
            name_en: code.to_uppercase(),
        }
    }

    fn systems() -> Vec<System> {
        vec![System {
            system: named("custody", "三方存管"),
            modules: vec![named("binding", "银行绑定")],
        }]
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-01T02:00:00Z")
            .map(|at| at.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn headers(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn headers_of_an_itsm_export_are_mapped_and_each_used_once() {
        let mapping = guess(&headers(&[
            "工单号",
            "创建时间",
            "提出人",
            "客户姓名",
            "证件号码",
            "客户手机",
            "所属系统",
            "功能模块",
            "标题",
            "问题描述",
            "解决时间",
        ]));
        let column = |target| mapping.column(target);
        assert_eq!(column(Target::ExternalRef), Some(0));
        assert_eq!(column(Target::ReceivedAt), Some(1));
        assert_eq!(column(Target::Contact), Some(2));
        assert_eq!(column(Target::CustomerName), Some(3));
        assert_eq!(column(Target::IdNumber), Some(4));
        assert_eq!(column(Target::CustomerMobile), Some(5));
        assert_eq!(column(Target::System), Some(6));
        assert_eq!(column(Target::Module), Some(7));
        assert_eq!(column(Target::Title), Some(8));
        assert_eq!(column(Target::Description), Some(9));
        assert_eq!(column(Target::ResolvedAt), Some(10));
        assert_eq!(column(Target::IdDocType), None);
        assert_eq!(column(Target::FundAccount), None);
        assert_eq!(column(Target::Category), None);
        assert_eq!(mapping.problem(11), None);
        // A subcategory's header is no category's.
        let sub = guess(&headers(&["子分类", "事件分类", "处理结果"]));
        assert_eq!(sub.column(Target::Category), Some(1));
        assert_eq!(sub.column(Target::Solution), Some(2));
        // English headers too; a header that names nothing is left alone.
        let english = guess(&headers(&[
            "Ticket",
            "Created",
            "Customer Name",
            "ID Number",
            "System",
            "Subject",
            "Details",
            "Owner",
        ]));
        assert_eq!(english.column(Target::ExternalRef), Some(0));
        assert_eq!(english.column(Target::Description), Some(6));
        assert_eq!(english.problem(8), None);
        assert_eq!(
            guess(&headers(&["标题"])).problem(1),
            Some((Target::ExternalRef, Problem::Required))
        );
    }

    fn row(cells: &[&str]) -> Result<Imported, FieldError> {
        let mapping = guess(&headers(&[
            "工单号",
            "创建时间",
            "客户姓名",
            "证件类型",
            "证件号码",
            "系统",
            "模块",
            "标题",
            "描述",
            "事件分类",
            "解决时间",
            "解决方案",
        ]));
        incident(Channel::Itsm, &mapping, &headers(cells), &systems(), now())
    }

    #[test]
    fn a_row_reads_names_slashes_and_seconds() {
        let read = row(&[
            "INC-7",
            "2026/11/23 9:05:30",
            "张三",
            "身份证",
            "11010519491231002X",
            "三方存管",
            "银行绑定",
            "转账失败",
            "银证转账提示异常",
            "",
            "",
            "",
        ])
        .expect("a good row");
        assert_eq!((read.category, read.resolved.clone()), (None, None));
        let read = read.incident;
        assert_eq!(read.received_at, "2026-11-23T09:05");
        assert_eq!(read.report.system, "custody");
        assert_eq!(read.report.module, "binding");
        assert_eq!(read.report.id_doc_type, DocType::IdCard);
        assert_eq!(read.external_ref, "INC-7");
    }

    #[test]
    fn a_bad_row_names_its_first_problem() {
        let problem = |cells: &[&str]| row(cells).err().map(|e| (e.field, e.problem));
        let good = [
            "INC-7",
            "2026-11-23 09:05",
            "张三",
            "",
            "11010519491231002X",
            "custody",
            "",
            "转账失败",
            "银证转账提示异常",
            "",
            "",
            "",
        ];
        let with = |at: usize, text: &'static str| {
            let mut cells = good;
            cells[at] = text;
            problem(&cells)
        };
        assert_eq!(problem(&good), None);
        assert_eq!(with(0, ""), Some(("external_ref", Problem::Required)));
        assert_eq!(with(1, "上周一"), Some(("received_at", Problem::Format)));
        assert_eq!(
            with(1, "2025-10-01 09:00"),
            Some(("received_at", Problem::TooOld { max_days: 366 }))
        );
        assert_eq!(
            with(3, "军官证"),
            Some(("id_doc_type", Problem::UnknownChoice))
        );
        assert_eq!(
            with(4, "110105194912310021"),
            Some(("id_number", Problem::IdCardChecksum))
        );
        assert_eq!(
            with(5, "核心系统"),
            Some(("system", Problem::UnknownChoice))
        );
        assert_eq!(with(6, "开户"), Some(("module", Problem::UnknownChoice)));
        assert_eq!(with(8, ""), Some(("description", Problem::Required)));
        assert_eq!(
            with(9, "投诉类"),
            Some(("category", Problem::UnknownChoice))
        );
        assert_eq!(
            with(10, "2026-11-23 09:00"),
            Some(("resolved_at", Problem::NotAfterStart))
        );
        assert_eq!(
            with(10, "2026-12-24 09:00"),
            Some(("resolved_at", Problem::InFuture))
        );
        assert_eq!(with(10, "周二"), Some(("resolved_at", Problem::Format)));
        assert_eq!(
            with(10, "2026/11/24 10:00"),
            Some(("solution", Problem::Required)),
            "a resolution needs its solution"
        );
        assert_eq!(
            with(11, "已告知客户"),
            Some(("resolved_at", Problem::Required)),
            "a solution without its time is not dropped silently"
        );
    }

    #[test]
    fn a_resolved_record_keeps_its_category_time_and_solution() {
        let read = row(&[
            "INC-8",
            "2026-11-23 09:05",
            "张三",
            "",
            "11010519491231002X",
            "custody",
            "",
            "转账限额",
            "客户询问单日转账限额",
            "咨询类",
            "2026年11月23日 10:35",
            "已告知客户限额规则",
        ])
        .expect("a resolved row");
        assert_eq!(read.category, Some(Category::Consultation));
        let resolved = read.resolved.expect("resolved");
        assert_eq!(resolved.at.to_rfc3339(), "2026-11-23T02:35:00+00:00");
        assert_eq!(resolved.solution, "已告知客户限额规则");
    }
}
