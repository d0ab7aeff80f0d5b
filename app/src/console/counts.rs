//! The queue's per-status counts read from the rollup that incidents keep as they change
//! (migration 20261207000001, folded by [`crate::rollups::fold`]), so the first page does not
//! count a million rows. Filters on
//! the rollup's cells (status, system, category, channel, assignee) read it; any other filter
//! counts the matching incidents themselves.

use sqlx::{Postgres, QueryBuilder};

use super::{AssigneeFilter, Outcome, QueueFilter};
use crate::auth::CurrentUser;

/// Whether the rollup's cells answer this filter's counts.
pub fn answer(filter: &QueueFilter) -> bool {
    filter.module.is_none()
        && !filter.no_module
        && filter.subcategory.is_empty()
        && filter.outcome.is_none_or(|o| o == Outcome::Done)
        && filter.handoff.is_none()
        && filter.article.is_empty()
        && filter.severity.is_none()
        && filter.reporter.trim().is_empty()
        && filter.from.is_empty()
        && filter.to.is_empty()
        && !filter.overdue
        && filter.search.trim().is_empty()
}

/// `SELECT status, count` over the folded counts and the changes not folded yet; the status
/// filter is left out, as the counts describe the rest of the filter.
pub fn query<'a>(viewer: &CurrentUser, filter: &'a QueueFilter) -> QueryBuilder<'a, Postgres> {
    let mut q = QueryBuilder::new(
        "SELECT c.status, sum(c.n)::BIGINT FROM
           (SELECT status, system_id, category, channel, assignee_id, n FROM queue_counts
            UNION ALL
            SELECT status, system_id, category, channel, assignee_id, n FROM queue_count_changes) c
         WHERE TRUE",
    );
    push_cells(&mut q, viewer, filter, "c");
    q.push(" GROUP BY c.status HAVING sum(c.n) <> 0");
    q
}

/// The conditions on the rollup's cells (system, category, resolved or closed, channel,
/// assignee), written for the incidents (`alias` `i`) or for the rollup (`c`) alike.
pub fn push_cells(
    q: &mut QueryBuilder<'_, Postgres>,
    viewer: &CurrentUser,
    filter: &QueueFilter,
    alias: &str,
) {
    if let Some(system) = &filter.system {
        q.push(format!(
            " AND {alias}.system_id = (SELECT id FROM systems WHERE code = "
        ))
        .push_bind(system.clone())
        .push(")");
    }
    if let Some(category) = filter.category {
        q.push(format!(" AND {alias}.category = "))
            .push_bind(category);
    }
    if filter.unclassified {
        q.push(format!(" AND {alias}.category IS NULL"));
    }
    if filter.outcome == Some(Outcome::Done) {
        q.push(format!(" AND {alias}.status IN ('resolved', 'closed')"));
    }
    if let Some(channel) = filter.channel {
        q.push(format!(" AND {alias}.channel = "))
            .push_bind(channel);
    }
    match filter.assignee {
        AssigneeFilter::Anyone => {}
        AssigneeFilter::Me => {
            q.push(format!(" AND {alias}.assignee_id = "))
                .push_bind(viewer.id);
        }
        AssigneeFilter::Unassigned => {
            q.push(format!(" AND {alias}.assignee_id IS NULL"));
        }
    }
}
