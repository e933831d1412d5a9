-- Partners: sites that embed vouchgraph's widgets and receive its webhooks (src/partners,
-- src/webhooks, docs/partners.md).

-- A partner is owned by one account, which alone manages its keys, webhooks and analytics.
-- Its allowed origins are the only pages that may use its publishable keys from a browser,
-- and the only origins CORS answers for; stored normalised ("https://shop.example"), so a
-- request's Origin header is compared with plain equality.
create table partners (
    id              bigint generated always as identity primary key,
    owner_id        bigint not null references accounts (person_id) on delete cascade,
    name            text not null,
    allowed_origins text[] not null default '{}',
    created_at      timestamptz not null default now(),
    constraint partner_name_not_blank check (length(btrim(name)) between 1 and 120),
    -- A handful of sites per partner; a long list is a mistake or an abuse of CORS.
    constraint partner_origins_count check (cardinality(allowed_origins) <= 20)
);
-- "Which partners does this account own?" lists them on GET /v1/partners.
create index partners_owner on partners (owner_id);
-- A CORS preflight carries no key, only an Origin: it asks "does any partner allow it?".
create index partners_allowed_origins on partners using gin (allowed_origins);

-- API keys. The key itself is shown once; only its SHA-256 is kept (a key has 192 random bits,
-- so a fast hash leaves nothing to brute-force). The prefix ("sk_live_3f9a1c0b7d2e") is the
-- lookup handle and what listings show, so a person can tell keys apart without the secret.
create table partner_keys (
    id           bigint generated always as identity primary key,
    partner_id   bigint not null references partners (id) on delete cascade,
    kind         text not null,
    prefix       text not null,
    key_hash     bytea not null,
    created_at   timestamptz not null default now(),
    last_used_at timestamptz,
    -- Revoking ends a key at once; rotating sets expires_at to the end of the grace period the
    -- partner chose, so deployments still using the old key keep working until then.
    revoked_at   timestamptz,
    expires_at   timestamptz,
    -- The key that replaced this one on rotation, for the listing.
    replaced_by  bigint references partner_keys (id) on delete set null,
    constraint partner_key_kind_known check (kind in ('publishable', 'secret')),
    constraint partner_key_prefix_unique unique (prefix)
);
create index partner_keys_partner on partner_keys (partner_id, id);

-- A person's consent to let a partner personalise widgets for them. The partner keeps the
-- link token (shown once, in the redirect after consent) and trades it, with its secret key,
-- for ten-minute embed tokens; only the token's SHA-256 is stored. One link per person and
-- partner: linking again replaces the token, unlinking deletes the row and so ends every
-- embed token minted from it at their next use.
create table partner_links (
    id         bigint generated always as identity primary key,
    partner_id bigint not null references partners (id) on delete cascade,
    person_id  bigint not null references accounts (person_id) on delete cascade,
    token_hash bytea not null unique,
    created_at timestamptz not null default now(),
    constraint partner_link_once unique (partner_id, person_id)
);

-- Referrals sent through a partner's widget are attributed to it, for its analytics and so
-- that only its webhooks hear about them. Null for referrals made on vouchgraph itself.
alter table referrals add column partner_id bigint references partners (id) on delete set null;
-- Analytics count a partner's referrals by day.
create index referrals_partner on referrals (partner_id, created_at) where partner_id is not null;

-- Widget views by partner, day and widget kind: one counter row a day rather than a row per
-- view, so a popular badge costs an upsert, not a growing table.
create table partner_widget_views (
    partner_id bigint not null references partners (id) on delete cascade,
    day        date not null,
    widget     text not null,
    views      bigint not null default 0,
    primary key (partner_id, day, widget),
    constraint partner_widget_known check (widget in ('badge', 'list', 'refer'))
);

-- Webhook endpoints. The signing secret ("whsec_...") must be kept in the clear: the worker
-- signs every delivery with it (Standard Webhooks, HMAC-SHA256). Failures are counted so that
-- an endpoint failing for long enough is disabled (disabled_at) and its owner told.
create table webhook_endpoints (
    id                   bigint generated always as identity primary key,
    partner_id           bigint not null references partners (id) on delete cascade,
    url                  text not null,
    event_types          text[] not null,
    secret               text not null,
    created_at           timestamptz not null default now(),
    disabled_at          timestamptz,
    disabled_reason      text,
    -- The current run of failed attempts: reset by any success.
    consecutive_failures integer not null default 0,
    failing_since        timestamptz,
    constraint webhook_url_length check (length(url) between 8 and 2000),
    constraint webhook_event_types_known check (
        cardinality(event_types) >= 1 and event_types <@ array[
            'referral.created', 'referral.status_changed', 'vouch.created', 'vouch.revoked']::text[])
);
create index webhook_endpoints_partner on webhook_endpoints (partner_id, id);

-- The outbox is fanned out to endpoints once: this marks the events done. A flag rather than
-- a cursor, because identity values are handed out before commit, so a cursor could step over
-- an event whose transaction commits late.
alter table outbox_events add column fanned_out_at timestamptz;
-- The fan-out looks for the events not yet fanned out, oldest first; they are few.
create index outbox_events_pending on outbox_events (id) where fanned_out_at is null;

-- One event for one endpoint: the worker's progress lives here, not in memory, so a restart
-- loses nothing. A due delivery (next_attempt_at <= now()) is claimed with
-- `for update skip locked` and leased by pushing next_attempt_at forward, so several
-- instances can run workers and a worker that dies mid-attempt is retried after the lease.
create table webhook_deliveries (
    id              bigint generated always as identity primary key,
    endpoint_id     bigint not null references webhook_endpoints (id) on delete cascade,
    event_id        bigint not null references outbox_events (id) on delete cascade,
    status          text not null default 'pending',
    attempts        integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    last_status     smallint,
    created_at      timestamptz not null default now(),
    delivered_at    timestamptz,
    -- The next attempt was asked for by hand (manual redelivery), for the attempt log.
    manual          boolean not null default false,
    constraint webhook_delivery_status_known check (status in ('pending', 'delivered', 'failed')),
    -- The fan-out may run twice for an event (a crash before marking it); this keeps one
    -- delivery per endpoint and event all the same.
    constraint webhook_delivery_once unique (endpoint_id, event_id)
);
-- The worker's claim: due pending deliveries, soonest first.
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending';
-- The delivery log of an endpoint, newest first.
create index webhook_deliveries_endpoint on webhook_deliveries (endpoint_id, id desc);

-- Every attempt, for the delivery log: when, how it ended (a status code, or an error such as
-- a timeout or a refused address) and how long it took.
create table webhook_attempts (
    id          bigint generated always as identity primary key,
    delivery_id bigint not null references webhook_deliveries (id) on delete cascade,
    started_at  timestamptz not null default now(),
    status_code smallint,
    error       text,
    latency_ms  integer not null,
    -- Whether the partner asked for it (manual redelivery) rather than the schedule.
    manual      boolean not null default false
);
create index webhook_attempts_delivery on webhook_attempts (delivery_id, id);
