-- A person's data archive (UK GDPR Art. 15 and 20), built in the background and downloaded
-- once. A request is a row in `building`; a worker claims it (`for update skip locked`, so
-- two instances never build the same one), stores the archive and marks it `ready`; the
-- first download hands the archive over, clears it and marks the row `downloaded`, so the
-- link works once. Rows go when they expire (a day after the request or the build), by the
-- retention purge.
create table export_archives (
    id            bigint generated always as identity primary key,
    person_id     bigint not null references people (id) on delete cascade,
    status        text not null default 'building'
                  check (status in ('building', 'ready', 'downloaded')),
    -- The archive itself, only while it waits to be downloaded.
    body          jsonb,
    -- Its size in bytes as sent, to say how large the download is.
    bytes         bigint,
    requested_at  timestamptz not null default now(),
    ready_at      timestamptz,
    downloaded_at timestamptz,
    expires_at    timestamptz not null default now() + interval '1 day',
    constraint export_archive_body_only_when_ready check ((body is not null) = (status = 'ready'))
);

-- One archive in the making per person at a time: asking again while one is built returns it.
create unique index export_archives_one_building on export_archives (person_id)
    where status = 'building';
create index export_archives_by_person on export_archives (person_id, requested_at desc);

-- Erasure keeps people rows as tombstones, so the cascade never fires; an erased person's
-- archives go with them, by the same trigger pattern as customer notes.
create function erase_export_archives() returns trigger language plpgsql as $$
begin
    delete from export_archives where person_id = new.person_id;
    return new;
end;
$$;
create trigger erasures_take_export_archives after insert on erasures
    for each row execute function erase_export_archives();
