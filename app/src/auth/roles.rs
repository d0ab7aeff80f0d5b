use serde::{Deserialize, Serialize};

use crate::i18n::Locale;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum Role {
    /// Account manager (客户经理) reporting from the field.
    Reporter,
    /// Member of the incident team (事件处理组).
    Handler,
    /// Operations reviewer of data-fix scripts.
    Reviewer,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Reporter, Role::Handler, Role::Reviewer, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reporter => "reporter",
            Self::Handler => "handler",
            Self::Reviewer => "reviewer",
            Self::Admin => "admin",
        }
    }

    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == name)
    }

    /// Where this role lands after signing in.
    pub fn home(self) -> &'static str {
        match self {
            Self::Reporter => Area::Mobile.root(),
            Self::Handler | Self::Reviewer | Self::Admin => Area::Console.root(),
        }
    }

    /// The permission table: every rule of who may do what is here and nowhere else. Each role
    /// names its actions in full, so a new action is refused until a role is given it.
    pub fn may(self, action: Action) -> bool {
        use Action::*;
        match self {
            Self::Reporter => matches!(action, Report),
            Self::Handler => matches!(
                action,
                SeeIncidents
                    | WorkIncidents
                    | RevealIdentity
                    | WriteDataFix
                    | EditCannedReplies
                    | WriteArticles
                    | PublishArticles
                    | WriteMonitorRules
                    | BuildTestData
                    | WriteRecipes
            ),
            Self::Reviewer => matches!(action, SeeIncidents | ReviewDataFix | PublishArticles),
            Self::Admin => matches!(
                action,
                SeeIncidents
                    | WorkIncidents
                    | RevealIdentity
                    | RevealAnyIdentity
                    | AuditReveals
                    | WriteDataFix
                    | ReviewDataFix
                    | EditCannedReplies
                    | WriteArticles
                    | PublishArticles
                    | ManageSettings
                    | ManageNotifications
                    | WriteMonitorRules
                    | BuildTestData
                    | WriteRecipes
                    | ManageTestTargets
            ),
        }
    }

    /// The roles given `action`, for queries that select people by what they may do.
    pub fn holding(action: Action) -> Vec<&'static str> {
        Self::ALL
            .into_iter()
            .filter(|role| role.may(action))
            .map(Self::as_str)
            .collect()
    }
}

/// What a signed-in person may be allowed to do; [`Role::may`] says who may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    /// The phone app: report incidents, follow and answer one's own, upload screenshots.
    Report,
    /// The console read-only: queue, incidents with their threads, team, SLA settings, canned
    /// replies, live updates.
    SeeIncidents,
    /// Claim, classify, transfer, reply, resolve, link, mark read; be assigned incidents.
    WorkIncidents,
    /// Show one field of a customer's identity in full on an incident assigned to oneself
    /// (each reveal is recorded with its reason).
    RevealIdentity,
    /// Reveal on any incident, assigned to anyone or no one.
    RevealAnyIdentity,
    /// Read the record of reveals and its alerts.
    AuditReveals,
    /// Attach a data-fix script to an incident and record that it ran.
    WriteDataFix,
    /// Approve or reject data-fix scripts.
    ReviewDataFix,
    /// Add, rewrite and retire canned replies.
    EditCannedReplies,
    /// Write help articles (drafts, submitting for review, archiving, restoring a version) and
    /// the search synonyms.
    WriteArticles,
    /// Publish an article under review or send it back, unless one wrote it oneself.
    PublishArticles,
    /// SLA targets, business hours and the calendar.
    ManageSettings,
    /// WeCom robots, the application and its secret, the kinds pushed, staff contacts, and
    /// the delivery log.
    ManageNotifications,
    /// Write monitoring rules (queries run against business databases), dry-run and run them.
    WriteMonitorRules,
    /// Submit test-data jobs (UAT accounts), follow, retry and cancel them, read their
    /// statistics.
    BuildTestData,
    /// Write test-data recipes (the business-API calls a job makes).
    WriteRecipes,
    /// Test environments: their addresses, credentials and how many jobs run at once.
    ManageTestTargets,
}

impl Action {
    pub const ALL: [Action; 17] = [
        Action::Report,
        Action::SeeIncidents,
        Action::WorkIncidents,
        Action::RevealIdentity,
        Action::RevealAnyIdentity,
        Action::AuditReveals,
        Action::WriteDataFix,
        Action::ReviewDataFix,
        Action::EditCannedReplies,
        Action::WriteArticles,
        Action::PublishArticles,
        Action::ManageSettings,
        Action::ManageNotifications,
        Action::WriteMonitorRules,
        Action::BuildTestData,
        Action::WriteRecipes,
        Action::ManageTestTargets,
    ];
}

/// A part of the product that only some roles may enter. `/help` is public and is no area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Area {
    /// `/m`: the reporter's mobile app.
    Mobile,
    /// `/console`: the back office.
    Console,
}

impl Area {
    pub fn root(self) -> &'static str {
        match self {
            Self::Mobile => "/m",
            Self::Console => "/console",
        }
    }

    /// What entering the area takes.
    pub fn action(self) -> Action {
        match self {
            Self::Mobile => Action::Report,
            Self::Console => Action::SeeIncidents,
        }
    }

    pub fn admits(self, role: Role) -> bool {
        role.may(self.action())
    }

    /// The area a local path belongs to, if any.
    pub fn of_path(path: &str) -> Option<Self> {
        [Self::Mobile, Self::Console].into_iter().find(|area| {
            let root = area.root();
            path == root
                || path
                    .strip_prefix(root)
                    .is_some_and(|rest| rest.starts_with(['/', '?', '#']))
        })
    }
}

/// Where to go after signing in: the requested local page if the role may open it, else home.
/// Only same-site paths are followed, so a crafted link cannot send users elsewhere, and only
/// plain ASCII ones, since the path becomes a `Location` header.
pub fn landing_for(role: Role, next: Option<&str>) -> String {
    next.filter(|path| path.starts_with('/') && !path.starts_with("//"))
        .filter(|path| path.bytes().all(|b| b.is_ascii_graphic() && b != b'\\'))
        .filter(|path| Area::of_path(path).is_none_or(|area| area.admits(role)))
        .filter(|path| !path.starts_with("/login"))
        .map_or_else(|| role.home().to_owned(), str::to_owned)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    /// The role the account was made with: it decides home and session lifetime.
    pub role: Role,
    /// Console roles held beside `role` (a reviewer who also handles incidents).
    pub extra_roles: Vec<Role>,
    pub locale: Locale,
}

impl CurrentUser {
    pub fn may(&self, action: Action) -> bool {
        self.role.may(action) || self.extra_roles.iter().any(|role| role.may(action))
    }

    /// Everything this user may do, for pages that offer only what will be accepted.
    pub fn actions(&self) -> Vec<Action> {
        Action::ALL.into_iter().filter(|a| self.may(*a)).collect()
    }

    /// Whether this user may reveal the customer's identity on an incident assigned to
    /// `assignee`: their own incidents, or any with [`Action::RevealAnyIdentity`].
    pub fn may_reveal_on(&self, assignee: Option<i64>) -> bool {
        self.may(Action::RevealAnyIdentity)
            || (self.may(Action::RevealIdentity) && assignee == Some(self.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_meets_every_area_rule() {
        let expected = [
            (Role::Reporter, true, false),
            (Role::Handler, false, true),
            (Role::Reviewer, false, true),
            (Role::Admin, false, true),
        ];
        for (role, mobile, console) in expected {
            assert_eq!(Area::Mobile.admits(role), mobile, "{role:?} in /m");
            assert_eq!(Area::Console.admits(role), console, "{role:?} in /console");
        }
    }

    #[test]
    fn the_permission_table() {
        use Action::*;
        let expected: [(Role, &[Action]); 4] = [
            (Role::Reporter, &[Report]),
            (
                Role::Handler,
                &[
                    SeeIncidents,
                    WorkIncidents,
                    RevealIdentity,
                    WriteDataFix,
                    EditCannedReplies,
                    WriteArticles,
                    PublishArticles,
                    WriteMonitorRules,
                    BuildTestData,
                    WriteRecipes,
                ],
            ),
            (
                Role::Reviewer,
                &[SeeIncidents, ReviewDataFix, PublishArticles],
            ),
            (
                Role::Admin,
                &[
                    SeeIncidents,
                    WorkIncidents,
                    RevealIdentity,
                    RevealAnyIdentity,
                    AuditReveals,
                    WriteDataFix,
                    ReviewDataFix,
                    EditCannedReplies,
                    WriteArticles,
                    PublishArticles,
                    ManageSettings,
                    ManageNotifications,
                    WriteMonitorRules,
                    BuildTestData,
                    WriteRecipes,
                    ManageTestTargets,
                ],
            ),
        ];
        for (role, allowed) in expected {
            for action in Action::ALL {
                assert_eq!(
                    role.may(action),
                    allowed.contains(&action),
                    "{role:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn extra_roles_add_their_actions() {
        let mut user = CurrentUser {
            id: 1,
            login: "ops".into(),
            display_name: "Ops".into(),
            role: Role::Reviewer,
            extra_roles: vec![],
            locale: Locale::default(),
        };
        assert!(!user.may(Action::WorkIncidents));
        user.extra_roles.push(Role::Handler);
        assert!(user.may(Action::WorkIncidents) && user.may(Action::ReviewDataFix));
        assert!(!user.may(Action::ManageSettings));
        assert_eq!(Role::holding(Action::WorkIncidents), ["handler", "admin"]);
    }

    #[test]
    fn handlers_reveal_only_on_their_own_incidents() {
        let mut user = CurrentUser {
            id: 7,
            login: "h".into(),
            display_name: "H".into(),
            role: Role::Handler,
            extra_roles: vec![],
            locale: Locale::default(),
        };
        assert!(user.may_reveal_on(Some(7)));
        assert!(!user.may_reveal_on(Some(8)));
        assert!(!user.may_reveal_on(None));
        user.role = Role::Reviewer;
        assert!(!user.may_reveal_on(Some(7)));
        user.role = Role::Admin;
        assert!(user.may_reveal_on(Some(8)) && user.may_reveal_on(None));
    }

    #[test]
    fn roles_land_in_their_area() {
        assert_eq!(Role::Reporter.home(), "/m");
        for role in [Role::Handler, Role::Reviewer, Role::Admin] {
            assert_eq!(role.home(), "/console");
        }
    }

    #[test]
    fn paths_map_to_areas_by_whole_segment() {
        assert_eq!(Area::of_path("/m"), Some(Area::Mobile));
        assert_eq!(Area::of_path("/m/r/12"), Some(Area::Mobile));
        assert_eq!(Area::of_path("/console/i/7"), Some(Area::Console));
        assert_eq!(Area::of_path("/mobile-offers"), None);
        assert_eq!(Area::of_path("/help"), None);
    }

    #[test]
    fn landing_follows_only_safe_permitted_paths() {
        assert_eq!(landing_for(Role::Reporter, Some("/m/r/3")), "/m/r/3");
        assert_eq!(landing_for(Role::Reporter, Some("/console")), "/m");
        assert_eq!(landing_for(Role::Handler, Some("/m")), "/console");
        assert_eq!(
            landing_for(Role::Handler, Some("//evil.example")),
            "/console"
        );
        assert_eq!(
            landing_for(Role::Handler, Some("https://evil.example")),
            "/console"
        );
        assert_eq!(landing_for(Role::Admin, Some("/help")), "/help");
        assert_eq!(landing_for(Role::Admin, Some("/login")), "/console");
        assert_eq!(landing_for(Role::Reviewer, None), "/console");
        assert_eq!(landing_for(Role::Handler, Some("/help\\evil")), "/console");
        assert_eq!(landing_for(Role::Handler, Some("/help/s/开户")), "/console");
    }
}
