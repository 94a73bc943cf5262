-- Money no order keeps: a payment that succeeded on a cancelled order, or a second payment
-- for an order already paid, is refunded automatically. `orphaned_at` marks such a payment;
-- `refund_requested_at` is set once the gateway accepted its refund (reconciliation asks
-- again for those still without one).

alter table payments
    add column orphaned_at timestamptz,
    add column refund_requested_at timestamptz;
create index payments_orphaned_idx on payments (orphaned_at)
    where orphaned_at is not null and refund_requested_at is null;

-- Open provider-side attempts are closed (session expired, intent cancelled) before the order
-- they pay for is cancelled.
create index payments_open_order_idx on payments (order_id) where status = 'pending';

-- What the checkout that used an idempotency key asked for (a hash): the same key with a
-- different request is refused instead of answered with the first order.
alter table orders add column idempotency_fingerprint text;
