-- Checkout and orders: who moved an order, and indexes for the admin's order list and the
-- expiry of unpaid orders.

-- 'customer', 'admin', 'system' (expiry, jobs) or 'payment' (the gateway).
alter table order_events
    add column actor text not null default 'system'
        check (actor in ('customer', 'admin', 'system', 'payment'));
alter table order_events alter column actor drop default;

-- Unpaid orders waiting for the expiry job.
drop index orders_reserved_idx;
create index orders_unpaid_idx on orders (reserved_until) where status = 'pending_payment';
create index orders_phone_idx on orders (contact_phone) where contact_phone is not null;
create index orders_email_idx on orders (lower(contact_email)) where contact_email is not null;
