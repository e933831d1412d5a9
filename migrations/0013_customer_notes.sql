-- A provider's private notes about a customer in its relationship book ("wants the grey
-- grout", "call after 6"). Seen only by the provider's owner: no other reader, no export to
-- anyone else, no event. One note per provider and customer, replaced when edited.
create table customer_notes (
    provider_id bigint not null references providers (id) on delete cascade,
    customer_id bigint not null references people (id) on delete cascade,
    body        text not null,
    updated_at  timestamptz not null default now(),
    primary key (provider_id, customer_id),
    constraint customer_note_length check (length(body) between 1 and 2000)
);

-- Erasure (erase_person) keeps people rows as tombstones, so the cascades above never fire
-- for an erased person. The notes go with them instead: those written about them as a
-- customer, and those they wrote as a provider's owner. A trigger on `erasures` (written last
-- by erase_person, in the same transaction) does it, so erase_person itself stays as it is.
create function erase_customer_notes() returns trigger language plpgsql as $$
begin
    delete from customer_notes
    where customer_id = new.person_id
       or provider_id in (select id from providers where owner_id = new.person_id);
    return new;
end;
$$;
create trigger erasures_take_customer_notes after insert on erasures
    for each row execute function erase_customer_notes();
