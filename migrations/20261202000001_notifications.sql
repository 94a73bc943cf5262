-- Notifications: one row per message and channel. Rows are written in the transaction of the
-- change they tell about (the outbox); a worker delivers e-mail, SMS and push rows with
-- retries. In-app rows are the user's inbox and count as delivered when written.
create table notifications (
    id uuid primary key,
    user_id uuid references users (id) on delete cascade,
    kind text not null check (kind ~ '^[a-z_]{1,40}$'),
    channel text not null check (channel in ('email', 'sms', 'push', 'in_app')),
    -- E-mail address, phone (E.164), the user's id for push and in-app.
    recipient text not null check (length(recipient) between 1 and 320),
    locale text not null references locales (code),
    order_id uuid references orders (id) on delete set null,
    -- What the message says, fixed when it is written (order number, amounts, tracking).
    data jsonb not null default '{}',
    -- The same notice is written once per recipient and channel, however often its change is
    -- retried; "send again" writes a new key.
    dedupe_key text not null check (length(dedupe_key) between 1 and 200),
    status text not null default 'queued'
        check (status in ('queued', 'sent', 'failed', 'skipped')),
    attempts int not null default 0 check (attempts >= 0),
    next_attempt_at timestamptz not null default now(),
    last_error text check (length(last_error) <= 1000),
    created_at timestamptz not null default now(),
    sent_at timestamptz,
    read_at timestamptz,
    constraint notifications_once unique (dedupe_key, channel, recipient)
);
create index notifications_due on notifications (next_attempt_at) where status = 'queued';
create index notifications_inbox on notifications (user_id, created_at desc) where channel = 'in_app';
create index notifications_unread on notifications (user_id) where channel = 'in_app' and read_at is null;
create index notifications_order on notifications (order_id, created_at) where order_id is not null;

-- The apps' push tokens. One token belongs to one device row; registering it again moves it.
create table devices (
    id uuid primary key,
    user_id uuid not null references users (id) on delete cascade,
    platform text not null check (platform in ('ios', 'android')),
    token text not null unique check (length(token) between 1 and 4096),
    app_version text check (length(app_version) <= 50),
    locale text not null references locales (code),
    created_at timestamptz not null default now(),
    last_seen_at timestamptz not null default now()
);
create index devices_user on devices (user_id);

-- What a user switched off or on, per topic and channel; no row means the default.
create table notification_settings (
    user_id uuid not null references users (id) on delete cascade,
    topic text not null check (topic in ('orders', 'account', 'marketing')),
    channel text not null check (channel in ('email', 'sms', 'push', 'in_app')),
    enabled boolean not null,
    updated_at timestamptz not null default now(),
    primary key (user_id, topic, channel)
);

-- E-mail confirmation: a customer's typed address gets a link; only its hash is kept.
create table email_confirmations (
    token_hash bytea primary key,
    user_id uuid not null references users (id) on delete cascade,
    email text not null,
    expires_at timestamptz not null,
    created_at timestamptz not null default now()
);
create index email_confirmations_user on email_confirmations (user_id);
