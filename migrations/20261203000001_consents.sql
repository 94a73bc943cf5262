-- Consents (issue 16): every acceptance of the terms and the privacy policy, at account
-- creation and at every order, with the exact version of the document accepted; marketing
-- consent given and withdrawn, with its history. Rows are only ever added.

-- A page's version: 1 when written, one more at every edit (the text each version replaced
-- stays in content_page_revisions).
alter table content_pages add column version integer not null default 1 check (version >= 1);

create table consents (
    id uuid primary key,
    user_id uuid not null references users (id),
    document text not null check (document in ('terms', 'privacy', 'marketing')),
    -- The version of the page accepted; null for marketing (not a page).
    version integer check ((document = 'marketing') = (version is null)),
    -- false: withdrawn (marketing only; the terms are accepted, never withdrawn).
    given boolean not null check (given or document = 'marketing'),
    source text not null check (source in ('account', 'order', 'settings')),
    order_id uuid references orders (id),
    created_at timestamptz not null default now()
);
create index consents_user on consents (user_id, created_at);
