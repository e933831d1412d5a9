//! Requests for recommendations, their recipients, answers and mutes.

use sqlx::{PgConnection, PgExecutor};

use crate::domain::{PartnerId, PersonId, ProviderId, ReferralId, TradeId};

/// A new request.
pub struct NewRequest<'a> {
    /// Who asks.
    pub asker: PersonId,
    /// The trade.
    pub trade: TradeId,
    /// Where, if given: the point and the place as the asker named it.
    pub place: Option<(f64, f64, &'a str)>,
    /// The note.
    pub note: &'a str,
    /// By when.
    pub deadline: Option<time::Date>,
    /// `circle` or `public`.
    pub visibility: &'a str,
    /// The partner whose widget it came through.
    pub partner: Option<PartnerId>,
}

/// Stores a request; returns its id.
pub async fn create(tx: &mut PgConnection, new: &NewRequest<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into requests
             (asker_id, trade_id, lat, lon, place, note, deadline, visibility, partner_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
    )
    .bind(new.asker)
    .bind(new.trade)
    .bind(new.place.map(|p| p.0))
    .bind(new.place.map(|p| p.1))
    .bind(new.place.map(|p| p.2))
    .bind(new.note)
    .bind(new.deadline)
    .bind(new.visibility)
    .bind(new.partner)
    .fetch_one(&mut *tx)
    .await
}

/// Of `candidates`, those who may be asked about `trade` now: not muting it, and asked fewer
/// than `daily_cap` times in the last 24 hours. Keeps their order.
pub async fn askable(
    db: impl PgExecutor<'_>,
    candidates: &[PersonId],
    trade: TradeId,
    daily_cap: i64,
) -> sqlx::Result<Vec<PersonId>> {
    let refused: Vec<PersonId> = sqlx::query_scalar(
        "select p from unnest($1::int8[]) as p
         where exists (select 1 from request_mutes m where m.person_id = p and m.trade_id = $2)
            or (select count(*) from request_recipients rr join requests r on r.id = rr.request_id
                where rr.person_id = p and r.created_at > now() - interval '1 day') >= $3",
    )
    .bind(candidates)
    .bind(trade)
    .bind(daily_cap)
    .fetch_all(db)
    .await?;
    Ok(candidates
        .iter()
        .copied()
        .filter(|c| !refused.contains(c))
        .collect())
}

/// Records the recipients, in rank order, each with whom they were reached through.
pub async fn add_recipients(
    tx: &mut PgConnection,
    request: i64,
    recipients: &[(PersonId, Option<PersonId>)],
) -> sqlx::Result<()> {
    let people: Vec<PersonId> = recipients.iter().map(|r| r.0).collect();
    let via: Vec<Option<PersonId>> = recipients.iter().map(|r| r.1).collect();
    sqlx::query(
        "insert into request_recipients (request_id, person_id, via_id, rank)
         select $1, p, v, n::int from unnest($2::int8[], $3::int8[]) with ordinality as t(p, v, n)",
    )
    .bind(request)
    .bind(&people)
    .bind(&via)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

const SELECT: &str = "
    select r.id, r.asker_id, a.display_name as asker_name, r.trade_id, t.slug as trade,
           t.name as trade_name, r.lat, r.lon, r.place, r.note, r.deadline, r.visibility,
           r.status, r.solved, r.created_at, r.closed_at,
           (select count(*) from request_recipients rr where rr.request_id = r.id) as recipients,
           (select count(*) from request_answers ra where ra.request_id = r.id) as answers
    from requests r join people a on a.id = r.asker_id join trades t on t.id = r.trade_id";

/// A request as stored.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct RequestRow {
    /// The request.
    pub id: i64,
    /// Who asked.
    pub asker_id: PersonId,
    /// Their name (shown only to whom it may be, see `app::requests`).
    pub asker_name: String,
    /// The trade.
    pub trade_id: TradeId,
    /// Its slug.
    pub trade: String,
    /// Its name.
    pub trade_name: String,
    /// Where, if given.
    pub lat: Option<f64>,
    /// Where, if given.
    pub lon: Option<f64>,
    /// The place as named.
    pub place: Option<String>,
    /// The note.
    pub note: String,
    /// By when.
    pub deadline: Option<time::Date>,
    /// `circle` or `public`.
    pub visibility: String,
    /// `open` or `closed`.
    pub status: String,
    /// Whether it was solved, once closed.
    pub solved: Option<bool>,
    /// When asked.
    pub created_at: time::OffsetDateTime,
    /// When closed.
    pub closed_at: Option<time::OffsetDateTime>,
    /// How many people it was sent to.
    pub recipients: i64,
    /// How many answers it has.
    pub answers: i64,
}

/// One request.
pub async fn get(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<RequestRow>> {
    sqlx::query_as(&format!("{SELECT} where r.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// One request, locked for a change.
pub async fn lock(tx: &mut PgConnection, id: i64) -> sqlx::Result<Option<RequestRow>> {
    sqlx::query("select 1 from requests where id = $1 for no key update")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    get(&mut *tx, id).await
}

/// The person's own requests, newest first.
pub async fn mine(db: impl PgExecutor<'_>, asker: PersonId) -> sqlx::Result<Vec<RequestRow>> {
    sqlx::query_as(&format!(
        "{SELECT} where r.asker_id = $1 order by r.id desc limit 100"
    ))
    .bind(asker)
    .fetch_all(db)
    .await
}

/// How a person came to see a request: routed to them (through whom), or as a neighbour.
#[derive(Clone, Debug, PartialEq)]
pub enum Reach {
    /// Routed to them directly: the asker trusts them.
    Direct,
    /// Routed through someone the asker trusts (id and name).
    Through(PersonId, String),
    /// A public request near their home.
    Neighbour,
}

/// Whether and how `person` was reached by request `id`.
pub async fn reach(
    db: impl PgExecutor<'_> + Copy,
    id: i64,
    person: PersonId,
    neighbourhood_km: f64,
) -> sqlx::Result<Option<Reach>> {
    let routed: Option<(Option<PersonId>, Option<String>)> = sqlx::query_as(
        "select rr.via_id, v.display_name from request_recipients rr
         left join people v on v.id = rr.via_id
         where rr.request_id = $1 and rr.person_id = $2",
    )
    .bind(id)
    .bind(person)
    .fetch_optional(db)
    .await?;
    match routed {
        Some((Some(via), Some(name))) => return Ok(Some(Reach::Through(via, name))),
        Some(_) => return Ok(Some(Reach::Direct)),
        None => {}
    }
    let near: bool = sqlx::query_scalar(&format!(
        "select exists (select 1 from requests r, people p
                        where r.id = $1 and p.id = $2 and r.visibility = 'public'
                          and r.asker_id <> p.id and {})",
        near("$3")
    ))
    .bind(id)
    .bind(person)
    .bind(neighbourhood_km)
    .fetch_one(db)
    .await?;
    Ok(near.then_some(Reach::Neighbour))
}

/// Whether request r's place (or, without one, the asker's home) is within `km` (a query
/// parameter, "$3") of person p's home: an equirectangular distance, exact enough at
/// neighbourhood scale.
fn near(km: &str) -> String {
    format!(
        "p.lat is not null and coalesce(r.lat, (select lat from people where id = r.asker_id)) is not null
         and 6371.0088 * sqrt(
             power(radians(coalesce(r.lat, (select lat from people where id = r.asker_id)) - p.lat), 2)
           + power(radians(coalesce(r.lon, (select lon from people where id = r.asker_id)) - p.lon)
                   * cos(radians(p.lat)), 2)) <= {km}"
    )
}

/// An entry of a person's inbox of requests: the request, and how it reached them.
#[derive(sqlx::FromRow)]
pub struct InboxRow {
    /// The request.
    #[sqlx(flatten)]
    pub request: RequestRow,
    /// Through whom, for two-hop recipients.
    pub via_id: Option<PersonId>,
    /// Their name.
    pub via_name: Option<String>,
    /// Whether it was routed to them (else a public request nearby).
    pub routed: bool,
}

/// The open requests a person may answer: routed to them, or public near their home. Newest
/// first.
pub async fn inbox(
    db: impl PgExecutor<'_>,
    person: PersonId,
    neighbourhood_km: f64,
) -> sqlx::Result<Vec<InboxRow>> {
    sqlx::query_as(&format!(
        "select q.*, rr.via_id, v.display_name as via_name, rr.person_id is not null as routed
         from ({SELECT}) q
         left join request_recipients rr on rr.request_id = q.id and rr.person_id = $1
         left join people v on v.id = rr.via_id
         where q.status = 'open' and q.asker_id <> $1
           and (rr.person_id is not null
                or (q.visibility = 'public' and exists (
                      select 1 from requests r, people p
                      where r.id = q.id and p.id = $1 and {})))
         order by q.id desc limit 100",
        near("$2")
    ))
    .bind(person)
    .bind(neighbourhood_km)
    .fetch_all(db)
    .await
}

/// Whom a request was routed to: each person, and the name of the person they were reached
/// through (two hops) or `None` (the asker trusts them directly).
pub async fn routed_to(
    db: impl PgExecutor<'_>,
    request: i64,
) -> sqlx::Result<Vec<(PersonId, Option<String>)>> {
    sqlx::query_as(
        "select r.person_id, v.display_name
         from request_recipients r left join people v on v.id = r.via_id
         where r.request_id = $1 order by r.rank",
    )
    .bind(request)
    .fetch_all(db)
    .await
}

/// An answer.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct AnswerRow {
    /// The answer.
    pub id: i64,
    /// Who answered.
    pub answerer_id: PersonId,
    /// Their name.
    pub answerer_name: String,
    /// The provider suggested.
    pub provider_id: ProviderId,
    /// Its name.
    pub provider_name: String,
    /// The note.
    pub note: String,
    /// Whether it came with a vouch.
    pub vouched: bool,
    /// Whether the asker said it helped.
    pub helped: bool,
    /// When.
    pub created_at: time::OffsetDateTime,
    /// The referral it became when the asker took it, if they did.
    pub referral_id: Option<ReferralId>,
}

/// A request's answers, oldest first.
pub async fn answers(db: impl PgExecutor<'_>, request: i64) -> sqlx::Result<Vec<AnswerRow>> {
    sqlx::query_as(
        "select a.id, a.answerer_id, p.display_name as answerer_name, a.provider_id,
                pr.name as provider_name, a.note, a.vouched, a.helped, a.created_at,
                (select r.id from referrals r where r.request_answer_id = a.id) as referral_id
         from request_answers a join people p on p.id = a.answerer_id
         join providers pr on pr.id = a.provider_id
         where a.request_id = $1 order by a.id",
    )
    .bind(request)
    .fetch_all(db)
    .await
}

/// Adds an answer; `None` when this person already suggested this provider here.
pub async fn add_answer(
    tx: &mut PgConnection,
    request: i64,
    answerer: PersonId,
    provider: ProviderId,
    note: &str,
    vouched: bool,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "insert into request_answers (request_id, answerer_id, provider_id, note, vouched)
         values ($1, $2, $3, $4, $5) on conflict (request_id, answerer_id, provider_id) do nothing
         returning id",
    )
    .bind(request)
    .bind(answerer)
    .bind(provider)
    .bind(note)
    .bind(vouched)
    .fetch_optional(&mut *tx)
    .await
}

/// Closes a request; marks the answers of the people who helped. Returns those people.
pub async fn close(
    tx: &mut PgConnection,
    request: i64,
    solved: bool,
    helped_by: &[PersonId],
) -> sqlx::Result<Vec<PersonId>> {
    sqlx::query(
        "update requests set status = 'closed', solved = $2, closed_at = now() where id = $1",
    )
    .bind(request)
    .bind(solved)
    .execute(&mut *tx)
    .await?;
    sqlx::query_scalar(
        "with marked as (update request_answers set helped = true
                         where request_id = $1 and answerer_id = any($2) returning answerer_id)
         select distinct answerer_id from marked",
    )
    .bind(request)
    .bind(helped_by)
    .fetch_all(&mut *tx)
    .await
}

/// Mutes (or unmutes) requests about a trade for a person.
pub async fn set_muted(
    db: impl PgExecutor<'_>,
    person: PersonId,
    trade: TradeId,
    muted: bool,
) -> sqlx::Result<()> {
    let sql = if muted {
        "insert into request_mutes (person_id, trade_id) values ($1, $2) on conflict do nothing"
    } else {
        "delete from request_mutes where person_id = $1 and trade_id = $2"
    };
    sqlx::query(sql)
        .bind(person)
        .bind(trade)
        .execute(db)
        .await?;
    Ok(())
}

/// An answer as its request's asker may take it.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct TakenAnswer {
    /// Who asked the request.
    pub asker_id: PersonId,
    /// Who answered.
    pub answerer_id: PersonId,
    /// The provider suggested.
    pub provider_id: ProviderId,
    /// The request's trade.
    pub trade_id: crate::domain::TradeId,
    /// The referral it already became, if any.
    pub referral_id: Option<ReferralId>,
}

/// Answer `answer` of request `request`, with the request locked until `tx` ends (so that two
/// takes of one answer make one referral).
pub async fn answer_for_update(
    tx: &mut PgConnection,
    request: i64,
    answer: i64,
) -> sqlx::Result<Option<TakenAnswer>> {
    sqlx::query_as(
        "select q.asker_id, a.answerer_id, a.provider_id, q.trade_id,
                (select r.id from referrals r where r.request_answer_id = a.id) as referral_id
         from requests q join request_answers a on a.request_id = q.id
         where q.id = $1 and a.id = $2
         for update of q",
    )
    .bind(request)
    .bind(answer)
    .fetch_optional(&mut *tx)
    .await
}
