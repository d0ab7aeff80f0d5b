//! Writing messages into the outbox, in the transaction of the change that causes them. The
//! step service (`incidents::store::changes`) calls `after_step` and `after_message`; the SLA
//! watcher calls `sla_alerts`. Nothing here sends: the worker (`delivery`) does, after commit.

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

use super::{Audience, Kind};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::incidents::sealed::{keyring, Column};
use crate::incidents::{mask, DocType, Identity};
use crate::incidents::{IncidentId, Severity, Side, Step};

/// Wakes the workers of every replica when a transaction that wrote messages commits.
pub const DUE_CHANNEL: &str = "notifications_due";

/// What a message says, stored with it and rendered for WeCom when it is sent. Free text in
/// here has had the customer's identity taken out (`Scrubber`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    pub locale: Locale,
    /// The incidents concerned (a batch resolved names several).
    pub numbers: Vec<i64>,
    pub title: String,
    pub system: Option<String>,
    pub module: Option<String>,
    pub severity: Option<Severity>,
    /// The reporter of a new report, or who acted.
    pub person: Option<String>,
    /// A question, a reply, a solution or a review comment, never an internal note.
    pub text: Option<String>,
    pub script_id: Option<i64>,
    pub approved: Option<bool>,
    /// Milliseconds since the epoch of an SLA due time.
    pub due_at_ms: Option<i64>,
    /// The work mobile a robot message mentions.
    pub mention_mobile: Option<String>,
    /// The WeCom user id a personal application message goes to.
    pub touser: Option<String>,
    /// Where the link of the message leads (a path of this app).
    pub path: String,
}

/// Takes the customer's identity out of free text before it can leave in a message: the
/// incident's own name, document number, fund account and mobile become their masked form, and
/// any other long run of digits (an identifier typed into a reply) is hidden.
pub struct Scrubber {
    known: Vec<(String, String)>,
}

/// Runs of digits at least this long are taken for identifiers: ID and fund-account numbers
/// and mobiles are longer, incident numbers and amounts in messages shorter.
const IDENTIFIER_DIGITS: usize = 7;

impl Scrubber {
    pub fn new(
        name: &str,
        doc: Option<(DocType, String)>,
        fund_account: Option<String>,
        mobile: Option<String>,
    ) -> Self {
        let mut known = Vec::new();
        let mut add = |kind, value: &str| {
            let value = value.trim();
            if !value.is_empty() {
                known.push((value.to_owned(), mask(kind, value)));
            }
        };
        add(Identity::Name, name);
        if let Some((kind, number)) = &doc {
            add(Identity::Document(*kind), number);
            add(Identity::Document(*kind), &number.to_lowercase());
        }
        if let Some(value) = &fund_account {
            add(Identity::FundAccount, value);
        }
        if let Some(value) = &mobile {
            add(Identity::Mobile, value);
        }
        // Longest first, so a value inside another is not half-replaced.
        known.sort_by_key(|(value, _)| std::cmp::Reverse(value.len()));
        Self { known }
    }

    /// The scrubber of an incident's customer, from the stored (sealed) identity: ID number,
    /// fund account and mobile, in that order. An incident without a customer (monitoring
    /// raised it) scrubs only long runs of digits.
    pub fn of_sealed(
        name: Option<&str>,
        doc: Option<DocType>,
        key_id: Option<&str>,
        [id_number, fund_account, mobile]: [&Option<Vec<u8>>; 3],
    ) -> Result<Self, AppError> {
        let keys = keyring()?;
        let key_id = key_id.unwrap_or_default();
        let open = |column, sealed: &Option<Vec<u8>>| {
            keys.open_optional(column, key_id, sealed.as_deref())
        };
        Ok(Self::new(
            name.unwrap_or_default(),
            doc.zip(open(Column::IdNumber, id_number)?),
            open(Column::FundAccount, fund_account)?,
            open(Column::CustomerMobile, mobile)?,
        ))
    }

    pub fn scrub(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for (value, masked) in &self.known {
            text = text.replace(value.as_str(), masked);
        }
        hide_long_digit_runs(&text)
    }
}

fn hide_long_digit_runs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().filter(char::is_ascii_digit).count() >= IDENTIFIER_DIGITS {
            out.extend(std::iter::repeat_n('*', run.chars().count()));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        // An ID card's check character may be an X after the digits.
        let continues = c.is_ascii_digit() || (matches!(c, 'X' | 'x') && !run.is_empty());
        if continues {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// The incident as messages describe it, with the means to scrub text written on it.
struct Incident {
    id: IncidentId,
    number: i64,
    title: String,
    reporter_id: i64,
    reporter_name: String,
    assignee_id: Option<i64>,
    system_id: i16,
    system: [Option<String>; 2],
    module: [Option<String>; 2],
    severity: Option<Severity>,
    solution: Option<String>,
    scrubber: Scrubber,
}

impl Incident {
    async fn load(conn: &mut PgConnection, id: IncidentId) -> Result<Self, AppError> {
        let row = sqlx::query!(
            r#"SELECT i.number, i.title, i.reporter_id, r.display_name AS reporter_name,
                      i.assignee_id, i.system_id, s.name_zh AS "system_zh?",
                      s.name_en AS "system_en?", m.name_zh AS "module_zh?", m.name_en AS "module_en?",
                      i.severity AS "severity: Severity", i.solution, i.customer_name,
                      i.id_doc_type AS "id_doc_type: DocType", i.identity_key_id,
                      i.id_number_sealed, i.fund_account_sealed, i.customer_mobile_sealed
               FROM incidents i
               JOIN users r ON r.id = i.reporter_id
               LEFT JOIN systems s ON s.id = i.system_id
               LEFT JOIN system_modules m ON m.id = i.module_id
               WHERE i.id = $1"#,
            id.0
        )
        .fetch_one(conn)
        .await?;
        let scrubber = Scrubber::of_sealed(
            row.customer_name.as_deref(),
            row.id_doc_type,
            row.identity_key_id.as_deref(),
            [
                &row.id_number_sealed,
                &row.fund_account_sealed,
                &row.customer_mobile_sealed,
            ],
        )?;
        let title = scrubber.scrub(&row.title);
        Ok(Self {
            id,
            number: row.number,
            title,
            reporter_id: row.reporter_id,
            reporter_name: row.reporter_name,
            assignee_id: row.assignee_id,
            system_id: row.system_id,
            system: [row.system_zh, row.system_en],
            module: [row.module_zh, row.module_en],
            severity: row.severity,
            solution: row.solution,
            scrubber,
        })
    }

    /// The facts every message about this incident starts from.
    fn facts(&self, locale: Locale, path: String) -> Facts {
        let pick = |names: &[Option<String>; 2]| match locale {
            Locale::Zh => names[0].clone(),
            Locale::En => names[1].clone(),
        };
        Facts {
            locale,
            numbers: vec![self.number],
            title: self.title.clone(),
            system: pick(&self.system),
            module: pick(&self.module),
            severity: self.severity,
            path,
            ..Facts::default()
        }
    }

    fn console_path(&self) -> String {
        format!("/console/i/{}", self.number)
    }

    fn phone_path(&self) -> String {
        format!("/m/r/{}", self.number)
    }
}

/// What a step says beyond its kind: its note (and whether the reporter may read it) and its
/// machine-readable detail.
pub(crate) struct StepWords<'a> {
    pub note: Option<&'a str>,
    pub note_public: bool,
    pub detail: Option<&'a str>,
}

/// Messages a step causes. A note goes to a reporter only when it is written for them; a
/// review's comment goes to the script's author, who is in the team.
pub(crate) async fn after_step(
    conn: &mut PgConnection,
    incident_id: IncidentId,
    actor_id: i64,
    step: Step,
    words: StepWords<'_>,
) -> Result<(), AppError> {
    let StepWords {
        note,
        note_public,
        detail,
    } = words;
    let public_note = note.filter(|_| note_public);
    let kind = match step {
        Step::Reported => Kind::NewReport,
        Step::Waiting => Kind::HandlerAsked,
        Step::Resolved => Kind::Resolved,
        Step::ScriptSubmitted => Kind::ScriptPending,
        Step::ScriptApproved | Step::ScriptRejected => Kind::ScriptDecided,
        _ => return Ok(()),
    };
    if !enabled(conn, kind).await? {
        return Ok(());
    }
    let incident = Incident::load(conn, incident_id).await?;
    match kind {
        Kind::NewReport => {
            let mut facts = incident.facts(Locale::Zh, incident.console_path());
            facts.person = Some(incident.reporter_name.clone());
            to_group(conn, kind, &incident, Audience::Handlers, facts, None).await
        }
        Kind::HandlerAsked => {
            let text = public_note.map(|note| incident.scrubber.scrub(note));
            to_reporter(conn, kind, &incident, actor_id, text).await
        }
        Kind::Resolved => resolved(conn, &incident, actor_id).await,
        Kind::ScriptPending => {
            let mut facts = incident.facts(Locale::Zh, "/console/reviews".to_owned());
            facts.script_id = detail.and_then(|id| id.parse().ok());
            facts.person = Some(display_name(conn, actor_id).await?);
            to_group(conn, kind, &incident, Audience::Reviewers, facts, None).await
        }
        Kind::ScriptDecided => {
            let script_id: Option<i64> = detail.and_then(|id| id.parse().ok());
            let Some(script_id) = script_id else {
                return Ok(());
            };
            let author = sqlx::query_scalar!(
                "SELECT author_id FROM data_fix_scripts WHERE id = $1",
                script_id
            )
            .fetch_one(&mut *conn)
            .await?;
            let path = incident.console_path();
            let make = |locale| {
                let mut facts = incident.facts(locale, path.clone());
                facts.script_id = Some(script_id);
                facts.approved = Some(step == Step::ScriptApproved);
                facts.text = note.map(|note| incident.scrubber.scrub(note));
                facts
            };
            to_person(conn, kind, &incident, author, Audience::Handlers, make).await
        }
        _ => Ok(()),
    }
}

/// A thread message: a handler's public reply goes to the reporter; a reporter's answer to an
/// incident that waited for them goes to its handler.
pub(crate) async fn after_message(
    conn: &mut PgConnection,
    incident_id: IncidentId,
    author_id: i64,
    side: Side,
    internal: bool,
    body: &str,
    answered_question: bool,
) -> Result<(), AppError> {
    let kind = match side {
        Side::Handler if !internal => Kind::HandlerReplied,
        Side::Reporter if answered_question => Kind::ReporterReplied,
        _ => return Ok(()),
    };
    if !enabled(conn, kind).await? {
        return Ok(());
    }
    let incident = Incident::load(conn, incident_id).await?;
    let text = Some(incident.scrubber.scrub(body));
    match kind {
        Kind::HandlerReplied => to_reporter(conn, kind, &incident, author_id, text).await,
        _ => {
            let Some(assignee) = incident.assignee_id else {
                return Ok(());
            };
            let path = incident.console_path();
            let make = |locale| {
                let mut facts = incident.facts(locale, path.clone());
                facts.person = Some(incident.reporter_name.clone());
                facts.text = text.clone();
                facts
            };
            to_person(conn, kind, &incident, assignee, Audience::Handlers, make).await
        }
    }
}

/// A resolution tells the reporter; resolving a batch's parent tells each reporter of the batch
/// once, naming all of their incidents it solved.
async fn resolved(
    conn: &mut PgConnection,
    incident: &Incident,
    actor_id: i64,
) -> Result<(), AppError> {
    // Duplicates are resolved in this same transaction, so `now()` (the transaction's start)
    // is their resolution time too.
    let children = sqlx::query!(
        "SELECT reporter_id, number FROM incidents
         WHERE parent_id = $1 AND status = 'resolved' AND resolved_at = now()
         ORDER BY id",
        incident.id.0
    )
    .fetch_all(&mut *conn)
    .await?;
    let solution = incident
        .solution
        .as_deref()
        .map(|text| incident.scrubber.scrub(text));
    let actor = display_name(conn, actor_id).await?;
    let mut reporters: Vec<(i64, Vec<i64>)> = vec![(incident.reporter_id, vec![incident.number])];
    for child in children {
        let number = child.number;
        match reporters
            .iter_mut()
            .find(|(id, _)| *id == child.reporter_id)
        {
            Some((_, numbers)) => numbers.push(number),
            None => reporters.push((child.reporter_id, vec![number])),
        }
    }
    for (reporter, numbers) in reporters {
        let path = format!("/m/r/{}", numbers[0]);
        let make = |locale| {
            let mut facts = incident.facts(locale, path.clone());
            facts.numbers = numbers.clone();
            facts.person = Some(actor.clone());
            facts.text = solution.clone();
            facts
        };
        to_person(
            conn,
            Kind::Resolved,
            incident,
            reporter,
            Audience::Reporters,
            make,
        )
        .await?;
    }
    Ok(())
}

/// A message for the incident's reporter from `actor_id`, with `text` (already scrubbed).
async fn to_reporter(
    conn: &mut PgConnection,
    kind: Kind,
    incident: &Incident,
    actor_id: i64,
    text: Option<String>,
) -> Result<(), AppError> {
    let actor = display_name(conn, actor_id).await?;
    let path = incident.phone_path();
    let make = |locale| {
        let mut facts = incident.facts(locale, path.clone());
        facts.person = Some(actor.clone());
        facts.text = text.clone();
        facts
    };
    to_person(
        conn,
        kind,
        incident,
        incident.reporter_id,
        Audience::Reporters,
        make,
    )
    .await
}

/// A message for one person: by the application when they have a WeCom user id and the
/// application is configured, else on `fallback`'s robot mentioning their work mobile.
async fn to_person(
    conn: &mut PgConnection,
    kind: Kind,
    incident: &Incident,
    user_id: i64,
    fallback: Audience,
    facts: impl Fn(Locale) -> Facts,
) -> Result<(), AppError> {
    let Some(person) = recipient(conn, user_id, kind).await? else {
        return Ok(());
    };
    let app = sqlx::query_scalar!("SELECT EXISTS (SELECT 1 FROM wecom_app) AS \"configured!\"")
        .fetch_one(&mut *conn)
        .await?;
    if let (true, Some(userid)) = (app, person.wecom_userid) {
        let mut facts = facts(person.locale);
        facts.touser = Some(userid);
        return insert(conn, kind, Some(incident.id), None, Some(user_id), &facts).await;
    }
    let Some(robot) = robot_for(conn, fallback, Some(incident.system_id)).await? else {
        return Ok(());
    };
    // A group reads the team's language.
    let mut facts = facts(Locale::Zh);
    facts.mention_mobile = person.work_mobile;
    insert(
        conn,
        kind,
        Some(incident.id),
        Some(robot),
        Some(user_id),
        &facts,
    )
    .await
}

/// A message for a group robot, mentioning `mention` unless they muted the kind.
async fn to_group(
    conn: &mut PgConnection,
    kind: Kind,
    incident: &Incident,
    audience: Audience,
    mut facts: Facts,
    mention: Option<i64>,
) -> Result<(), AppError> {
    let Some(robot) = robot_for(conn, audience, Some(incident.system_id)).await? else {
        return Ok(());
    };
    let mut mentioned = None;
    if let Some(user_id) = mention {
        if let Some(person) = recipient(conn, user_id, kind).await? {
            facts.mention_mobile = person.work_mobile;
            mentioned = Some(user_id);
        }
    }
    insert(
        conn,
        kind,
        Some(incident.id),
        Some(robot),
        mentioned,
        &facts,
    )
    .await
}

struct Recipient {
    wecom_userid: Option<String>,
    work_mobile: Option<String>,
    locale: Locale,
}

/// The person's contacts, unless they are inactive or muted `kind`.
async fn recipient(
    conn: &mut PgConnection,
    user_id: i64,
    kind: Kind,
) -> Result<Option<Recipient>, AppError> {
    let row = sqlx::query!(
        r#"SELECT wecom_userid, work_mobile, locale FROM users u
           WHERE id = $1 AND active
             AND NOT EXISTS (SELECT 1 FROM notification_mutes m
                             WHERE m.user_id = u.id AND m.kind = $2)"#,
        user_id,
        kind as Kind
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| Recipient {
        wecom_userid: row.wecom_userid,
        work_mobile: row.work_mobile,
        locale: Locale::from_code(&row.locale).unwrap_or_default(),
    }))
}

/// The robot for `audience`: the one of the incident's system, else the one for all systems.
async fn robot_for(
    conn: &mut PgConnection,
    audience: Audience,
    system_id: Option<i16>,
) -> Result<Option<i16>, AppError> {
    let id = sqlx::query_scalar!(
        "SELECT id FROM wecom_robots
         WHERE active AND audience = $1 AND (system_id = $2 OR system_id IS NULL)
         ORDER BY system_id IS NULL LIMIT 1",
        audience as Audience,
        system_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(id)
}

async fn enabled(conn: &mut PgConnection, kind: Kind) -> Result<bool, AppError> {
    let enabled = sqlx::query_scalar!(
        "SELECT enabled FROM notification_kinds WHERE kind = $1",
        kind as Kind
    )
    .fetch_optional(conn)
    .await?;
    Ok(enabled.unwrap_or(false))
}

async fn display_name(conn: &mut PgConnection, user_id: i64) -> Result<String, AppError> {
    let name = sqlx::query_scalar!("SELECT display_name FROM users WHERE id = $1", user_id)
        .fetch_one(conn)
        .await?;
    Ok(name)
}

pub(crate) async fn insert(
    conn: &mut PgConnection,
    kind: Kind,
    incident_id: Option<IncidentId>,
    robot_id: Option<i16>,
    to_user_id: Option<i64>,
    facts: &Facts,
) -> Result<(), AppError> {
    let facts = serde_json::to_value(facts).map_err(|_| AppError::Internal)?;
    sqlx::query!(
        "INSERT INTO notifications (kind, incident_id, robot_id, to_user_id, facts)
         VALUES ($1, $2, $3, $4, $5)",
        kind as Kind,
        incident_id.map(|id| id.0),
        robot_id,
        to_user_id,
        facts
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("SELECT pg_notify($1, '')", DUE_CHANNEL)
        .execute(conn)
        .await?;
    Ok(())
}

/// Last week's service report in brief (`facts` carries counts only, no incident and no
/// customer) to the handlers' robot for all systems, when the kind is switched on. Answers
/// whether a message was written.
pub async fn weekly_summary(conn: &mut PgConnection, facts: &Facts) -> Result<bool, AppError> {
    if !enabled(conn, Kind::WeeklyReport).await? {
        return Ok(false);
    }
    let Some(robot) = robot_for(conn, Audience::Handlers, None).await? else {
        return Ok(false);
    };
    insert(conn, Kind::WeeklyReport, None, Some(robot), None, facts).await?;
    Ok(true)
}

/// A monitoring rule's alert or recovery (`facts` carries the rule and counts, never a
/// record) to the handlers' robot of `system_id` (or for all systems), when the kind is on.
/// Answers whether a message was written.
pub async fn monitor_notice(
    conn: &mut PgConnection,
    kind: Kind,
    system_id: Option<i16>,
    facts: &Facts,
) -> Result<bool, AppError> {
    if !enabled(conn, kind).await? {
        return Ok(false);
    }
    let Some(robot) = robot_for(conn, Audience::Handlers, system_id).await? else {
        return Ok(false);
    };
    insert(conn, kind, None, Some(robot), None, facts).await?;
    Ok(true)
}

/// Warns the handlers' robot, mentioning the assignee, of clocks that run out within
/// `warn_minutes` and of `breached` incidents, once per due time. Answers how many messages.
pub async fn sla_alerts(
    conn: &mut PgConnection,
    breached: &[IncidentId],
    warn_minutes: i32,
) -> Result<usize, AppError> {
    let due_soon = sqlx::query_scalar!(
        r#"UPDATE incidents SET sla_warned_due_at = sla_due_at
           WHERE sla_running_since IS NOT NULL AND sla_breached_at IS NULL
             AND sla_due_at > now() AND sla_due_at <= now() + make_interval(mins => $1)
             AND sla_warned_due_at IS DISTINCT FROM sla_due_at
           RETURNING id AS "id: IncidentId""#,
        warn_minutes
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut sent = 0;
    for (kind, ids) in [
        (Kind::SlaDueSoon, &due_soon[..]),
        (Kind::SlaBreached, breached),
    ] {
        if ids.is_empty() || !enabled(conn, kind).await? {
            continue;
        }
        for id in ids {
            let incident = Incident::load(conn, *id).await?;
            let due_at = sqlx::query_scalar!(
                r#"SELECT sla_due_at AS "due_at: chrono::DateTime<chrono::Utc>" FROM incidents WHERE id = $1"#,
                id.0
            )
            .fetch_one(&mut *conn)
            .await?;
            let mut facts = incident.facts(Locale::Zh, incident.console_path());
            facts.due_at_ms = due_at.map(|t| t.timestamp_millis());
            let assignee = incident.assignee_id;
            to_group(conn, kind, &incident, Audience::Handlers, facts, assignee).await?;
            sent += 1;
        }
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_customers_own_identity_and_long_numbers_leave_masked() {
        let scrubber = Scrubber::new(
            "王小明",
            Some((DocType::IdCard, "11010519491231002X".to_owned())),
            Some("310000887766".to_owned()),
            Some("13800138000".to_owned()),
        );
        let text = "王小明 身份证 11010519491231002x, 资金账号310000887766, 手机 13800138000, \
                    另一个 440308199901010012, 事件 #1234 金额 50000";
        let out = scrubber.scrub(text);
        for leaked in [
            "王小明",
            "11010519491231002",
            "310000887766",
            "13800138000",
            "440308199901010012",
        ] {
            assert!(!out.contains(leaked), "{leaked} in {out}");
        }
        assert!(out.contains("王**"), "{out}");
        assert!(out.contains("#1234") && out.contains("50000"), "{out}");
    }
}
