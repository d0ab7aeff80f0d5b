//! An incident's SLA clock: business time used so far, whether it runs, and when it is due.

use chrono::{DateTime, Utc};

use super::calendar::BusinessCalendar;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Clock {
    pub target_secs: Option<i64>,
    /// Business seconds used before `running_since`.
    pub spent_secs: i64,
    /// `None` while paused or stopped.
    pub running_since: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub breached_at: Option<DateTime<Utc>>,
}

impl Clock {
    /// Banks the time run up to `now`, then runs on from `now` or stays still. A target
    /// passed on the way is recorded as breached at the due time it had.
    pub fn settle(&mut self, calendar: &BusinessCalendar, run: bool, now: DateTime<Utc>) {
        if let Some(since) = self.running_since.take() {
            self.spent_secs += calendar.seconds_between(since, now);
        }
        if self.breached_at.is_none() && self.target_secs.is_some_and(|t| self.spent_secs > t) {
            self.breached_at = Some(self.due_at.filter(|due| *due <= now).unwrap_or(now));
        }
        self.running_since = run.then_some(now);
        self.due_at = match (self.target_secs, self.running_since) {
            (Some(target), Some(since)) if self.spent_secs < target => {
                calendar.add_seconds(since, target - self.spent_secs)
            }
            // Already over: due when it was breached, so "overdue" keeps finding it.
            (Some(_), Some(_)) => self.breached_at.or(Some(now)),
            _ => None,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::calendar::tests::at;

    fn running(since: DateTime<Utc>, target_mins: i64) -> Clock {
        Clock {
            target_secs: Some(target_mins * 60),
            running_since: Some(since),
            ..Clock::default()
        }
    }

    #[test]
    fn a_running_clock_is_due_after_the_target_in_business_time() {
        let cal = BusinessCalendar::default();
        let mut clock = running(at(23, 16, 0), 240);
        clock.settle(&cal, true, at(23, 16, 0));
        // Two hours on Monday, two more on Tuesday morning.
        assert_eq!(clock.due_at, Some(at(24, 11, 0)));
        assert_eq!(clock.breached_at, None);
    }

    #[test]
    fn waiting_pauses_and_moves_the_due_time() {
        let cal = BusinessCalendar::default();
        let mut clock = running(at(23, 9, 0), 240);
        // Asked the reporter at 10:00 (one hour used), answered at 14:00.
        clock.settle(&cal, false, at(23, 10, 0));
        assert_eq!((clock.spent_secs, clock.due_at), (3600, None));
        clock.settle(&cal, true, at(23, 14, 0));
        assert_eq!(clock.due_at, Some(at(23, 17, 0)));
    }

    #[test]
    fn passing_the_target_records_the_breach_at_the_due_time() {
        let cal = BusinessCalendar::default();
        let mut clock = running(at(23, 9, 0), 60);
        clock.settle(&cal, true, at(23, 9, 0));
        assert_eq!(clock.due_at, Some(at(23, 10, 0)));
        // Resolved at 11:30: stopped, breached at 10:00.
        clock.settle(&cal, false, at(23, 11, 30));
        assert_eq!(clock.breached_at, Some(at(23, 10, 0)));
        assert_eq!(clock.due_at, None);
        // Reopened later: still overdue, due stays in the past.
        clock.settle(&cal, true, at(24, 9, 0));
        assert_eq!(clock.due_at, Some(at(23, 10, 0)));
    }

    #[test]
    fn resolving_in_time_is_no_breach() {
        let cal = BusinessCalendar::default();
        let mut clock = running(at(23, 9, 0), 60);
        clock.settle(&cal, false, at(23, 10, 0));
        assert_eq!(clock.breached_at, None);
        assert_eq!(clock.spent_secs, 3600);
    }

    #[test]
    fn without_a_target_the_clock_only_keeps_time() {
        let cal = BusinessCalendar::default();
        let mut clock = Clock {
            running_since: Some(at(23, 9, 0)),
            ..Clock::default()
        };
        clock.settle(&cal, true, at(23, 12, 0));
        assert_eq!((clock.spent_secs, clock.due_at), (3 * 3600, None));
        // Classified now with a four-hour target: one hour left.
        clock.target_secs = Some(4 * 3600);
        clock.settle(&cal, true, at(23, 12, 0));
        assert_eq!(clock.due_at, Some(at(23, 13, 0)));
    }
}
