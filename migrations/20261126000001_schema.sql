-- Metropolitan's schema, designed once for every bounded context.
-- Conventions: uuid (v7, made by the application) primary keys; money in integer minor
-- units (bigint) beside a currency code; VAT rates in basis points (2300 = 23 %);
-- enumerations as text with CHECK constraints (cheap to extend in a later migration);
-- created_at / updated_at kept by one trigger function.

create extension if not exists pg_trgm;
create extension if not exists unaccent;

-- unaccent() is only stable (its dictionary could change); pinning the dictionary makes a
-- wrapper that indexes and generated columns may use. Folds Polish and Turkish letters:
-- 'Łódź' -> 'Lodz', 'Işık' -> 'Isik'.
create function f_unaccent(text) returns text
language sql immutable parallel safe strict as $$
    select public.unaccent('public.unaccent'::regdictionary, $1)
$$;

create function set_updated_at() returns trigger
language plpgsql as $$
begin
    new.updated_at = now();
    return new;
end;
$$;

-- Attaches the updated_at trigger to a table.
create function manage_updated_at(_tbl regclass) returns void
language plpgsql as $$
begin
    execute format(
        'create trigger set_updated_at before update on %s for each row execute function set_updated_at()',
        _tbl
    );
end;
$$;

-- Locales the content is written in. A new language is one row here plus translations.
create table locales (
    code text primary key check (code ~ '^[a-z]{2}$'),
    name text not null
);
insert into locales (code, name) values ('pl', 'Polski'), ('en', 'English'), ('tr', 'Türkçe');

-- ---------------------------------------------------------------- identity and user

create table companies (
    id uuid primary key,
    nip text not null unique check (nip ~ '^[0-9]{10}$'),
    name text not null check (length(name) between 1 and 300),
    vat_status text not null default 'unknown'
        check (vat_status in ('unknown', 'active', 'exempt', 'inactive', 'not_registered')),
    vat_checked_at timestamptz,
    street text,
    city text,
    postal_code text,
    country_code text not null default 'PL' check (country_code ~ '^[A-Z]{2}$'),
    -- Days a company may take to pay an order placed on terms; 0 means pay up front.
    payment_terms_days integer not null default 0 check (payment_terms_days between 0 and 180),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
select manage_updated_at('companies');

create table users (
    id uuid primary key,
    phone text check (phone ~ '^\+[1-9][0-9]{6,14}$'),
    email text check (email ~ '^[^@\s]+@[^@\s]+$'),
    password_hash text,
    role text not null default 'customer' check (role in ('customer', 'admin')),
    customer_type text not null default 'individual'
        check (customer_type in ('individual', 'corporate')),
    first_name text check (length(first_name) <= 100),
    last_name text check (length(last_name) <= 100),
    company_id uuid references companies (id) on delete restrict,
    photo_key text,
    locale text not null default 'pl' references locales (code),
    terms_accepted_at timestamptz,
    marketing_consent_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint users_contact_present check (deleted_at is not null or phone is not null or email is not null),
    constraint users_corporate_has_company check (customer_type = 'individual' or company_id is not null)
);
select manage_updated_at('users');
-- A phone number or e-mail belongs to one live account; a deleted account frees it.
create unique index users_phone_key on users (phone) where deleted_at is null;
create unique index users_email_key on users (lower(email)) where deleted_at is null;
create index users_company_idx on users (company_id) where company_id is not null;
create index users_created_idx on users (created_at desc);

-- Refresh tokens rotate: each use marks the row used and issues a new one in the same
-- family; a reused token revokes its whole family.
create table refresh_tokens (
    id uuid primary key,
    user_id uuid not null references users (id) on delete cascade,
    family_id uuid not null,
    token_hash bytea not null unique,
    expires_at timestamptz not null,
    used_at timestamptz,
    revoked_at timestamptz,
    user_agent text,
    created_at timestamptz not null default now()
);
create index refresh_tokens_user_idx on refresh_tokens (user_id);
create index refresh_tokens_family_idx on refresh_tokens (family_id);
create index refresh_tokens_expires_idx on refresh_tokens (expires_at);

-- Access-token ids revoked before they expire (Redis holds the hot copy).
create table revoked_tokens (
    jti uuid primary key,
    user_id uuid references users (id) on delete cascade,
    expires_at timestamptz not null,
    revoked_at timestamptz not null default now()
);
create index revoked_tokens_expires_idx on revoked_tokens (expires_at);

create table otp_challenges (
    id uuid primary key,
    phone text not null check (phone ~ '^\+[1-9][0-9]{6,14}$'),
    code_hash text not null,
    attempts integer not null default 0 check (attempts >= 0),
    max_attempts integer not null default 5 check (max_attempts > 0),
    expires_at timestamptz not null,
    consumed_at timestamptz,
    created_at timestamptz not null default now(),
    check (attempts <= max_attempts)
);
create index otp_challenges_phone_idx on otp_challenges (phone, created_at desc);

create table addresses (
    id uuid primary key,
    user_id uuid not null references users (id) on delete cascade,
    kind text not null default 'shipping' check (kind in ('shipping', 'billing')),
    label text check (length(label) <= 100),
    recipient_name text not null check (length(recipient_name) between 1 and 200),
    company_name text check (length(company_name) <= 300),
    nip text check (nip ~ '^[0-9]{10}$'),
    phone text check (phone ~ '^\+[1-9][0-9]{6,14}$'),
    street text not null check (length(street) between 1 and 200),
    city text not null check (length(city) between 1 and 100),
    postal_code text not null check (length(postal_code) between 2 and 12),
    country_code text not null default 'PL' check (country_code ~ '^[A-Z]{2}$'),
    is_default boolean not null default false,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
select manage_updated_at('addresses');
create index addresses_user_idx on addresses (user_id);
create unique index addresses_one_default_per_kind on addresses (user_id, kind) where is_default;

-- ---------------------------------------------------------------- catalog

create table categories (
    id uuid primary key,
    parent_id uuid references categories (id) on delete restrict,
    slug text not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    position integer not null default 0,
    is_active boolean not null default true,
    image_key text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (parent_id is distinct from id)
);
select manage_updated_at('categories');
create index categories_parent_idx on categories (parent_id, position);

create table category_translations (
    category_id uuid not null references categories (id) on delete cascade,
    locale text not null references locales (code),
    name text not null check (length(name) between 1 and 200),
    description text,
    primary key (category_id, locale)
);

create table products (
    id uuid primary key,
    slug text not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    sku text not null unique check (length(sku) between 1 and 64),
    brand text check (length(brand) <= 200),
    category_id uuid not null references categories (id) on delete restrict,
    currency text not null default 'PLN' check (currency ~ '^[A-Z]{3}$'),
    -- Gross prices (VAT included). Individual and corporate prices fall back to the base.
    base_price_minor bigint not null check (base_price_minor >= 0),
    individual_price_minor bigint check (individual_price_minor >= 0),
    corporate_price_minor bigint check (corporate_price_minor >= 0),
    vat_rate_bp integer not null check (vat_rate_bp between 0 and 10000),
    stock integer not null default 0 check (stock >= 0),
    min_qty_individual integer not null default 1 check (min_qty_individual >= 1),
    min_qty_corporate integer not null default 1 check (min_qty_corporate >= 1),
    qty_per_box integer check (qty_per_box >= 1),
    -- Net content in a base unit: grams, millilitres or pieces.
    net_quantity integer check (net_quantity > 0),
    net_unit text check (net_unit in ('g', 'ml', 'pcs')),
    origin_country text check (origin_country ~ '^[A-Z]{2}$'),
    storage text check (storage in ('ambient', 'chilled', 'frozen')),
    -- EU allergen codes (gluten, milk, eggs, ...), validated by the domain.
    allergens text[] not null default '{}',
    -- Per 100 g / 100 ml: energy_kcal, fat_g, saturates_g, carbohydrate_g, sugars_g, protein_g, salt_g.
    nutrition jsonb check (nutrition is null or jsonb_typeof(nutrition) = 'object'),
    badges text[] not null default '{}',
    is_active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check ((net_quantity is null) = (net_unit is null))
);
select manage_updated_at('products');
create index products_category_idx on products (category_id) where is_active;
create index products_listing_idx on products (is_active, created_at desc, id);
create index products_price_idx on products (base_price_minor, id) where is_active;
create index products_badges_idx on products using gin (badges);
create index products_allergens_idx on products using gin (allergens);

-- The search configuration per locale; immutable so that it may feed a generated column.
create function locale_search_config(locale text) returns regconfig
language sql immutable parallel safe as $$
    select case locale
        when 'en' then 'english'::regconfig
        when 'tr' then 'turkish'::regconfig
        else 'simple'::regconfig
    end
$$;

create table product_translations (
    product_id uuid not null references products (id) on delete cascade,
    locale text not null references locales (code),
    name text not null check (length(name) between 1 and 200),
    full_name text check (length(full_name) <= 400),
    description text check (length(description) <= 20000),
    -- Brand and category name in this locale, kept by the catalog service so that a search
    -- finds products by them too.
    search_extra text not null default '',
    search_vector tsvector generated always as (
        setweight(to_tsvector(locale_search_config(locale), f_unaccent(name)), 'A')
        || setweight(to_tsvector(locale_search_config(locale), f_unaccent(search_extra)), 'B')
        || setweight(to_tsvector(locale_search_config(locale), f_unaccent(coalesce(full_name, ''))), 'B')
        || setweight(to_tsvector(locale_search_config(locale), f_unaccent(coalesce(description, ''))), 'C')
    ) stored,
    primary key (product_id, locale)
);
create index product_translations_search_idx on product_translations using gin (search_vector);
-- Typo-tolerant fallback: trigram word similarity on the folded name.
create index product_translations_name_trgm_idx on product_translations using gin (f_unaccent(lower(name)) gin_trgm_ops);
create index product_translations_locale_name_idx on product_translations (locale, name);

-- A product's gross unit price for a customer type: its price list, else the base price.
create function product_price_minor(p products, customer_type text) returns bigint
language sql immutable parallel safe as $$
    select case when customer_type = 'corporate'
                then coalesce(p.corporate_price_minor, p.base_price_minor)
                else coalesce(p.individual_price_minor, p.base_price_minor)
           end
$$;

-- The least quantity a customer type may order of a product.
create function product_min_qty(p products, customer_type text) returns integer
language sql immutable parallel safe as $$
    select case when customer_type = 'corporate' then p.min_qty_corporate else p.min_qty_individual end
$$;

-- A product's name in the asked-for locale, else the fallback locale, else any translation.
create function product_name(product_id uuid, locale text, fallback text) returns text
language sql stable parallel safe as $$
    select pt.name from product_translations pt
     where pt.product_id = $1
     order by pt.locale = $2 desc, pt.locale = $3 desc, pt.locale
     limit 1
$$;

create table product_images (
    id uuid primary key,
    product_id uuid not null references products (id) on delete cascade,
    -- Key in the blob store (local folder or S3-compatible bucket).
    storage_key text not null,
    position integer not null default 0 check (position >= 0),
    width integer check (width > 0),
    height integer check (height > 0),
    created_at timestamptz not null default now(),
    unique (product_id, position)
);

-- ---------------------------------------------------------------- shopping

-- A cart belongs to a user or to a guest (identified by the hash of a random cookie
-- token), never both; a guest cart is merged into the user's at sign-in.
create table carts (
    id uuid primary key,
    user_id uuid unique references users (id) on delete cascade,
    guest_token_hash bytea unique,
    currency text not null default 'PLN' check (currency ~ '^[A-Z]{3}$'),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (num_nonnulls(user_id, guest_token_hash) = 1)
);
select manage_updated_at('carts');
create index carts_updated_idx on carts (updated_at) where guest_token_hash is not null;

create table cart_items (
    cart_id uuid not null references carts (id) on delete cascade,
    product_id uuid not null references products (id) on delete cascade,
    quantity integer not null check (quantity between 1 and 100000),
    added_at timestamptz not null default now(),
    primary key (cart_id, product_id)
);
create index cart_items_product_idx on cart_items (product_id);

create table favorites (
    id uuid primary key,
    user_id uuid references users (id) on delete cascade,
    guest_token_hash bytea,
    product_id uuid not null references products (id) on delete cascade,
    created_at timestamptz not null default now(),
    check (num_nonnulls(user_id, guest_token_hash) = 1)
);
create unique index favorites_user_product_key on favorites (user_id, product_id) where user_id is not null;
create unique index favorites_guest_product_key on favorites (guest_token_hash, product_id) where guest_token_hash is not null;
create index favorites_product_idx on favorites (product_id);

-- ---------------------------------------------------------------- orders

-- Human order numbers come from a sequence, never from the clock.
create sequence order_number_seq start with 100001;

create table orders (
    id uuid primary key,
    number bigint not null unique default nextval('order_number_seq'),
    user_id uuid references users (id) on delete set null,
    status text not null default 'pending_payment' check (status in (
        'pending_payment', 'awaiting_transfer', 'paid', 'processing',
        'shipped', 'delivered', 'cancelled', 'refunded'
    )),
    customer_type text not null check (customer_type in ('individual', 'corporate')),
    contact_name text not null check (length(contact_name) between 1 and 200),
    contact_email text check (contact_email ~ '^[^@\s]+@[^@\s]+$'),
    contact_phone text check (contact_phone ~ '^\+[1-9][0-9]{6,14}$'),
    -- Addresses are copied at checkout, so later edits never rewrite history.
    shipping_address jsonb not null check (jsonb_typeof(shipping_address) = 'object'),
    billing_address jsonb check (billing_address is null or jsonb_typeof(billing_address) = 'object'),
    company_id uuid references companies (id) on delete set null,
    buyer_nip text check (buyer_nip ~ '^[0-9]{10}$'),
    buyer_company_name text,
    locale text not null default 'pl' references locales (code),
    currency text not null check (currency ~ '^[A-Z]{3}$'),
    items_total_minor bigint not null check (items_total_minor >= 0),
    shipping_minor bigint not null default 0 check (shipping_minor >= 0),
    discount_minor bigint not null default 0 check (discount_minor >= 0),
    total_minor bigint not null check (total_minor >= 0),
    vat_total_minor bigint not null check (vat_total_minor >= 0),
    -- [{"rate_bp": 2300, "net_minor": ..., "vat_minor": ..., "gross_minor": ...}, ...]
    vat_breakdown jsonb not null default '[]' check (jsonb_typeof(vat_breakdown) = 'array'),
    payment_method text not null check (payment_method in ('card', 'blik', 'bank_transfer', 'dev')),
    payment_status text not null default 'pending' check (payment_status in (
        'pending', 'authorized', 'paid', 'failed', 'cancelled', 'refunded', 'partially_refunded'
    )),
    payment_terms_days integer not null default 0 check (payment_terms_days between 0 and 180),
    payment_due_at timestamptz,
    -- Unpaid orders hold their stock until then; a sweeper cancels and returns it.
    reserved_until timestamptz,
    carrier text,
    tracking_number text,
    notes text check (length(notes) <= 2000),
    -- A client-chosen key that makes a retried checkout return the same order.
    idempotency_key text unique check (length(idempotency_key) between 8 and 200),
    placed_at timestamptz not null default now(),
    cancelled_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (total_minor = items_total_minor + shipping_minor - discount_minor),
    check (vat_total_minor <= total_minor),
    check (customer_type = 'individual' or buyer_nip is not null)
);
select manage_updated_at('orders');
create index orders_user_idx on orders (user_id, placed_at desc) where user_id is not null;
create index orders_status_idx on orders (status, placed_at desc);
create index orders_placed_idx on orders (placed_at desc);
create index orders_reserved_idx on orders (reserved_until) where reserved_until is not null;

create table order_items (
    id uuid primary key,
    order_id uuid not null references orders (id) on delete cascade,
    product_id uuid references products (id) on delete set null,
    position integer not null check (position >= 0),
    sku text not null,
    name text not null,
    quantity integer not null check (quantity > 0),
    unit_price_minor bigint not null check (unit_price_minor >= 0),
    vat_rate_bp integer not null check (vat_rate_bp between 0 and 10000),
    line_total_minor bigint not null check (line_total_minor >= 0),
    line_vat_minor bigint not null check (line_vat_minor >= 0),
    check (line_total_minor = unit_price_minor * quantity),
    check (line_vat_minor <= line_total_minor),
    unique (order_id, position)
);
create index order_items_product_idx on order_items (product_id);

create table order_events (
    id uuid primary key,
    order_id uuid not null references orders (id) on delete cascade,
    from_status text,
    to_status text not null,
    actor_user_id uuid references users (id) on delete set null,
    note text,
    created_at timestamptz not null default now()
);
create index order_events_order_idx on order_events (order_id, created_at);

-- ---------------------------------------------------------------- payment

create table payments (
    id uuid primary key,
    order_id uuid not null references orders (id) on delete restrict,
    provider text not null check (provider in ('stripe', 'dev', 'bank_transfer')),
    -- e.g. the Stripe PaymentIntent or Checkout Session id.
    provider_ref text,
    method text not null check (method in ('card', 'blik', 'bank_transfer', 'dev')),
    status text not null default 'pending' check (status in (
        'pending', 'requires_action', 'succeeded', 'failed', 'cancelled', 'refunded', 'partially_refunded'
    )),
    amount_minor bigint not null check (amount_minor >= 0),
    refunded_minor bigint not null default 0 check (refunded_minor >= 0),
    currency text not null check (currency ~ '^[A-Z]{3}$'),
    -- Sent to the provider so that a retried call never charges twice.
    idempotency_key text not null unique,
    failure_code text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (provider, provider_ref),
    check (refunded_minor <= amount_minor)
);
select manage_updated_at('payments');
create index payments_order_idx on payments (order_id);

-- Each Stripe event is applied at most once: the insert that wins does the work.
create table processed_stripe_events (
    event_id text primary key,
    event_type text not null,
    received_at timestamptz not null default now()
);

-- ---------------------------------------------------------------- invoices

-- Gap-free yearly numbering: the counter row is locked by the transaction issuing an invoice.
create table invoice_counters (
    year integer primary key check (year between 2000 and 9999),
    last_seq integer not null check (last_seq >= 0)
);

create table invoices (
    id uuid primary key,
    order_id uuid not null unique references orders (id) on delete restrict,
    year integer not null,
    seq integer not null check (seq > 0),
    number text not null unique,
    issued_at timestamptz not null default now(),
    sale_date date not null,
    -- Seller and buyer as they were when the invoice was issued.
    seller jsonb not null check (jsonb_typeof(seller) = 'object'),
    buyer jsonb not null check (jsonb_typeof(buyer) = 'object'),
    currency text not null check (currency ~ '^[A-Z]{3}$'),
    net_total_minor bigint not null check (net_total_minor >= 0),
    vat_total_minor bigint not null check (vat_total_minor >= 0),
    gross_total_minor bigint not null check (gross_total_minor >= 0),
    pdf_key text,
    unique (year, seq),
    check (gross_total_minor = net_total_minor + vat_total_minor)
);

-- ---------------------------------------------------------------- content

create table faq_entries (
    id uuid primary key,
    position integer not null default 0,
    is_published boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
select manage_updated_at('faq_entries');
create index faq_entries_position_idx on faq_entries (position) where is_published;

create table faq_translations (
    faq_id uuid not null references faq_entries (id) on delete cascade,
    locale text not null references locales (code),
    question text not null check (length(question) between 1 and 500),
    answer_md text not null check (length(answer_md) <= 20000),
    primary key (faq_id, locale)
);

create table content_pages (
    id uuid primary key,
    slug text not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    is_published boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
select manage_updated_at('content_pages');

create table content_page_translations (
    page_id uuid not null references content_pages (id) on delete cascade,
    locale text not null references locales (code),
    title text not null check (length(title) between 1 and 300),
    body_md text not null check (length(body_md) <= 200000),
    updated_at timestamptz not null default now(),
    primary key (page_id, locale)
);

-- Every edit of a page keeps the text it replaced.
create table content_page_revisions (
    id uuid primary key,
    page_id uuid not null references content_pages (id) on delete cascade,
    locale text not null references locales (code),
    title text not null,
    body_md text not null,
    edited_by uuid references users (id) on delete set null,
    replaced_at timestamptz not null default now()
);
create index content_page_revisions_page_idx on content_page_revisions (page_id, locale, replaced_at desc);
