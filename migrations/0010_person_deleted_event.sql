-- A partner a person had linked their account to hears when that person deletes it
-- (`person.deleted`), so it can forget them too: the link itself is deleted with the account.
alter table webhook_endpoints drop constraint webhook_event_types_known;
alter table webhook_endpoints add constraint webhook_event_types_known check (
    cardinality(event_types) >= 1 and event_types <@ array[
        'referral.created', 'referral.status_changed', 'vouch.created', 'vouch.revoked',
        'person.deleted']::text[]);
