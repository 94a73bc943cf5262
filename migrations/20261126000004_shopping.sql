-- Shopping: remember the price a cart line was added at, so that the cart can say when it
-- changed; guest carts expire after 30 days unused.
alter table cart_items add column price_minor_at_add bigint check (price_minor_at_add >= 0);
create index favorites_guest_idx on favorites (guest_token_hash) where guest_token_hash is not null;
