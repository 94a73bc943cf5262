-- Browser sessions (tower-sessions' Postgres store, pointed at this table).
create table browser_sessions (
    id text primary key not null,
    data bytea not null,
    expiry_date timestamptz not null
);
create index browser_sessions_expiry_idx on browser_sessions (expiry_date);
