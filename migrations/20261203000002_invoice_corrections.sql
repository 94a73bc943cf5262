-- Correcting invoices (issue 16): a refund or the cancellation of an invoiced order is
-- corrected in the transaction that records it, numbered KOR/<year>/<000001> without gaps.

create table correction_counters (
    year integer primary key check (year between 2000 and 9999),
    last_seq integer not null check (last_seq > 0)
);

create table invoice_corrections (
    id uuid primary key,
    invoice_id uuid not null references invoices (id),
    order_id uuid not null references orders (id),
    year integer not null,
    seq integer not null check (seq > 0),
    number text not null unique,
    issued_at timestamptz not null,
    reason text not null check (reason in ('refund', 'cancellation')),
    -- The refunded total this correction brings the invoice to: each refunded total is
    -- corrected once per order, so a repeated or late refund notice corrects nothing.
    refunded_minor bigint not null check (refunded_minor > 0),
    -- Every line and every rate before and after (JSON arrays, see order::correction).
    lines jsonb not null,
    summary jsonb not null,
    net_diff_minor bigint not null,
    vat_diff_minor bigint not null,
    gross_diff_minor bigint not null check (gross_diff_minor < 0),
    created_at timestamptz not null default now(),
    unique (year, seq),
    unique (order_id, refunded_minor)
);
create index invoice_corrections_order on invoice_corrections (order_id, refunded_minor);
