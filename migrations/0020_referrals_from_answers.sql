-- An answer to a request becomes a referral when the asker takes it ("ask them to get in
-- touch"): the answerer referred the provider to the asker, and the asker accepted it at once.
-- From then on it is a referral like any other: the provider's book, its follow-ups and its
-- responsiveness count it. One referral per answer; the answer may go (the request's asker
-- deleted it with their account), the referral stays with its other parties.
alter table referrals add column request_answer_id bigint
    references request_answers (id) on delete set null;
create unique index referrals_one_per_answer on referrals (request_answer_id)
    where request_answer_id is not null;
