-- Payments: the payment statuses an order shows, what was refunded, a flag for payments
-- that did not match their order, and which order each processed Stripe event touched.

alter table orders drop constraint orders_payment_status_check;
update orders set payment_status = 'unpaid' where payment_status in ('pending', 'authorized', 'cancelled');
alter table orders alter column payment_status set default 'unpaid';
alter table orders add constraint orders_payment_status_check check (payment_status in (
    'unpaid', 'processing', 'paid', 'failed', 'refunded', 'partially_refunded'
));
alter table orders
    add column refunded_minor bigint not null default 0 check (refunded_minor >= 0),
    -- Why a payment event could not be applied (amount or currency mismatch): an admin looks.
    add column review_reason text;
create index orders_review_idx on orders (placed_at) where review_reason is not null;

alter table processed_stripe_events
    add column order_id uuid references orders (id) on delete set null,
    add column outcome text not null default 'applied';
alter table processed_stripe_events alter column outcome drop default;

-- The PaymentIntent behind a payment (a Checkout Session's comes with its completion), for
-- refunds and for finding the order of a charge.
alter table payments add column provider_intent text;
create index payments_intent_idx on payments (provider_intent) where provider_intent is not null;
create index payments_open_idx on payments (created_at) where status = 'pending';

-- Bank transfer on payment terms for companies: a shop-wide default and a per-company
-- override (null: the default; 0: pays up front).
create table payment_terms (
    id boolean primary key default true check (id),
    default_days integer not null default 0 check (default_days in (0, 7, 14, 21))
);
insert into payment_terms (id, default_days) values (true, 0);
alter table companies add column payment_terms_override integer
    check (payment_terms_override in (0, 7, 14, 21));
-- Set by the daily job when a transfer is late.
alter table orders add column overdue_at timestamptz;
create index orders_awaiting_transfer_idx on orders (payment_due_at) where status = 'awaiting_transfer';
