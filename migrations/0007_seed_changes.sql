-- Seeds are an operator's tool: `vouchgraph seeds add|remove` marks people as pre-trusted
-- (people.pre_trusted), and the global prior restarts on them (docs/ranking.md §3). Who made
-- whom a seed, and why, is part of the graph's history, so every add and remove is a row here.
-- The live graphs learn the new seed set from the change feed (a person.upsert in
-- graph_changes, recorded in the same transaction, whose seq is kept here).
create table seed_changes (
    id         bigint generated always as identity primary key,
    person_id  bigint not null references people (id),
    action     text not null,
    -- The operator's note (`--reason`): the only account of why this person is trusted.
    reason     text not null,
    change_seq bigint not null references graph_changes (seq),
    created_at timestamptz not null default now(),
    constraint seed_action_known check (action in ('added', 'removed')),
    constraint seed_reason_not_blank check (length(btrim(reason)) between 1 and 500)
);
-- `seeds list` shows since when, and why, each current seed is one: its latest change.
create index seed_changes_person on seed_changes (person_id, id desc);

-- History must stay history, as for graph_changes: refuse edits and deletes at the database.
create function seed_changes_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'seed_changes is append-only';
end;
$$;
create trigger seed_changes_no_update before update or delete on seed_changes
    for each row execute function seed_changes_append_only();
