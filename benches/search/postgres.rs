//! The Postgres side: bulk-load the network into the real schema, time the start-up loader,
//! and time the naive alternative, a recursive CTE.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::postgres::{PgConnection, PgPoolOptions};
use sqlx::{PgPool, Row};
use vouchgraph::domain::{PersonId, TradeId};
use vouchgraph::graph::RankParams;
use vouchgraph::startup::MIGRATOR;
use vouchgraph::store::graph_load::load_snapshot;
use vouchgraph::synth::SynthNetwork;

use crate::engine::LIMIT;

/// Every synthetic account gets this password hash. It is not a hash of anything, so nobody
/// can log in as a synthetic person; only the bench ever reads these rows.
const DUMMY_PASSWORD_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$YmVuY2htYXJr$not-a-real-hash";

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
    let people: i64 = sqlx::query_scalar("select count(*) from people")
        .fetch_one(&pool)
        .await?;
    anyhow::ensure!(
        people == 0,
        "the database already holds {people} people; the bench needs an empty one (scripts/bench.sh makes one)"
    );

    let started = Instant::now();
    bulk_load(&pool, net)
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

/// Loads the network with COPY. Foreign-key triggers are off for the session (the data is
/// consistent by construction) and secondary indexes are dropped and rebuilt around the copy,
/// exactly as the migrations define them; then everything is vacuumed and analysed, as a
/// database that has been running for a while would be.
async fn bulk_load(pool: &PgPool, net: &SynthNetwork) -> anyhow::Result<()> {
    let mut conn = pool.acquire().await?;
    let tables = ["trust_edges", "vouches"];
    let secondary: Vec<(String, String)> = sqlx::query_as(
        "select indexname, indexdef from pg_indexes
         where schemaname = 'public' and tablename = any($1) and indexname not like '%_pkey'",
    )
    .bind(&tables[..])
    .fetch_all(&mut *conn)
    .await?;
    for (name, _) in &secondary {
        sqlx::query(&format!("drop index {name}"))
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("set session_replication_role = replica")
        .execute(&mut *conn)
        .await
        .context("turning off foreign-key triggers (needs a superuser)")?;

    copy(
        &mut conn,
        "copy people (id, display_name) from stdin",
        &net.people,
        |buf, id| writeln!(buf, "{id}\t{}", SynthNetwork::person_name(*id)),
    )
    .await?;
    let mut owners: Vec<PersonId> = net.providers.iter().map(|p| p.owner).collect();
    owners.sort_unstable();
    owners.dedup();
    copy(
        &mut conn,
        "copy accounts (person_id, email, password_hash) from stdin",
        &owners,
        |buf, id| writeln!(buf, "{id}\towner{id}@example.com\t{DUMMY_PASSWORD_HASH}"),
    )
    .await?;
    copy(
        &mut conn,
        "copy providers (id, owner_id, name, lat, lon, radius_km) from stdin",
        &net.providers,
        |buf, p| {
            let name = SynthNetwork::provider_name(p.id);
            writeln!(
                buf,
                "{}\t{}\t{name}\t{}\t{}\t{}",
                p.id, p.owner, p.lat, p.lon, p.radius_km
            )
        },
    )
    .await?;
    let offers: Vec<_> = net
        .providers
        .iter()
        .flat_map(|p| p.trades.iter().map(move |t| (p.id, *t)))
        .collect();
    copy(
        &mut conn,
        "copy provider_trades (provider_id, trade_id) from stdin",
        &offers,
        |buf, (provider, trade)| writeln!(buf, "{provider}\t{trade}"),
    )
    .await?;
    copy(
        &mut conn,
        "copy trust_edges (truster_id, trustee_id, level, visibility) from stdin",
        &net.trust_edges,
        |buf, e| {
            let (level, visibility) = (e.level.get(), e.visibility.as_str());
            writeln!(buf, "{}\t{}\t{level}\t{visibility}", e.from, e.to)
        },
    )
    .await?;
    copy(
        &mut conn,
        "copy vouches (person_id, provider_id, trade_id, stance, visibility) from stdin",
        &net.vouches,
        |buf, v| {
            let (stance, visibility) = (v.stance.as_str(), v.visibility.as_str());
            writeln!(
                buf,
                "{}\t{}\t{}\t{stance}\t{visibility}",
                v.person, v.provider, v.trade
            )
        },
    )
    .await?;

    sqlx::query("set session_replication_role = origin")
        .execute(&mut *conn)
        .await?;
    for (_, definition) in &secondary {
        sqlx::query(definition).execute(&mut *conn).await?;
    }
    for table in ["people", "providers"] {
        sqlx::query(&format!(
            "select setval(pg_get_serial_sequence('{table}', 'id'), (select max(id) from {table}))"
        ))
        .execute(&mut *conn)
        .await?;
    }
    // VACUUM refuses to run in a transaction block, so send it with the simple protocol.
    sqlx::raw_sql("vacuum (freeze, analyze)")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// COPYs `rows` in text format, formatting each with `line`, in chunks of about a megabyte.
async fn copy<T>(
    conn: &mut PgConnection,
    statement: &str,
    rows: &[T],
    mut line: impl FnMut(&mut String, &T) -> std::fmt::Result,
) -> anyhow::Result<()> {
    let mut copy = conn.copy_in_raw(statement).await?;
    let mut buf = String::with_capacity(2 << 20);
    for row in rows {
        line(&mut buf, row)?;
        if buf.len() >= 1 << 20 {
            copy.send(buf.as_bytes()).await?;
            buf.clear();
        }
    }
    if !buf.is_empty() {
        copy.send(buf.as_bytes()).await?;
    }
    let copied = copy.finish().await?;
    anyhow::ensure!(
        copied as usize == rows.len(),
        "{statement}: copied {copied} of {} rows",
        rows.len()
    );
    Ok(())
}
