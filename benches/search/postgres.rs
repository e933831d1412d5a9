//! The Postgres side: bulk-load the network into the real schema, time the start-up loader,
//! and time the naive alternative, a recursive CTE.

use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::postgres::{PgConnection, PgPoolOptions};
use sqlx::Row;
use vouchgraph::domain::{PersonId, TradeId};
use vouchgraph::graph::RankParams;
use vouchgraph::startup::MIGRATOR;
use vouchgraph::store::graph_load::load_snapshot;
use vouchgraph::synth::{copy_into, SynthNetwork};

use crate::engine::LIMIT;

/// The naive alternative: every trust path of up to 3 hops from the seeker, each worth the
/// product of (1 - alpha) * level / 3 along its edges, summed per person reached (the seeker
/// included), then the reached people's vouches for the trade, recommend minus gamma times
/// warn, best 10. This is what one would write without an engine; it is no PageRank (paths are
/// not normalised by out-degree, and there is no prior and no explanation), so it does less
/// work per result than the engine and the time ratio flatters it.
const RECURSIVE_CTE: &str = "
with recursive walk (person_id, depth, mass) as (
    select $1::bigint, 0, 1.0::float8
    union all
    select t.trustee_id, w.depth + 1, w.mass * $2 * t.level / 3.0
    from walk w
    join trust_edges t on t.truster_id = w.person_id and t.visibility = 'public'
    where w.depth < 3
), reached as (
    select person_id, sum(mass) as mass from walk group by person_id
)
select v.provider_id,
       sum(case when v.stance = 'recommend' then r.mass else -$3 * r.mass end) as score
from reached r
join vouches v on v.person_id = r.person_id and v.trade_id = $4 and v.visibility = 'public'
join providers p on p.id = v.provider_id and p.owner_id <> $1
group by v.provider_id
order by score desc, v.provider_id
limit $5";

/// What the Postgres phase measured.
pub struct Figures {
    pub server_version: String,
    pub bulk_load: Duration,
    pub load: Duration,
    pub loaded_trust_edges: usize,
    pub loaded_vouches: usize,
    /// One per seeker, in seeker order; a timed-out query counts as the timeout.
    pub cte_times: Vec<Duration>,
    pub cte_timeouts: usize,
}

/// Runs the whole phase against `database_url`, which must be an empty database.
pub async fn run(
    database_url: &str,
    net: &SynthNetwork,
    trade: TradeId,
    seekers: &[PersonId],
    params: &RankParams,
    cte_timeout: Duration,
) -> anyhow::Result<Figures> {
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect(database_url)
        .await
        .context("connecting to DATABASE_URL")?;
    MIGRATOR.run(&pool).await.context("running migrations")?;
    let server_version: String = sqlx::query_scalar("show server_version")
        .fetch_one(&pool)
        .await?;

    // The same loader as `vouchgraph seed-synthetic`; it refuses a database that holds people
    // (scripts/bench.sh makes an empty one). No account needs a usable password here.
    let started = Instant::now();
    copy_into(&pool, net, &[])
        .await
        .context("bulk-loading the network")?;
    let bulk_load = started.elapsed();
    eprintln!("postgres: bulk load took {:.1} s", bulk_load.as_secs_f64());

    let started = Instant::now();
    let snapshot = load_snapshot(&pool).await.context("load_snapshot")?;
    let load = started.elapsed();
    let loaded_trust_edges = snapshot.graph.trust_edge_count();
    let loaded_vouches = snapshot.graph.vouch_count();
    drop(snapshot);
    eprintln!("postgres: load_snapshot took {:.1} s", load.as_secs_f64());

    let mut conn = pool.acquire().await?;
    sqlx::query(&format!(
        "set statement_timeout = {}",
        cte_timeout.as_millis()
    ))
    .execute(&mut *conn)
    .await?;
    // A few queries on other people first, so the first timed one does not pay for planning
    // and for reading the indexes into memory.
    for warm_up in net.people.iter().rev().take(5) {
        cte(&mut conn, *warm_up, trade, params).await?;
    }
    let mut cte_times = Vec::with_capacity(seekers.len());
    let mut cte_timeouts = 0;
    for (i, &seeker) in seekers.iter().enumerate() {
        let started = Instant::now();
        match cte(&mut conn, seeker, trade, params).await {
            Ok(_) => cte_times.push(started.elapsed()),
            Err(error) if is_timeout(&error) => {
                cte_timeouts += 1;
                cte_times.push(cte_timeout);
            }
            Err(error) => return Err(error.into()),
        }
        if (i + 1) % 10 == 0 {
            eprintln!("postgres: {} CTE queries done", i + 1);
        }
    }
    Ok(Figures {
        server_version,
        bulk_load,
        load,
        loaded_trust_edges,
        loaded_vouches,
        cte_times,
        cte_timeouts,
    })
}

async fn cte(
    conn: &mut PgConnection,
    seeker: PersonId,
    trade: TradeId,
    params: &RankParams,
) -> Result<usize, sqlx::Error> {
    let rows = sqlx::query(RECURSIVE_CTE)
        .bind(seeker.0)
        .bind(1.0 - params.alpha)
        .bind(params.gamma)
        .bind(trade.0)
        .bind(LIMIT as i64)
        .fetch_all(&mut *conn)
        .await?;
    // Read the columns, as a caller would.
    for row in &rows {
        let _: (i64, f64) = (row.try_get(0)?, row.try_get(1)?);
    }
    Ok(rows.len())
}

fn is_timeout(error: &sqlx::Error) -> bool {
    // 57014: query_canceled, what statement_timeout raises.
    matches!(error, sqlx::Error::Database(db) if db.code().as_deref() == Some("57014"))
}
