//! The data a person's archive is made of (`app::export`), one JSON section per query, each
//! already cut to what the person may see: their own rows whole, and of other people's only
//! what the rest of vouchgraph shows them.

use serde_json::Value;
use sqlx::PgExecutor;

use crate::domain::PersonId;

/// One section: a JSON value built by Postgres from the person's rows (`$1` is the person).
async fn section(db: impl PgExecutor<'_>, sql: &str, person: PersonId) -> sqlx::Result<Value> {
    sqlx::query_scalar(sql).bind(person).fetch_one(db).await
}

/// The account: email, name, home, when it was made. No password hash: it is not information
/// about the person, and it would help whoever intercepts the archive.
pub const ACCOUNT: &str = "
    select jsonb_build_object(
        'id', p.id, 'email', a.email, 'display_name', p.display_name,
        'home', case when p.lat is null then null
                     else jsonb_build_object('lat', p.lat, 'lon', p.lon) end,
        'email_verified_at', a.email_verified_at,
        'created_at', a.created_at)
    from accounts a join people p on p.id = a.person_id where a.person_id = $1";

/// Trust the person gives, every edge whatever its visibility: they are all theirs.
pub const TRUST_GIVEN: &str = "
    select coalesce(jsonb_agg(jsonb_build_object(
        'person_id', t.trustee_id, 'name', p.display_name, 'level', t.level,
        'visibility', t.visibility, 'created_at', t.created_at, 'updated_at', t.updated_at)
        order by t.trustee_id), '[]')
    from trust_edges t join people p on p.id = t.trustee_id where t.truster_id = $1";

/// Trust the person receives, as far as they may see it (`graph::visibility`): public and
/// network-only edges towards them; never another person's private edge.
pub const TRUST_RECEIVED: &str = "
    select coalesce(jsonb_agg(jsonb_build_object(
        'person_id', t.truster_id, 'name', p.display_name, 'level', t.level,
        'visibility', t.visibility, 'created_at', t.created_at)
        order by t.truster_id), '[]')
    from trust_edges t join people p on p.id = t.truster_id
    where t.trustee_id = $1 and t.visibility in ('public', 'network')";

/// Distrust the person gives (distrust is never shown to the distrusted).
pub const DISTRUST_GIVEN: &str = "
    select coalesce(jsonb_agg(jsonb_build_object(
        'person_id', d.trustee_id, 'name', p.display_name, 'strength', d.strength,
        'created_at', d.created_at, 'updated_at', d.updated_at)
        order by d.trustee_id), '[]')
    from distrust_edges d join people p on p.id = d.trustee_id where d.truster_id = $1";

/// The person's vouches, with whether they count now (a provider that dropped the trade
/// hides them).
pub const VOUCHES: &str = "
    select coalesce(jsonb_agg(jsonb_build_object(
        'provider_id', v.provider_id, 'provider_name', pr.name, 'trade', t.slug,
        'stance', v.stance, 'note', v.note, 'visibility', v.visibility,
        'shown', exists (select 1 from provider_trades pt
                         where pt.provider_id = v.provider_id and pt.trade_id = v.trade_id),
        'created_at', v.created_at, 'updated_at', v.updated_at)
        order by v.provider_id, t.slug), '[]')
    from vouches v join providers pr on pr.id = v.provider_id join trades t on t.id = v.trade_id
    where v.person_id = $1";

/// The businesses the person owns, with their listed trades.
pub const PROVIDERS: &str = "
    select coalesce(jsonb_agg(jsonb_build_object(
        'id', pr.id, 'name', pr.name, 'description', pr.description,
        'lat', pr.lat, 'lon', pr.lon, 'radius_km', pr.radius_km,
        'phone', pr.phone, 'email', pr.email, 'website', pr.website,
        'trades', coalesce((select jsonb_agg(t.slug order by t.slug)
                            from provider_trades pt join trades t on t.id = pt.trade_id
                            where pt.provider_id = pr.id), '[]'),
        'created_at', pr.created_at, 'updated_at', pr.updated_at)
        order by pr.id), '[]')
    from providers pr where pr.owner_id = $1";

/// Referrals the person sent, received, or that were made to a business they own, with their
/// history: what each party sees of them (`http::referrals`). The invited address is the
/// sender's only; how the customer may be reached, the customer's and the provider's only.
pub const REFERRALS: &str = "
    select coalesce(jsonb_agg(jsonb_build_object(
        'id', r.id,
        'roles', array_remove(array[
            case when r.referrer_id = $1 then 'referrer' end,
            case when r.recipient_id = $1 then 'recipient' end,
            case when pr.owner_id = $1 then 'provider_owner' end], null),
        'referrer_name', rp.display_name, 'recipient_name', cp.display_name,
        'recipient_email', case when r.referrer_id = $1 then r.recipient_email end,
        'provider_id', r.provider_id, 'provider_name', pr.name, 'trade', t.slug,
        'note', r.note, 'status', r.status, 'outcome', r.outcome, 'rating', r.rating,
        'shared_contact', case when r.recipient_id = $1 or pr.owner_id = $1 then
            jsonb_strip_nulls(jsonb_build_object('phone', r.contact_phone,
                'email', case when r.share_email then ca.email end)) end,
        'created_at', r.created_at, 'updated_at', r.updated_at,
        'history', coalesce((select jsonb_agg(jsonb_build_object(
                'from', x.from_status, 'to', x.to_status, 'by_you', x.actor_id = $1,
                'note', x.note, 'at', x.created_at) order by x.id)
            from referral_transitions x where x.referral_id = r.id), '[]'))
        order by r.id), '[]')
    from referrals r
    join providers pr on pr.id = r.provider_id
    join trades t on t.id = r.trade_id
    join people rp on rp.id = r.referrer_id
    left join people cp on cp.id = r.recipient_id
    left join accounts ca on ca.person_id = r.recipient_id
    where r.referrer_id = $1 or r.recipient_id = $1 or pr.owner_id = $1";

/// The person's notifications.
pub const NOTIFICATIONS: &str = "
    select coalesce(jsonb_agg(jsonb_build_object(
        'kind', n.kind, 'payload', n.payload, 'created_at', n.created_at, 'read_at', n.read_at)
        order by n.id), '[]')
    from notifications n where n.person_id = $1";

/// The person's sessions: when each began and ends. Never the token's hash nor its CSRF token.
pub const SESSIONS: &str = "
    select coalesce(jsonb_agg(jsonb_build_object(
        'created_at', s.created_at, 'expires_at', s.expires_at) order by s.created_at), '[]')
    from sessions s where s.person_id = $1";

/// The partner sites the person linked their account to.
pub const PARTNER_LINKS: &str = "
    select coalesce(jsonb_agg(jsonb_build_object(
        'partner_id', l.partner_id, 'partner_name', pa.name, 'linked_at', l.created_at)
        order by l.id), '[]')
    from partner_links l join partners pa on pa.id = l.partner_id where l.person_id = $1";

/// The private notes the person keeps, as a provider's owner, about their customers.
pub const CUSTOMER_NOTES: &str = "
    select coalesce(jsonb_agg(jsonb_build_object(
        'provider_id', n.provider_id, 'customer_id', n.customer_id,
        'customer_name', cp.display_name, 'note', n.body, 'updated_at', n.updated_at)
        order by n.provider_id, n.customer_id), '[]')
    from customer_notes n
    join providers pr on pr.id = n.provider_id
    join people cp on cp.id = n.customer_id
    where pr.owner_id = $1";

/// Email: the categories the address declined, and the mail sent or queued to the person
/// (never the bodies: a sent email's are blanked, and a queued one may hold a one-time link).
pub const EMAIL: &str = "
    select jsonb_build_object(
        'declined', (select coalesce(jsonb_agg(o.category order by o.category), '[]')
                     from email_opt_outs o
                     where o.address_hash = sha256(convert_to(lower(trim(a.email)), 'UTF8'))),
        'messages', (select coalesce(jsonb_agg(jsonb_build_object(
                         'kind', e.kind, 'to', e.to_address, 'subject', e.subject,
                         'status', e.status, 'created_at', e.created_at, 'sent_at', e.sent_at)
                         order by e.id), '[]')
                     from emails e where e.person_id = $1))
    from accounts a where a.person_id = $1";

/// The person's requests for recommendations, with the answers they got (as the asker sees
/// them: who suggested whom), and the answers they gave to others' requests (never the asker
/// of a request they answered: two hops out, they were never told).
pub const REQUESTS: &str = "
    select jsonb_build_object(
        'asked', (select coalesce(jsonb_agg(jsonb_build_object(
                      'id', r.id, 'trade', t.slug, 'place', r.place, 'note', r.note,
                      'deadline', r.deadline, 'visibility', r.visibility, 'status', r.status,
                      'solved', r.solved, 'created_at', r.created_at, 'closed_at', r.closed_at,
                      'answers', coalesce((select jsonb_agg(jsonb_build_object(
                              'answerer_name', ap.display_name, 'provider_id', a.provider_id,
                              'provider_name', pr.name, 'note', a.note, 'helped', a.helped,
                              'created_at', a.created_at) order by a.id)
                          from request_answers a join people ap on ap.id = a.answerer_id
                          join providers pr on pr.id = a.provider_id
                          where a.request_id = r.id), '[]'))
                      order by r.id), '[]')
                  from requests r join trades t on t.id = r.trade_id where r.asker_id = $1),
        'answered', (select coalesce(jsonb_agg(jsonb_build_object(
                         'request_id', a.request_id, 'provider_id', a.provider_id,
                         'provider_name', pr.name, 'note', a.note, 'vouched', a.vouched,
                         'helped', a.helped, 'created_at', a.created_at) order by a.id), '[]')
                     from request_answers a join providers pr on pr.id = a.provider_id
                     where a.answerer_id = $1),
        'muted_trades', (select coalesce(jsonb_agg(t.slug order by t.slug), '[]')
                         from request_mutes m join trades t on t.id = m.trade_id
                         where m.person_id = $1))";

/// Invitations into the person's circle that they sent (with the address they typed, until it
/// was used), and those they joined from; and the day's address-book look-up counts.
pub const CIRCLE: &str = "
    select jsonb_build_object(
        'invitations_sent', (select coalesce(jsonb_agg(jsonb_build_object(
                                 'email', c.email, 'note', c.note, 'created_at', c.created_at,
                                 'joined_name', jp.display_name, 'joined_at', c.accepted_at)
                                 order by c.id), '[]')
                             from circle_invitations c left join people jp on jp.id = c.accepted_by
                             where c.inviter_id = $1),
        'invitations_joined', (select coalesce(jsonb_agg(jsonb_build_object(
                                   'inviter_name', ip.display_name, 'note', c.note,
                                   'joined_at', c.accepted_at, 'declined_at', c.offer_closed_at)
                                   order by c.id), '[]')
                               from circle_invitations c join people ip on ip.id = c.inviter_id
                               where c.accepted_by = $1),
        'address_book_lookups', (select coalesce(jsonb_agg(jsonb_build_object(
                                     'day', l.day, 'addresses', l.addresses) order by l.day), '[]')
                                 from contact_lookups l where l.person_id = $1))";

/// Every section, by name, in the archive's order.
pub const SECTIONS: [(&str, &str); 14] = [
    ("account", ACCOUNT),
    ("trust_given", TRUST_GIVEN),
    ("trust_received", TRUST_RECEIVED),
    ("distrust_given", DISTRUST_GIVEN),
    ("vouches", VOUCHES),
    ("providers", PROVIDERS),
    ("referrals", REFERRALS),
    ("notifications", NOTIFICATIONS),
    ("sessions", SESSIONS),
    ("partner_links", PARTNER_LINKS),
    ("customer_notes", CUSTOMER_NOTES),
    ("email", EMAIL),
    ("requests", REQUESTS),
    ("circle", CIRCLE),
];

/// Reads every section for `person` in one snapshot: `tx` must be a fresh transaction, which
/// this makes repeatable-read and read-only first, so a vouch made meanwhile is in all the
/// sections or in none.
pub async fn sections(
    tx: &mut sqlx::PgConnection,
    person: PersonId,
) -> sqlx::Result<Vec<(&'static str, Value)>> {
    sqlx::query("set transaction isolation level repeatable read, read only")
        .execute(&mut *tx)
        .await?;
    let db = tx;
    let mut out = Vec::with_capacity(SECTIONS.len());
    for (name, sql) in SECTIONS {
        out.push((name, section(&mut *db, sql, person).await?));
    }
    Ok(out)
}
