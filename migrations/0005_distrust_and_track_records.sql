-- Distrust: "truster considers trustee untrustworthy", as imported trust networks state it
-- (a marketplace's negative rating of a fraudster). A table of its own rather than a negative
-- trust level, so that no query over trust_edges (walks, reach, profile counts) can ever follow
-- or count it as trust. Like trust_edges, withdrawing deletes the row and graph_changes keeps
-- the history ('distrust.set' / 'distrust.revoke', already allowed by change_kind_known).
create table distrust_edges (
    truster_id bigint not null references people (id) on delete cascade,
    trustee_id bigint not null references people (id) on delete cascade,
    -- How strongly, in (0, 1]: a marketplace's -10 is 1.0 and its -1 is 0.1. Zero would be
    -- no distrust at all, so it is refused rather than stored.
    strength   real not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (truster_id, trustee_id),
    constraint distrust_strength_range check (strength > 0 and strength <= 1),
    -- The engine refuses self-edges of every kind; so does the database.
    constraint person_cannot_distrust_self check (truster_id <> trustee_id)
);
-- "Who distrusts this person?": the question negative evidence asks, and what deleting a
-- person's incoming edges (on delete cascade) looks up.
create index distrust_edges_trustee on distrust_edges (trustee_id);

-- Track records are read from referrals at start-up (one grouped pass over completed ones) and
-- per referrer when a referral completes: this partial index serves both, and stays small
-- because only completed referrals carry an outcome.
create index referrals_completed_referrer on referrals (referrer_id, outcome)
    where status = 'completed';
