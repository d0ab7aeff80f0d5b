use sqlx::PgPool;

use super::{Named, System};
use crate::error::AppError;

pub async fn list_systems(pool: &PgPool) -> Result<Vec<System>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT s.code AS system_code, s.name_zh AS system_zh, s.name_en AS system_en,
                  m.code AS "module_code?", m.name_zh AS "module_zh?", m.name_en AS "module_en?"
           FROM systems s
           LEFT JOIN system_modules m ON m.system_id = s.id AND m.active
           WHERE s.active
           ORDER BY s.sort_order, s.id, m.sort_order, m.id"#
    )
    .fetch_all(pool)
    .await?;

    let mut systems: Vec<System> = Vec::new();
    for row in rows {
        if systems
            .last()
            .is_none_or(|s| s.system.code != row.system_code)
        {
            systems.push(System {
                system: Named {
                    code: row.system_code,
                    name_zh: row.system_zh,
                    name_en: row.system_en,
                },
                modules: Vec::new(),
            });
        }
        if let (Some(code), Some(name_zh), Some(name_en), Some(system)) = (
            row.module_code,
            row.module_zh,
            row.module_en,
            systems.last_mut(),
        ) {
            system.modules.push(Named {
                code,
                name_zh,
                name_en,
            });
        }
    }
    Ok(systems)
}
