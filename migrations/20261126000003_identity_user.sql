-- Identity and user, second step: phone sign-in, blocking, profile completion, sign-out
-- everywhere, account erasure, and a Postgres fallback for rate limits.

alter table users
    add column blocked_at timestamptz,
    -- Set when the customer has chosen individual/corporate and given their details.
    add column profile_completed_at timestamptz,
    -- Sessions and access tokens issued up to this moment no longer count.
    add column signed_out_at timestamptz,
    -- Personal data wiped after the deletion grace period; orders and invoices stay.
    add column erased_at timestamptz;
update users set profile_completed_at = created_at where role = 'admin';

-- One phone may hold one individual and one corporate account. A corporate account
-- gets its company when it completes its profile.
drop index users_phone_key;
create unique index users_phone_type_key on users (phone, customer_type) where deleted_at is null;
alter table users drop constraint users_corporate_has_company;
alter table users add constraint users_corporate_has_company
    check (customer_type = 'individual' or company_id is not null or profile_completed_at is null);
create index users_pending_erasure_idx on users (deleted_at) where deleted_at is not null and erased_at is null;

-- A code is scoped to what it was sent for, and to the account when one is signed in.
alter table otp_challenges
    add column purpose text not null default 'sign_in'
        check (purpose in ('sign_in', 'phone_change_current', 'phone_change_new', 'account_deletion')),
    add column user_id uuid references users (id) on delete cascade;
alter table otp_challenges alter column purpose drop default;
alter table otp_challenges alter column max_attempts set default 3;
drop index otp_challenges_phone_idx;
create index otp_challenges_phone_idx on otp_challenges (phone, purpose, created_at desc);
create index otp_challenges_expires_idx on otp_challenges (expires_at);

-- Fixed-window counters used when Redis is unreachable (Redis holds them otherwise).
create unlogged table rate_limit_windows (
    key text primary key,
    hits integer not null check (hits > 0),
    resets_at timestamptz not null
);

-- Companies whose VAT status could not be checked yet ('unknown') are looked up again.
create index companies_unverified_idx on companies (vat_checked_at nulls first) where vat_status = 'unknown';
