-- Company members (issue 14, item 7): typing a company's NIP no longer makes an account
-- part of that company. The first account of a company is its first member; later ones
-- wait until a member or an admin approves them. Payment terms and company invoices go
-- to approved members only, company prices only once the company is verified too.
alter table users
    add column company_approved_at timestamptz,
    add column company_approved_by uuid references users (id) on delete set null,
    add column company_rejected_at timestamptz;

-- Accounts that joined before the rule: the first account of each company (the one that
-- brought it in) is its member; the others wait for that member or an admin.
update users u set company_approved_at = coalesce(u.profile_completed_at, u.created_at)
 where u.id in (
    select distinct on (company_id) id from users
     where company_id is not null and deleted_at is null and customer_type = 'corporate'
     order by company_id, profile_completed_at nulls last, created_at, id);

create index users_company_pending_idx on users (company_id)
    where company_approved_at is null and company_rejected_at is null and deleted_at is null;
