//! The three published networks, gzip-compressed in `tests/data` (see its README for their
//! sources and counts), and the generic CSV format: counts, idempotence, and all-or-nothing on a
//! malformed line.

use std::path::{Path, PathBuf};

use sqlx::PgPool;
use vouchgraph::import::{self, Format, ImportArgs, ImportReport};
use vouchgraph::store;

use crate::common::count;

/// A file or folder of `tests/data`, inside the repository.
fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}

async fn import(pool: &PgPool, format: Format, path: PathBuf) -> anyhow::Result<ImportReport> {
    let args = ImportArgs {
        format,
        path,
        source: None,
    };
    import::run(pool, &args).await
}

async fn scalar(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql)
}

#[sqlx::test]
async fn advogato_brings_its_6541_people_and_every_certification_but_the_self_loops(pool: PgPool) {
    let report = import(&pool, Format::Advogato, data("advogato"))
        .await
        .unwrap();

    // The README: 6,541 people and 51,127 edges, "some self-loops". A self-loop is a row of
    // the file but not an edge we can store (nobody may trust themself), so it is counted in
    // the report and left out: 3,992 of the rows are self-loops.
    assert_eq!(count(&pool, "people").await, 6_541);
    assert_eq!(report.read.edge_rows, 51_127);
    assert_eq!(report.read.self_loops, 3_992);
    assert_eq!(report.read.repeats, 0);
    assert_eq!(count(&pool, "trust_edges").await, 51_127 - 3_992);
    assert_eq!(count(&pool, "distrust_edges").await, 0);
    // apprentice 0.6, journeyer 0.8, master 1.0 -> levels 1, 2, 3 (self-loops removed).
    let levels: Vec<(i16, i64)> =
        sqlx::query_as("select level, count(*) from trust_edges group by level order by level")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(levels.iter().map(|l| l.1).sum::<i64>(), 47_135);
    assert_eq!(levels.len(), 3);
    let seeds: Vec<String> = sqlx::query_scalar(
        "select display_name from people where pre_trusted order by display_name",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(seeds, ["alan", "federico", "miguel", "raph"]);
    let raph: String =
        sqlx::query_scalar("select external_ref from people where display_name = 'raph'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(raph, "advogato:328");
    // One change per person and per edge, and every one of them reads back as a GraphChange.
    assert_eq!(count(&pool, "graph_changes").await, 6_541 + 47_135);
    assert_eq!(report.changes_recorded, 6_541 + 47_135);
}

#[sqlx::test]
async fn bitcoin_otc_brings_5881_people_and_its_3563_negative_ratings_as_distrust(pool: PgPool) {
    let file = data("bitcoin-otc/soc-sign-bitcoinotc.csv.gz");
    let report = import(&pool, Format::BitcoinOtc, file).await.unwrap();

    assert_eq!(count(&pool, "people").await, 5_881);
    assert_eq!(report.read.edge_rows, 35_592);
    assert_eq!(count(&pool, "distrust_edges").await, 3_563);
    assert_eq!(count(&pool, "trust_edges").await, 35_592 - 3_563);
    // A -10 fraud report is distrust of strength 1.0, a -1 of 0.1; never trust.
    let strengths: (f32, f32) =
        sqlx::query_as("select min(strength), max(strength) from distrust_edges")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(strengths, (0.1, 1.0));
    let both = scalar(
        &pool,
        "select count(*) from trust_edges t join distrust_edges d
         on d.truster_id = t.truster_id and d.trustee_id = t.trustee_id",
    )
    .await;
    assert_eq!(both, 0);
    // The live graph loads them as distrust, which the ranking walk never follows.
    let snapshot = store::graph_load::load_snapshot(&pool).await.unwrap();
    assert_eq!(snapshot.graph.distrust_edge_count(), 3_563);
    assert_eq!(snapshot.graph.trust_edge_count(), 35_592 - 3_563);
    assert_eq!(snapshot.graph.person_count(), 5_881);
}

#[sqlx::test]
async fn bitcoin_alpha_copes_with_its_byte_order_mark_and_crlf_line_ends(pool: PgPool) {
    let report = import(&pool, Format::BitcoinAlpha, data("bitcoin-alpha"))
        .await
        .unwrap();

    assert_eq!(count(&pool, "people").await, 3_783);
    assert_eq!(report.read.edge_rows, 24_186);
    let edges = count(&pool, "trust_edges").await + count(&pool, "distrust_edges").await;
    assert_eq!(edges, 24_186);
    // The first row, "1,7188,10", follows the byte-order mark: had the mark stuck to the id,
    // the row would have been refused; had the CR stuck to the rating, every row would have.
    let first = scalar(
        &pool,
        "select count(*) from trust_edges t
         join people a on a.id = t.truster_id and a.external_ref = 'bitcoin-alpha:1'
         join people b on b.id = t.trustee_id and b.external_ref = 'bitcoin-alpha:7188'
         where t.level = 3",
    )
    .await;
    assert_eq!(first, 1);
}

#[sqlx::test]
async fn importing_the_same_network_twice_changes_nothing(pool: PgPool) {
    let file = data("bitcoin-otc/soc-sign-bitcoinotc.csv.gz");
    import(&pool, Format::BitcoinOtc, file.clone())
        .await
        .unwrap();
    let changes = count(&pool, "graph_changes").await;
    let last_update = scalar(
        &pool,
        "select (extract(epoch from max(updated_at)) * 1e6)::int8 from trust_edges",
    )
    .await;

    let again = import(&pool, Format::BitcoinOtc, file).await.unwrap();

    assert_eq!(
        (
            again.people_changed,
            again.trust_changed,
            again.distrust_changed
        ),
        (0, 0, 0)
    );
    assert_eq!(again.changes_recorded, 0);
    assert_eq!(count(&pool, "graph_changes").await, changes);
    assert_eq!(count(&pool, "people").await, 5_881);
    assert_eq!(count(&pool, "trust_edges").await, 35_592 - 3_563);
    let after = scalar(
        &pool,
        "select (extract(epoch from max(updated_at)) * 1e6)::int8 from trust_edges",
    )
    .await;
    assert_eq!(after, last_update, "no row was rewritten");
}

#[sqlx::test]
async fn a_changed_rating_is_the_only_change_a_reimport_records(pool: PgPool) {
    let dir = tempdir("changed");
    let file = dir.join("trust.csv");
    std::fs::write(&file, "truster,trustee,weight\nanna,ben,1\nben,cara,2\n").unwrap();
    import(&pool, Format::Csv, file.clone()).await.unwrap();
    let changes = count(&pool, "graph_changes").await;
    assert_eq!(changes, 3 + 2);

    std::fs::write(&file, "truster,trustee,weight\nanna,ben,3\nben,cara,2\n").unwrap();
    let again = import(&pool, Format::Csv, file).await.unwrap();

    assert_eq!(again.trust_changed, 1);
    assert_eq!(count(&pool, "graph_changes").await, changes + 1);
    let feed = store::changes::since(&pool, changes, 10).await.unwrap();
    assert_eq!(feed.len(), 1);
    assert!(
        matches!(&feed[0].1, vouchgraph::domain::GraphChange::TrustSet { level, .. } if level.get() == 3),
        "{feed:?}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[sqlx::test]
async fn a_malformed_line_is_named_and_nothing_is_imported(pool: PgPool) {
    let dir = tempdir("malformed");
    let file = dir.join("otc.csv");
    // Line 4 has a rating of 12, off the -10..10 scale.
    std::fs::write(
        &file,
        "Source,Target,Weight,Timestamp\n6,2,4,1289241912\n6,5,2,1289241942\n1,15,12,1289243140\n",
    )
    .unwrap();

    let error = import(&pool, Format::BitcoinOtc, file).await.unwrap_err();

    let message = format!("{error:#}");
    assert!(message.contains("line 4"), "{message}");
    assert!(message.contains("rating 12"), "{message}");
    for table in ["people", "trust_edges", "distrust_edges", "graph_changes"] {
        assert_eq!(count(&pool, table).await, 0, "{table} was written to");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[sqlx::test]
async fn every_imported_change_reads_back_from_the_feed(pool: PgPool) {
    let file = data("bitcoin-alpha/bitcoinalpha.csv.gz");
    let report = import(&pool, Format::BitcoinAlpha, file).await.unwrap();

    // Followers decode every row: person.upsert, trust.set and distrust.set alike.
    let feed = store::changes::since(&pool, 0, 100_000).await.unwrap();
    assert_eq!(feed.len() as u64, report.changes_recorded);
    let distrust = feed
        .iter()
        .filter(|(_, c)| matches!(c, vouchgraph::domain::GraphChange::DistrustSet { .. }))
        .count();
    assert_eq!(distrust, report.distrust_edges);
    // Applied in order to an empty graph, the feed rebuilds what a fresh load gives.
    let mut graph = vouchgraph::graph::TrustGraph::new();
    let mut seeds = Vec::new();
    for (_, change) in &feed {
        vouchgraph::feed::live::apply(&mut graph, &mut seeds, change);
    }
    let loaded = store::graph_load::load_snapshot(&pool).await.unwrap().graph;
    assert_eq!(graph.person_count(), loaded.person_count());
    assert_eq!(graph.trust_edge_count(), loaded.trust_edge_count());
    assert_eq!(graph.distrust_edge_count(), loaded.distrust_edge_count());
}

/// A fresh folder under the system's temporary directory.
fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "vouchgraph-import-{name}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
