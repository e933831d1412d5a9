-- A trust edge: "truster trusts trustee at this level". Revoking deletes the row; the change
-- (and so the whole history) stays in graph_changes.
create table trust_edges (
    truster_id bigint not null references people (id) on delete cascade,
    trustee_id bigint not null references people (id) on delete cascade,
    -- 1 = know them, 2 = trust their judgement, 3 = trust completely.
    level      smallint not null,
    visibility text not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (truster_id, trustee_id),
    constraint trust_level_range check (level between 1 and 3),
    constraint trust_visibility_known check (visibility in ('public', 'network', 'private')),
    constraint person_cannot_trust_self check (truster_id <> trustee_id)
);
-- "Who trusts me?" decides who may see a network-visible edge, and feeds reach-by-hops.
create index trust_edges_trustee on trust_edges (trustee_id);

-- A vouch: a person recommends, or warns against, a provider for one trade. One current vouch
-- per (person, provider, trade); editing replaces it, and graph_changes keeps the old one.
create table vouches (
    person_id   bigint not null references people (id) on delete cascade,
    provider_id bigint not null references providers (id) on delete cascade,
    trade_id    integer not null references trades (id),
    stance      text not null,
    note        text not null default '',
    visibility  text not null,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    primary key (person_id, provider_id, trade_id),
    -- A vouch for a trade the provider does not offer would rank them in the wrong list.
    foreign key (provider_id, trade_id) references provider_trades (provider_id, trade_id) on delete cascade,
    constraint vouch_stance_known check (stance in ('recommend', 'warn')),
    constraint vouch_visibility_known check (visibility in ('public', 'network', 'private')),
    constraint vouch_note_length check (length(note) <= 1000)
);
-- A provider's page lists its vouches.
create index vouches_provider on vouches (provider_id, trade_id);

-- The append-only record of every change to the graph: trust edges, vouches, people and
-- providers. It is both the history (nothing is lost on revoke or edit) and the change feed
-- that other instances follow: each row's seq is assigned under a transaction-scoped advisory
-- lock taken just before commit, so seq order equals commit order and a follower that has seen
-- seq N has seen everything before it.
create table graph_changes (
    seq        bigint generated always as identity primary key,
    kind       text not null,
    actor_id   bigint,
    payload    jsonb not null,
    created_at timestamptz not null default now(),
    constraint change_kind_known check (kind in (
        'person.upsert', 'provider.upsert',
        'trust.set', 'trust.revoke', 'vouch.set', 'vouch.revoke',
        'distrust.set', 'distrust.revoke'))
);

-- History must stay history: refuse edits and deletes at the database, not just in code.
create function graph_changes_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'graph_changes is append-only';
end;
$$;
create trigger graph_changes_no_update before update or delete on graph_changes
    for each row execute function graph_changes_append_only();

-- Followers are woken with the new seq; they then read every row after their last seq, so a
-- missed notification (a reconnect) loses nothing.
create function graph_changes_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify('vouchgraph_changes', new.seq::text);
    return new;
end;
$$;
create trigger graph_changes_notify after insert on graph_changes
    for each row execute function graph_changes_notify();
